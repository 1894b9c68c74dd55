package io.ringbus.sample.embedded;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.Subscriber;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Opens a bus in the directory given, publishes N messages (sequence numbers 0 to N-1) on one topic
 * and reads them back with a subscriber that joined first, in one thread: when the ring is full, the
 * publisher's offer is back-pressured and the subscriber drains it. Prints
 * {@code embedded-app: sent N received M} and exits 0 only when every message arrived, in order.
 *
 * <pre>
 *   java --enable-native-access=io.ringbus.core --module-path target/embedded-app.jar:target/lib \
 *       -m io.ringbus.sample.embedded/io.ringbus.sample.embedded.EmbeddedApp /dev/shm/my-bus 100000
 * </pre>
 */
public final class EmbeddedApp {
    private static final String TOPIC = "embedded";

    private long received;
    private long outOfOrder;

    private EmbeddedApp() {
    }

    /** Arguments: the bus directory, and how many messages (default 100000). */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: EmbeddedApp BUS_DIRECTORY [MESSAGES]");
            System.exit(2);
        }
        long count = args.length == 2 ? Long.parseLong(args[1]) : 100_000;
        EmbeddedApp app = new EmbeddedApp();
        long sent = app.run(Path.of(args[0]), count);
        System.out.println("embedded-app: sent " + sent + " received " + app.received
            + (app.outOfOrder > 0 ? " (" + app.outOfOrder + " out of order)" : ""));
        System.exit(sent == count && app.received == count && app.outOfOrder == 0 ? 0 : 1);
    }

    private long run(Path directory, long count) {
        try (Bus bus = Bus.open(new BusContext().directory(directory))) {
            // The subscriber first: it joins at the latest position, so it sees every message published after.
            Subscriber subscriber = bus.newSubscriber(TOPIC);
            Publisher publisher = bus.newPublisher(TOPIC);
            long sent = 0;
            while (sent < count) {
                long position = publisher.tryClaim(Long.BYTES);
                if (position >= 0) {
                    publisher.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, publisher.payloadOffset(position), sent);
                    publisher.commit(position);
                    sent++;
                } else if (position == Result.BACK_PRESSURED) {
                    poll(subscriber); // the ring is full of what this subscriber has not read yet
                } else {
                    System.err.println("embedded-app: tryClaim answered " + position);
                    return sent;
                }
            }
            while (received < count && poll(subscriber) > 0) {
                // drain what is left
            }
            return sent;
        }
    }

    private int poll(Subscriber subscriber) {
        return subscriber.poll((typeId, buffer, offset, length) -> {
            long sequence = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            if (length != Long.BYTES || sequence != received) {
                outOfOrder++;
            }
            received++;
        }, 256);
    }
}
