package io.ringbus.core;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.ProducerMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenarios drawn at random from what the topic API offers at once, run in one process with a busy process
 * ({@code yes > /dev/null}) beside it for half of them: a topic of random capacity and message size, one or
 * many producers, with or without publish times and wakeup; publishers (threads, each on a bus of its own)
 * mixing {@code offer} from an array and from a segment, {@code tryClaim}/{@code commit}, claims they abort,
 * and {@code offerBatch}; subscribers of every kind side by side: tethered at latest and at earliest,
 * explicitly committing, durable (closed and reopened by name at random moments, with and without explicit
 * commits) and evictable (stalling at random, for longer than their eviction limit), each waiting by
 * {@code poll} or {@code await}, spinning or blocking.
 *
 * <p>Every message carries its publisher, its sequence and bytes derived from both; every subscriber checks
 * every byte, and per publisher:
 * <ul>
 *   <li>tethered (latest, earliest, explicit): from its first message of a publisher on, each next one, no
 *       gap and no repeat; at the end everything committed after it joined;</li>
 *   <li>durable: the same across its reopenings; with explicit commits a reopening resumes right after its
 *       last commit (the messages delivered after it come again, in order);</li>
 *   <li>evictable: a gap only right after its loss listener was told of a loss;</li>
 *   <li>with publish times: each within the run's wall-clock window.</li>
 * </ul>
 * The end: publishers stop, one more message (the end marker) is published, and every subscriber must
 * reach it. The seed is printed; {@code -Dringbus.test.seed=N} replays a scenario's choices.
 */
class RandomTopicScenarioTest {
    private static final int SCENARIOS = 8;
    private static final long RUN_NANOS = 1_200_000_000L;
    private static final int HEADER = 16; // publisher (int), sequence (long), length (int)
    private static final int MARKER_PUBLISHER = 99;

    @Test
    @Timeout(240)
    void randomScenariosKeepEverySubscribersPromise() throws Exception {
        long base = Long.getLong("ringbus.test.seed", System.nanoTime());
        for (int i = 0; i < SCENARIOS; i++) {
            long seed = base + i;
            System.out.println("RandomTopicScenarioTest seed " + seed);
            new Scenario(seed, i % 2 == 1).run();
        }
    }

    /** What a subscriber is: how it reads, commits and leaves. */
    private enum Kind { LATEST, EARLIEST, EXPLICIT, DURABLE, DURABLE_EXPLICIT, EVICTABLE }

    private static final class Scenario {
        private final long seed;
        private final boolean busy;
        private final SplittableRandom random;
        private final int capacity;
        private final int maxMessage;
        private final ProducerMode mode;
        private final int publishers;
        private final boolean timestamps;
        private final boolean wakeup;
        private final AtomicLongArray committed;
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private volatile boolean stop;
        private long startedWallNanos;

        Scenario(long seed, boolean busy) {
            this.seed = seed;
            this.busy = busy;
            this.random = new SplittableRandom(seed);
            this.capacity = 1 << (12 + random.nextInt(5)); // 4 KiB to 64 KiB: it wraps and fills all the time
            this.maxMessage = HEADER + random.nextInt(capacity / 8 - HEADER + 1);
            this.mode = random.nextBoolean() ? ProducerMode.SINGLE : ProducerMode.MANY;
            this.publishers = mode == ProducerMode.SINGLE ? 1 : 2 + random.nextInt(2);
            this.timestamps = random.nextBoolean();
            this.wakeup = random.nextBoolean();
            this.committed = new AtomicLongArray(publishers + 1);
        }

        private TopicConfig topicConfig() {
            // The marker's publisher takes a slot the others gave back when they closed.
            return new TopicConfig().capacity(capacity).maxMessageLength(maxMessage).producerMode(mode)
                .maxPublishers(publishers).timestamps(timestamps).wakeup(wakeup);
        }

        private String describe() {
            return "seed " + seed + ": capacity " + capacity + ", max message " + maxMessage + ", " + mode + " x"
                + publishers + ", timestamps " + timestamps + ", wakeup " + wakeup + ", busy " + busy;
        }

        void run() throws Exception {
            Path root = Files.createTempDirectory(Path.of("/dev/shm"), "rb-random-scenario-");
            Path directory = root.resolve("bus");
            Process yes = busy ? new ProcessBuilder("yes").redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                : null;
            List<Thread> threads = new ArrayList<>();
            List<Reader> readers = new ArrayList<>();
            try (Bus setup = Bus.open(new BusContext().directory(directory))) {
                setup.newPublisher("t", topicConfig()).close(); // creates the topic with this scenario's shape
                startedWallNanos = System.currentTimeMillis() * 1_000_000L;
                int subscribers = 3 + random.nextInt(4);
                for (int i = 0; i < subscribers; i++) {
                    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
                    Reader reader = new Reader(i, kind, directory, random.split());
                    readers.add(reader);
                    threads.add(Thread.ofPlatform().name("sub-" + i + "-" + kind).start(reader));
                }
                for (Reader reader : readers) {
                    reader.awaitJoined();
                }
                List<Thread> writers = new ArrayList<>();
                for (int p = 1; p <= publishers; p++) {
                    int id = p;
                    SplittableRandom choices = random.split();
                    writers.add(Thread.ofPlatform().name("pub-" + p).start(() -> publish(id, directory, choices)));
                }
                Thread.sleep(RUN_NANOS / 1_000_000);
                stop = true;
                for (Thread writer : writers) {
                    writer.join();
                }
                publishMarker(directory);
                for (Thread thread : threads) {
                    thread.join(Duration.ofSeconds(30));
                    if (thread.isAlive()) {
                        failures.add(thread.getName() + " did not reach the end marker within 30 s");
                        thread.interrupt();
                    }
                }
                for (Reader reader : readers) {
                    reader.checkEnd();
                }
            } finally {
                stop = true;
                for (Reader reader : readers) {
                    reader.done = true;
                }
                if (yes != null) {
                    yes.destroyForcibly().waitFor();
                }
                remove(root);
            }
            assertTrue(failures.isEmpty(), describe() + "\n" + String.join("\n", failures.stream().limit(20).toList()));
            long total = 0;
            for (int p = 1; p <= publishers; p++) {
                total += committed.get(p);
            }
            assertTrue(total > 0, describe() + ": nothing was published");
            System.out.println("  " + describe() + ": " + total + " messages; " + String.join("; ",
                readers.stream().map(Reader::summary).toList()));
        }

        /** Publishes sequences 0, 1, ... of publisher {@code id} by every way the API has, until told to stop. */
        private void publish(int id, Path directory, SplittableRandom choices) {
            byte[] array = new byte[maxMessage];
            MemorySegment segment = Arena.ofAuto().allocate((long) maxMessage * 8, 8);
            int[] lengths = new int[8];
            long sequence = 0;
            try (Bus bus = Bus.open(new BusContext().directory(directory));
                 Publisher publisher = bus.newPublisher("t", topicConfig())) {
                while (!stop) {
                    int way = choices.nextInt(5);
                    int length = HEADER + choices.nextInt(maxMessage - HEADER + 1);
                    long result;
                    if (way == 0) {
                        fill(MemorySegment.ofArray(array), 0, id, sequence, length);
                        result = publisher.offer(array, 0, length);
                    } else if (way == 1) {
                        fill(segment, 0, id, sequence, length);
                        result = publisher.offer(segment, 0, length);
                    } else if (way == 2 || way == 3) {
                        result = publisher.tryClaim(length);
                        if (result >= 0) {
                            if (way == 3) {
                                publisher.abort(result); // taken back: readers skip it, the sequence is not used
                                continue;
                            }
                            fill(publisher.buffer(), publisher.payloadOffset(result), id, sequence, length);
                            publisher.commit(result);
                        }
                    } else {
                        int count = 1 + choices.nextInt(lengths.length);
                        long offset = 0;
                        for (int i = 0; i < count; i++) {
                            lengths[i] = HEADER + choices.nextInt(Math.max(1, maxMessage / count - HEADER + 1));
                            fill(segment, offset, id, sequence + i, lengths[i]);
                            offset += lengths[i];
                        }
                        result = publisher.offerBatch(segment, 0, lengths, count);
                        if (result >= 0) {
                            sequence += count;
                            committed.set(id, sequence);
                        } else {
                            Thread.yield();
                        }
                        continue;
                    }
                    if (result >= 0) {
                        sequence++;
                        committed.set(id, sequence);
                    } else {
                        Thread.yield(); // more threads than cores: hand the core to whoever holds us back
                    }
                }
            } catch (RuntimeException e) {
                failures.add("publisher " + id + " failed: " + e);
            }
        }

        private void publishMarker(Path directory) {
            MemorySegment marker = Arena.ofAuto().allocate(HEADER, 8);
            fill(marker, 0, MARKER_PUBLISHER, 0, HEADER);
            long deadline = System.nanoTime() + 30_000_000_000L;
            try (Bus bus = Bus.open(new BusContext().directory(directory));
                 Publisher publisher = bus.newPublisher("t", topicConfig())) {
                while (publisher.offer(marker, 0, HEADER) < 0) {
                    if (System.nanoTime() > deadline) {
                        failures.add("the end marker found no room for 30 s");
                        return;
                    }
                    Thread.onSpinWait();
                }
            }
        }

        private static void fill(MemorySegment to, long offset, int id, long sequence, int length) {
            to.set(ValueLayout.JAVA_INT_UNALIGNED, offset, id);
            to.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 4, sequence);
            to.set(ValueLayout.JAVA_INT_UNALIGNED, offset + 12, length);
            for (int i = HEADER; i < length; i++) {
                to.set(ValueLayout.JAVA_BYTE, offset + i, patternByte(id, sequence, i));
            }
        }

        private static byte patternByte(int id, long sequence, int index) {
            return (byte) (sequence * 31 + index * 7 + id);
        }

        /** One subscriber and its checks; the thread that runs it is the only one to poll it. */
        private final class Reader implements Runnable, MessageHandler {
            private final int index;
            private final Kind kind;
            private final Path directory;
            private final SplittableRandom choices;
            private final long[] next = new long[publishers + 1];
            /** With explicit commits: {@link #next} as of the last commit (where a reopening resumes). */
            private final long[] nextAtCommit = new long[publishers + 1];
            private final long[] requiredFrom = new long[publishers + 1];
            private final boolean[] seen = new boolean[publishers + 1];
            private final long[] noticesAtLast = new long[publishers + 1];
            private long notices;
            private long received;
            private long reopenings;
            private long announced;
            private boolean markerSeen;
            private volatile boolean joined;
            private volatile boolean ended;
            volatile boolean done;
            private Subscriber subscriber;

            Reader(int index, Kind kind, Path directory, SplittableRandom choices) {
                this.index = index;
                this.kind = kind;
                this.directory = directory;
                this.choices = choices;
            }

            private boolean durable() {
                return kind == Kind.DURABLE || kind == Kind.DURABLE_EXPLICIT;
            }

            private boolean explicit() {
                return kind == Kind.EXPLICIT || kind == Kind.DURABLE_EXPLICIT;
            }

            private SubscriberConfig config() {
                SubscriberConfig config = new SubscriberConfig()
                    .wakeup(wakeup && choices.nextBoolean() ? WakeupMode.BLOCKING : WakeupMode.SPIN)
                    .start(kind == Kind.LATEST || kind == Kind.EVICTABLE ? StartPosition.LATEST
                        : StartPosition.EARLIEST)
                    .explicitCommit(explicit());
                if (durable()) {
                    config.durableName("durable-" + index);
                }
                if (kind == Kind.EVICTABLE) {
                    config.slowConsumerPolicy(SlowConsumerPolicy.EVICT).evictAfter(Duration.ofMillis(20))
                        .lossListener((from, to, bytes) -> {
                            if (bytes <= 0 || to - from != bytes) {
                                failures.add(name() + ": a loss report from " + from + " to " + to + " of " + bytes);
                            }
                            notices++;
                        });
                }
                return config;
            }

            private String name() {
                return "sub-" + index + " (" + kind + ")";
            }

            void awaitJoined() throws InterruptedException {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!joined && !ended && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertTrue(joined, describe() + ": " + name() + " did not join: " + failures);
            }

            @Override
            public void run() {
                try (Bus bus = Bus.open(new BusContext().directory(directory))) {
                    subscriber = bus.newSubscriber("t", topicConfig(), config());
                    for (int p = 1; p <= publishers; p++) {
                        requiredFrom[p] = committed.get(p) + 1; // the one in hand at the join may be before it
                    }
                    joined = true;
                    boolean useAwait = choices.nextBoolean();
                    while (!markerSeen && !done) {
                        int got = useAwait ? subscriber.await(this, 1 + choices.nextInt(64), 1_000_000L)
                            : subscriber.poll(this, 1 + choices.nextInt(64));
                        if (explicit() && choices.nextInt(4) == 0) {
                            subscriber.commit();
                            System.arraycopy(next, 0, nextAtCommit, 0, next.length);
                        }
                        // Drawn per message received, not per loop: an idle loop turns far more often.
                        if (kind == Kind.EVICTABLE && got > 0 && choices.nextInt(3000) < got) {
                            Thread.sleep(choices.nextInt(100)); // a stall: longer than its eviction limit, often
                        }
                        if (durable() && !stop && got > 0 && choices.nextInt(300) < got) {
                            reopen(bus);
                        }
                        if (got == 0 && !useAwait) {
                            Thread.yield();
                        }
                    }
                    if (explicit()) {
                        subscriber.commit();
                    }
                    subscriber.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | AssertionError e) {
                    failures.add(name() + " failed: " + e);
                } finally {
                    ended = true;
                }
            }

            /** Closes and opens again by name: a durable successor resumes at the last commit. */
            private void reopen(Bus bus) {
                subscriber.close();
                if (explicit()) {
                    System.arraycopy(nextAtCommit, 0, next, 0, next.length);
                }
                subscriber = bus.newSubscriber("t", topicConfig(), config());
                reopenings++;
            }

            @Override
            public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
                if (length < HEADER) {
                    failures.add(name() + ": a message of " + length + " bytes");
                    return;
                }
                int id = buffer.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
                long sequence = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 4);
                int written = buffer.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 12);
                if (written != length) {
                    failures.add(name() + ": publisher " + id + " seq " + sequence + " says " + written
                        + " bytes, delivered " + length);
                    return;
                }
                for (int i = HEADER; i < length; i++) {
                    if (buffer.get(ValueLayout.JAVA_BYTE, offset + i) != patternByte(id, sequence, i)) {
                        failures.add(name() + ": publisher " + id + " seq " + sequence + " torn at byte " + i);
                        return;
                    }
                }
                if (timestamps) {
                    long time = subscriber.publishTime();
                    long now = System.currentTimeMillis() * 1_000_000L;
                    if (time < startedWallNanos - 1_000_000_000L || time > now + 1_000_000_000L) {
                        failures.add(name() + ": publish time " + time + " outside the run (" + startedWallNanos
                            + " to " + now + ")");
                    }
                }
                if (id == MARKER_PUBLISHER) {
                    markerSeen = true;
                    return;
                }
                if (id < 1 || id > publishers) {
                    failures.add(name() + ": a message of publisher " + id);
                    return;
                }
                received++;
                boolean first = !seen[id];
                seen[id] = true;
                if (first && !durable()) {
                    // Where it joined, or the oldest message still in the ring.
                    if (kind == Kind.EVICTABLE || sequence <= requiredFrom[id]) {
                        next[id] = sequence + 1;
                        noticesAtLast[id] = notices;
                        return;
                    }
                    failures.add(name() + ": first message of publisher " + id + " is seq " + sequence
                        + ", but it owed every one from " + requiredFrom[id]);
                }
                if (sequence == next[id]) {
                    next[id]++;
                } else if (sequence > next[id] && kind == Kind.EVICTABLE && notices > noticesAtLast[id]) {
                    announced += sequence - next[id];
                    next[id] = sequence + 1;
                } else {
                    failures.add(name() + ": publisher " + id + " seq " + sequence + " where " + next[id]
                        + " was next" + (durable() ? " (after " + reopenings + " reopenings)" : ""));
                    next[id] = sequence + 1;
                }
                noticesAtLast[id] = notices;
            }

            /** After the end marker: everything each publisher committed that it owed, or told it lost. */
            void checkEnd() {
                if (!markerSeen) {
                    return; // already a failure: it did not reach the marker
                }
                for (int p = 1; p <= publishers; p++) {
                    long last = committed.get(p);
                    boolean owed = durable() ? last > 0 : last > requiredFrom[p];
                    if (!owed || next[p] >= last) {
                        continue;
                    }
                    if (kind == Kind.EVICTABLE && notices > noticesAtLast[p]) {
                        continue; // its end was lost, and the loss reported
                    }
                    failures.add(name() + ": of publisher " + p + " it got up to " + next[p] + " of " + last);
                }
            }

            String summary() {
                return name() + " " + received + (reopenings > 0 ? ", reopened " + reopenings : "")
                    + (notices > 0 ? ", " + notices + " loss reports, " + announced + " announced lost" : "");
            }
        }
    }

    private static void remove(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
