package io.ringbus.core.process;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RingConfig;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.TopicFile;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * One of several processes racing to create the same topics. For each round {@code r} of
 * {@code --rounds}: warm, then spin (hot) until the file {@code --go}{@code r} exists, open a
 * subscriber and a publisher of topic {@code race-r} (creating it if this process wins), print
 * {@code SHAPE r ...} (what the topic file says: shape and creator pid) and {@code JOINED r}; then
 * wait for {@code --flow}{@code r}, publish {@code --count} messages as publisher {@code --id}
 * while reading its own subscriber, and read until it has {@code --count} from each of
 * {@code --processes} publishers, checking each one's order: {@code RECEIVED r total ok|...}.
 */
final class CreateRaceMain {
    private CreateRaceMain() {
    }

    public static void main(String[] args) {
        ChildSupport.run(args, CreateRaceMain::run);
    }

    private static TopicConfig shape() {
        return new TopicConfig().capacity(1 << 16).maxMessageLength(1024).producerMode(ProducerMode.MANY)
            .maxPublishers(8).maxSubscribers(8).wakeup(true);
    }

    private static void run(ChildSupport args) throws Exception {
        int id = args.getInt("id", 0);
        int rounds = args.getInt("rounds", 1);
        int count = args.getInt("count", 100);
        int processes = args.getInt("processes", 4);
        warmUp(Path.of(args.get("warm")));
        ChildSupport.event("WAITING " + ProcessHandle.current().pid());
        try (Bus bus = Bus.open(args.busContext())) {
            for (int round = 0; round < rounds; round++) {
                String topic = "race-" + round;
                ChildSupport.awaitFile(Path.of(args.get("go") + round), true);
                Subscriber subscriber = bus.newSubscriber(topic, shape(), new SubscriberConfig());
                Publisher publisher = bus.newPublisher(topic, shape());
                ChildSupport.event("SHAPE " + round + " " + describe(bus.context().directory(), topic));
                ChildSupport.event("JOINED " + round);
                ChildSupport.awaitFile(Path.of(args.get("flow") + round), false);
                String result = exchange(publisher, subscriber, id, count, processes);
                ChildSupport.event("RECEIVED " + round + " " + result);
                publisher.close();
                subscriber.close();
            }
        }
        ChildSupport.event("DONE");
    }

    /** The topic as its file says, read through a separate mapping. */
    private static String describe(Path directory, String topic) {
        try (TopicFile file = TopicFile.tryOpen(TopicFile.pathOf(directory, topic), 0600)) {
            RingConfig ring = file.shape().ring();
            long creator = file.segment().get(ValueLayout.JAVA_LONG, TopicDescriptor.CREATOR_PID_OFFSET);
            return "capacity=" + ring.capacity() + " maxMessageLength=" + ring.maxMessageLength()
                + " producerMode=" + ring.producerMode() + " maxPublishers=" + file.shape().maxPublishers()
                + " maxSubscribers=" + ring.maxCursors() + " wakeup=" + file.shape().wakeup() + " creator=" + creator;
        }
    }

    /** Publishes while reading (so that no process holds the others back forever), then reads the rest. */
    private static String exchange(Publisher publisher, Subscriber subscriber, int id, int count, int processes) {
        int[] next = new int[processes];
        int[] received = new int[1];
        StringBuilder problems = new StringBuilder();
        io.ringbus.core.ring.MessageHandler handler = (type, buffer, offset, length) -> {
            String line = Messages.verify(buffer, offset, length);
            String[] parts = line.split(" ");
            if (!parts[0].equals("M") || Integer.parseInt(parts[1]) >= processes
                || Integer.parseInt(parts[2]) != next[Integer.parseInt(parts[1])]) {
                problems.append(" [").append(line).append("]");
            } else {
                next[Integer.parseInt(parts[1])]++;
            }
            received[0]++;
        };
        int sent = 0;
        while (sent < count) {
            long result = publisher.offer(Messages.encode(id, sent, 100));
            if (result >= 0) {
                sent++;
            } else if (result != Result.BACK_PRESSURED && result != Result.ADMIN_ACTION) {
                return "offer failed: " + Result.describe(result);
            }
            subscriber.poll(handler, 64);
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (received[0] < count * processes && System.nanoTime() < deadline) {
            subscriber.await(handler, 256, 100_000_000L);
        }
        subscriber.await(handler, 256, 200_000_000L);
        return received[0] + (problems.isEmpty() ? " ok" : " problems" + problems);
    }

    /** Loads and compiles the bus's classes on a private topic, so that the race itself is tight. */
    private static void warmUp(Path directory) {
        try (Bus bus = Bus.open(new BusContext().directory(directory))) {
            for (int i = 0; i < 3; i++) {
                Subscriber subscriber = bus.newSubscriber("warm-" + i, shape(), new SubscriberConfig());
                Publisher publisher = bus.newPublisher("warm-" + i, shape());
                publisher.offer(Messages.encode(0, 0, 1));
                subscriber.poll((type, buffer, offset, length) -> { }, 1);
                describe(directory, "warm-" + i);
                publisher.close();
                subscriber.close();
            }
        }
    }
}
