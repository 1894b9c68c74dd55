package io.ringbus.transport.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.Subscriber;
import io.ringbus.core.ring.MessageHandler;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Test messages and the loops around them. A message is {@code int32 publisher, int64 sequence} (LE)
 * padded to the length asked for, the padding bytes a function of both, so that a torn or misplaced
 * payload is noticed.
 */
final class Messages {
    static final int HEADER = Integer.BYTES + Long.BYTES;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** How long any single wait in a test may take before it fails (generous: the machine is shared). */
    static final long PATIENCE_NANOS = 30_000_000_000L;

    private Messages() {
    }

    /** A message of {@code length} bytes (at least {@link #HEADER}). */
    static byte[] message(int publisher, long sequence, int length) {
        byte[] bytes = new byte[Math.max(HEADER, length)];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(publisher).putLong(sequence);
        for (int i = HEADER; i < bytes.length; i++) {
            bytes[i] = filler(publisher, sequence, i);
        }
        return bytes;
    }

    private static byte filler(int publisher, long sequence, int index) {
        return (byte) (publisher * 31 + sequence * 7 + index);
    }

    /** One key for (publisher, sequence): what the collectors record. */
    static long key(int publisher, long sequence) {
        return ((long) publisher << 48) | sequence;
    }

    static int publisherOf(long key) {
        return (int) (key >>> 48);
    }

    static long sequenceOf(long key) {
        return key & ((1L << 48) - 1);
    }

    /** Records the key of every message received, checking each payload's padding. */
    static final class Collector implements MessageHandler {
        private long[] keys = new long[1024];
        private volatile int count;
        private int badPayloads;

        @Override
        public void onMessage(int type, MemorySegment buffer, long offset, int length) {
            if (length < HEADER) {
                badPayloads++;
                return;
            }
            int publisher = buffer.get(INT_LE, offset);
            long sequence = buffer.get(LONG_LE, offset + Integer.BYTES);
            for (int i = HEADER; i < length; i++) {
                if (buffer.get(ValueLayout.JAVA_BYTE, offset + i) != filler(publisher, sequence, i)) {
                    badPayloads++;
                    break;
                }
            }
            if (count == keys.length) {
                keys = Arrays.copyOf(keys, keys.length * 2);
            }
            keys[count] = key(publisher, sequence);
            count = count + 1;
        }

        int count() {
            return count;
        }

        long[] keys() {
            return Arrays.copyOf(keys, count);
        }

        long last() {
            return count == 0 ? -1 : keys[count - 1];
        }

        int badPayloads() {
            return badPayloads;
        }
    }

    /** Counts the results publishers saw. */
    static final class OfferStats {
        final AtomicLong backPressured = new AtomicLong();
        final AtomicLong notConnected = new AtomicLong();
    }

    /**
     * Offers until the message is taken, counting the codes seen; fails on CLOSED or after
     * {@link #PATIENCE_NANOS}.
     */
    static long offer(Publisher publisher, byte[] message, OfferStats stats) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        int spins = 0;
        while (true) {
            long result = publisher.offer(message);
            if (result >= 0) {
                return result;
            }
            if (result == Result.BACK_PRESSURED) {
                stats.backPressured.incrementAndGet();
            } else if (result == Result.NOT_CONNECTED) {
                stats.notConnected.incrementAndGet();
            } else if (result != Result.ADMIN_ACTION) {
                fail("offer returned " + Result.describe(result));
            }
            if (System.nanoTime() - deadline > 0) {
                fail("offer was refused for " + PATIENCE_NANOS / 1_000_000_000L + " s, last "
                    + Result.describe(result));
            }
            if (++spins < 50) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
    }

    /** Publishes {@code count} messages of {@code length} bytes, sequences from {@code first}. */
    static void publish(Publisher publisher, int id, long first, int count, int length, OfferStats stats) {
        for (long sequence = first; sequence < first + count; sequence++) {
            offer(publisher, message(id, sequence, length), stats);
        }
    }

    /** Polls until the collector holds {@code expected} messages; fails after {@link #PATIENCE_NANOS}. */
    static void receive(Subscriber subscriber, Collector collector, int expected) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (collector.count() < expected) {
            subscriber.await(collector, 256, 10_000_000L);
            if (System.nanoTime() - deadline > 0) {
                fail("received " + collector.count() + " of " + expected + " messages");
            }
        }
    }

    /** Polls until the collector holds exactly {@code expected} messages, never more (each poll's limit says so). */
    static void receiveExactly(Subscriber subscriber, Collector collector, int expected) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (collector.count() < expected) {
            subscriber.await(collector, Math.min(256, expected - collector.count()), 10_000_000L);
            if (System.nanoTime() - deadline > 0) {
                fail("received " + collector.count() + " of " + expected + " messages");
            }
        }
    }

    /** Polls for {@code nanos} more, for messages that should not come. */
    static void linger(Subscriber subscriber, Collector collector, long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (System.nanoTime() - deadline < 0) {
            subscriber.await(collector, 256, 5_000_000L);
        }
    }

    /**
     * Asserts that {@code keys} are, per publisher, the sequences 0, 1, 2... with none missing, {@code sent[p]}
     * of publisher {@code p}.
     */
    static void assertPerPublisherOrder(long[] keys, int[] sent) {
        long[] next = new long[sent.length];
        for (long key : keys) {
            int publisher = publisherOf(key);
            assertTrue(publisher < sent.length, "unknown publisher " + publisher);
            assertEquals(next[publisher], sequenceOf(key), "publisher " + publisher + " out of order or lost");
            next[publisher]++;
        }
        for (int publisher = 0; publisher < sent.length; publisher++) {
            assertEquals(sent[publisher], next[publisher], "messages of publisher " + publisher);
        }
    }

    /** Asserts that {@code keys} are, per publisher, the sequences 0, 1, 2... with none missing. */
    static void assertPerPublisherOrder(long[] keys, int publishers, long perPublisher) {
        int[] sent = new int[publishers];
        Arrays.fill(sent, Math.toIntExact(perPublisher));
        assertPerPublisherOrder(keys, sent);
    }
}
