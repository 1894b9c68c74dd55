package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Result;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A single-threaded test bench around one ring: it writes records whose bytes derive from their
 * sequence number, keeps an independent model of where every record must land (tail, padding at the
 * wrap, back-pressure by the slowest open reader, the 2^63 limit), and checks each writer result,
 * each delivered message and each reader position against that model.
 *
 * <p>The model follows the layout rules of {@link RecordDescriptor} (16-byte header, 16-byte
 * alignment, a record never straddles the end of the data area) and the contract of
 * {@link RingWriter} and {@link RingReader}; it never asks the ring where things should be.
 */
final class RingHarness implements AutoCloseable {
    /** How a record is written. */
    enum Via {
        BYTES, SEGMENT, CLAIM
    }

    /** One claimed record, in claim order. */
    static final class Sent {
        final long seq;
        final int typeId;
        final int length;
        final long claimStart;
        final long position;
        boolean committed;
        boolean aborted;

        Sent(long seq, int typeId, int length, long claimStart, long position) {
            this.seq = seq;
            this.typeId = typeId;
            this.length = length;
            this.claimStart = claimStart;
            this.position = position;
        }

        long end() {
            return position + RecordDescriptor.recordLength(length);
        }
    }

    final Arena arena;
    final Ring ring;
    final int capacity;
    final long mask;
    final List<Sent> sent = new ArrayList<>();
    final List<Tracked> readers = new ArrayList<>();
    long modelTail;
    private final byte[] scratch;
    private final MemorySegment scratchSegment;

    RingHarness(RingConfig config) {
        this(Arena.ofConfined(), config);
    }

    RingHarness(Arena arena, RingConfig config) {
        this.arena = arena;
        this.ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
        this.capacity = ring.capacity();
        this.mask = capacity - 1;
        this.modelTail = config.initialPosition();
        this.scratch = new byte[ring.maxMessageLength() + 64];
        this.scratchSegment = arena.allocate(ring.maxMessageLength() + 64L);
        assertEquals(modelTail, ring.tail());
    }

    /** The byte at {@code index} of the payload of record {@code seq}: differs between neighbours. */
    static byte payloadByte(long seq, int index) {
        long x = seq * 0x9E3779B97F4A7C15L + index * 0xC2B2AE3D27D4EB4FL;
        return (byte) (x ^ (x >>> 29) ^ (x >>> 47));
    }

    /** A non-negative type id that varies with the sequence, including 0 and large values. */
    static int typeFor(long seq) {
        return seq % 5 == 0 ? (int) (seq % 3) : (int) ((seq * 2654435761L) >>> 33);
    }

    /** Bytes a claim of a record of {@code recordLength} at {@code tail} takes, padding included. */
    static long claimLength(long tail, int recordLength, int capacity) {
        int toEnd = capacity - (int) (tail & (capacity - 1));
        return recordLength <= toEnd ? recordLength : (long) toEnd + recordLength;
    }

    /** The lowest position of the open tracked readers, or the tail when none is open. */
    long slowest() {
        long min = modelTail;
        for (Tracked reader : readers) {
            if (!reader.closed) {
                min = Math.min(min, reader.modelPosition);
            }
        }
        return min;
    }

    /** What a claim of {@code length} must return now: a position, or a refusal code. */
    long expectedClaim(int length) {
        long claim = claimLength(modelTail, RecordDescriptor.recordLength(length), capacity);
        if (modelTail > Long.MAX_VALUE - claim) {
            return Result.MAX_POSITION_EXCEEDED;
        }
        if (claim > slowest() + capacity - modelTail) {
            return Result.BACK_PRESSURED;
        }
        return modelTail + claim - RecordDescriptor.recordLength(length);
    }

    /** Writes the next record, committed, and checks the result against the model. */
    long offer(RingWriter writer, int length, Via via) {
        long seq = sent.size();
        int typeId = typeFor(seq);
        long expected = expectedClaim(length);
        long result;
        switch (via) {
            case BYTES -> {
                int offset = (int) (seq % 13);
                for (int i = 0; i < length; i++) {
                    scratch[offset + i] = payloadByte(seq, i);
                }
                result = writer.offer(typeId, scratch, offset, length);
            }
            case SEGMENT -> {
                long offset = seq % 11;
                for (int i = 0; i < length; i++) {
                    scratchSegment.set(ValueLayout.JAVA_BYTE, offset + i, payloadByte(seq, i));
                }
                result = writer.offer(typeId, scratchSegment, offset, length);
            }
            case CLAIM -> {
                result = writer.tryClaim(typeId, length);
                if (result >= 0) {
                    writePayload(writer, result, seq, length);
                    writer.commit(result);
                }
            }
            default -> throw new AssertionError(via);
        }
        assertEquals(expected, result, () -> "offer of " + length + " bytes at tail " + modelTail + ", slowest "
            + slowest() + ": expected " + Result.describe(expected) + ", got " + Result.describe(result));
        if (result >= 0) {
            Sent s = record(seq, typeId, length, result);
            s.committed = true;
        }
        assertEquals(modelTail, ring.tail(), "tail after offer");
        return result;
    }

    /** Claims the next record without committing it; writes its payload. Null when refused. */
    Sent claim(RingWriter writer, int length) {
        long seq = sent.size();
        int typeId = typeFor(seq);
        long expected = expectedClaim(length);
        long result = writer.tryClaim(typeId, length);
        assertEquals(expected, result, () -> "claim: expected " + Result.describe(expected) + ", got "
            + Result.describe(result));
        if (result < 0) {
            return null;
        }
        writePayload(writer, result, seq, length);
        return record(seq, typeId, length, result);
    }

    void commit(RingWriter writer, Sent s) {
        writer.commit(s.position);
        s.committed = true;
    }

    void abort(RingWriter writer, Sent s) {
        writer.abort(s.position);
        s.committed = true;
        s.aborted = true;
    }

    private Sent record(long seq, int typeId, int length, long position) {
        long claimStart = modelTail;
        Sent s = new Sent(seq, typeId, length, claimStart, position);
        sent.add(s);
        modelTail = s.end();
        return s;
    }

    private void writePayload(RingWriter writer, long position, long seq, int length) {
        long at = writer.payloadOffset(position);
        assertEquals(ring.dataOffset() + (position & mask) + RecordDescriptor.HEADER_LENGTH, at, "payloadOffset");
        MemorySegment buffer = writer.buffer();
        for (int i = 0; i < length; i++) {
            buffer.set(ValueLayout.JAVA_BYTE, at + i, payloadByte(seq, i));
        }
    }

    /** A new reader joining now, checked from the next record on. */
    Tracked join() {
        Tracked reader = new Tracked(ring.newReader());
        readers.add(reader);
        return reader;
    }

    /** Polls every open reader until each has delivered everything committed. */
    void drainAll() {
        for (Tracked reader : readers) {
            if (!reader.closed) {
                reader.drain();
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }

    /** A reader whose every delivery is checked against the records sent after it joined. */
    final class Tracked implements MessageHandler {
        final RingReader reader;
        /** Index in {@link #sent} of the next record this reader reaches. */
        int next;
        long modelPosition;
        long delivered;
        boolean closed;
        private List<Integer> pending = List.of();
        private int expectedIndex;

        Tracked(RingReader reader) {
            this.reader = reader;
            // A reader starts at the tail, or at the first claim still pending (after its padding,
            // which is committed with the claim): it never starts above a pending claim.
            int firstPending = sent.size();
            for (int i = 0; i < sent.size(); i++) {
                if (!sent.get(i).committed) {
                    firstPending = i;
                    break;
                }
            }
            this.next = firstPending;
            this.modelPosition = firstPending < sent.size() ? sent.get(firstPending).position : modelTail;
            assertEquals(modelPosition, reader.position(), "a reader starts at the first pending claim, else the tail");
        }

        /** Polls once and checks the count, every message and the new position against the model. */
        int poll(int limit) {
            long start = modelPosition;
            long position = start;
            int index = next;
            int count = 0;
            List<Integer> expected = new ArrayList<>();
            while (count < limit && position - start < capacity && index < sent.size()) {
                Sent s = sent.get(index);
                if (position == s.claimStart && s.position != s.claimStart) {
                    position = s.position;
                    continue;
                }
                if (!s.committed) {
                    break;
                }
                position = s.end();
                if (!s.aborted) {
                    expected.add(index);
                    count++;
                }
                index++;
            }
            expectedIndex = 0;
            pending = expected;
            int polled = reader.poll(this, limit);
            assertEquals(count, polled, () -> "messages delivered by poll(" + limit + ")");
            assertEquals(expected.size(), expectedIndex, "handler calls");
            assertEquals(position, reader.position(), "reader position after poll");
            long slot = RingDescriptor.cursorOffset(reader.slotIndex()) + CursorDescriptor.POSITION_OFFSET;
            assertEquals(position, ring.segment().get(ValueLayout.JAVA_LONG, slot), "cursor slot after poll");
            modelPosition = position;
            next = index;
            delivered += count;
            return polled;
        }

        /** Polls until the reader stops moving: one poll reads at most one capacity. */
        void drain() {
            long before;
            do {
                before = modelPosition;
                poll(Integer.MAX_VALUE);
            } while (modelPosition != before);
        }

        void close() {
            reader.close();
            closed = true;
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            assertTrue(expectedIndex < pending.size(), "more messages than committed");
            Sent s = sent.get(pending.get(expectedIndex++));
            assertEquals(s.typeId, typeId, () -> "type of record " + s.seq);
            assertEquals(s.length, length, () -> "length of record " + s.seq);
            assertEquals(ring.dataOffset() + (s.position & mask) + RecordDescriptor.HEADER_LENGTH, offset,
                () -> "payload offset of record " + s.seq);
            for (int i = 0; i < length; i++) {
                byte b = buffer.get(ValueLayout.JAVA_BYTE, offset + i);
                if (b != payloadByte(s.seq, i)) {
                    fail("record " + s.seq + " at position " + s.position + ": payload byte " + i + " is " + b
                        + ", expected " + payloadByte(s.seq, i));
                }
            }
        }
    }
}
