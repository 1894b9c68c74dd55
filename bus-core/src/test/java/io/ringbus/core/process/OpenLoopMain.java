package io.ringbus.core.process;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.RingBusException;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import java.util.Map;
import java.util.TreeMap;

/**
 * A process that opens topic {@code --topic} in bus directory {@code --dir} over and over for
 * {@code --millis} ms, as a publisher and as a subscriber in turn, each time in a new {@link Bus}
 * closed again at once, while the test truncates and restores the file under it. Every call must
 * return or throw a typed error ({@link RingBusException}, counted by class and carried on from);
 * anything else ends the process as {@link ChildSupport} says ({@code UNTYPED ...}, exit 4).
 *
 * <p>Prints {@code READY pid}, then at the end {@code DONE opened=N typed=T} and one
 * {@code TYPED class count: a message} line per class of typed error; {@code class(fault)} counts
 * those made from the {@code InternalError} of a faulting access (the race the test is after).
 */
final class OpenLoopMain {
    private OpenLoopMain() {
    }

    public static void main(String[] args) {
        ChildSupport.run(args, OpenLoopMain::run);
    }

    private static void run(ChildSupport args) {
        String topic = args.get("topic");
        long end = System.nanoTime() + args.getLong("millis", 3_000) * 1_000_000L;
        Map<String, Integer> typed = new TreeMap<>();
        Map<String, String> examples = new TreeMap<>();
        long opened = 0;
        ChildSupport.event("READY " + ProcessHandle.current().pid());
        for (long i = 0; System.nanoTime() < end; i++) {
            try (Bus bus = Bus.open(args.busContext())) {
                if ((i & 1) == 0) {
                    Publisher publisher = bus.newPublisher(topic, args.topicConfig());
                    publisher.close();
                } else {
                    Subscriber subscriber = bus.newSubscriber(topic, args.topicConfig(), new SubscriberConfig());
                    subscriber.close();
                }
                opened++;
            } catch (RingBusException e) {
                String kind = e.getClass().getSimpleName() + (e.getCause() instanceof InternalError ? "(fault)" : "");
                typed.merge(kind, 1, Integer::sum);
                examples.putIfAbsent(kind, e.getMessage());
            }
        }
        int total = typed.values().stream().mapToInt(Integer::intValue).sum();
        ChildSupport.event("DONE opened=" + opened + " typed=" + total);
        typed.forEach((kind, count) -> ChildSupport.event("TYPED " + kind + " " + count + ": " + examples.get(kind)));
    }
}
