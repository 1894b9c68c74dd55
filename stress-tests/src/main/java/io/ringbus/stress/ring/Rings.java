package io.ringbus.stress.ring;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.Result;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingConfig;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What the ring stress tests share: a small ring in cheap memory, payloads that show tearing, and a
 * previous lap of stale records so that a reader trusting bytes from an earlier lap is caught.
 *
 * <p>A payload is a run of identical longs. A reader that finds them all equal saw one complete
 * write; anything else is {@link #TORN}. Every value a test writes is distinct from {@link #STALE},
 * from zero and from the sentinels below, so a delivered record names exactly which write it was.
 */
final class Rings {
    /** The smallest capacity a ring accepts: cheap to allocate and quick to lap. */
    static final int CAPACITY = 1024;
    /** Type id of every test message. */
    static final int TYPE = 7;
    /** Payload of the usual test message: five longs, a 64-byte record. */
    static final int PAYLOAD = 40;
    /** Bytes the usual test message takes in the ring. */
    static final int RECORD = RecordDescriptor.recordLength(PAYLOAD);
    /** Payload of a small message: two longs, a 32-byte record. */
    static final int SMALL_PAYLOAD = 16;

    /** Payload of every record written in the lap before the test: what a stale read returns. */
    static final long STALE = 0x5757_5757_5757_5757L;
    /** Not a payload: the longs of the payload differed (a torn or half-written record). */
    static final long TORN = 0x7077_7077_7077_7077L;
    /** Not a payload: the handler got a padding record (type {@link RecordDescriptor#PADDING_TYPE}). */
    static final long PADDING = 0x7AD0_7AD0_7AD0_7AD0L;
    /** Not a payload: the handler got a type or length no test writes. */
    static final long BAD_HEADER = 0x7BAD_7BAD_7BAD_7BADL;
    /** Not a payload: the poll threw {@link CorruptRingException} (a header changed under the reader). */
    static final long CORRUPT = 0x7C0C_7C0C_7C0C_7C0CL;

    private static final int MAX_CURSORS = 2;

    private Rings() {
    }

    /** A new ring of {@link #CAPACITY} bytes in memory the garbage collector frees. */
    static Ring newRing(ProducerMode mode, long initialPosition) {
        RingConfig config = new RingConfig().capacity(CAPACITY).producerMode(mode).initialPosition(initialPosition)
            .maxCursors(MAX_CURSORS);
        return Ring.format(Arena.ofAuto().allocate(config.requiredLength(), 64), config);
    }

    /**
     * Writes {@link #STALE} records of {@code payload} bytes from the tail up to {@code until}, with
     * no reader joined: the bytes a later lap's records land on then hold complete-looking records
     * (type, length and a commit stamp) of an earlier position.
     */
    static void prime(RingWriter writer, long tail, long until, int payload) {
        long next = tail;
        while (next < until) {
            long position = writer.tryClaim(TYPE, payload);
            if (position != next) {
                throw new IllegalStateException("priming claim at " + next + " returned "
                    + Result.describe(position));
            }
            fill(writer.buffer(), writer.payloadOffset(position), payload, STALE);
            writer.commit(position);
            next = position + RecordDescriptor.recordLength(payload);
        }
    }

    /** Claims a record, fills its payload with {@code value} and commits it; returns the claim's result. */
    static long write(RingWriter writer, int payload, long value) {
        long position = writer.tryClaim(TYPE, payload);
        if (position >= 0) {
            fill(writer.buffer(), writer.payloadOffset(position), payload, value);
            writer.commit(position);
        }
        return position;
    }

    /** Sets every long of {@code [offset, offset + length)} to {@code value}. */
    static void fill(MemorySegment buffer, long offset, int length, long value) {
        for (int i = 0; i < length; i += Long.BYTES) {
            buffer.set(ValueLayout.JAVA_LONG, offset + i, value);
        }
    }

    /** A payload of {@code length} bytes, every long of it {@code value}, for the copying offer. */
    static byte[] bytes(long value, int length) {
        MemorySegment segment = MemorySegment.ofArray(new byte[length]);
        for (int i = 0; i < length; i += Long.BYTES) {
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED, i, value);
        }
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * What a delivered message holds: its value when the header is one a test writes and every long
     * of the payload is equal, else {@link #PADDING}, {@link #BAD_HEADER} or {@link #TORN}.
     */
    static long classify(int typeId, MemorySegment buffer, long offset, int length) {
        if (typeId == RecordDescriptor.PADDING_TYPE) {
            return PADDING;
        }
        if (typeId != TYPE || length <= 0 || length % Long.BYTES != 0 || length > CAPACITY / 8) {
            return BAD_HEADER;
        }
        long value = buffer.get(ValueLayout.JAVA_LONG, offset);
        for (int i = Long.BYTES; i < length; i += Long.BYTES) {
            if (buffer.get(ValueLayout.JAVA_LONG, offset + i) != value) {
                return TORN;
            }
        }
        return value;
    }

    /**
     * Polls up to {@code limit} messages into {@code recorder}; a {@link CorruptRingException} (a record
     * header that changed under the reader) is recorded as {@link #CORRUPT} so that it is graded as an
     * outcome rather than ending the run. Returns whether the reader's position moved.
     */
    static boolean poll(RingReader reader, Recorder recorder, int limit) {
        long before = reader.position();
        try {
            reader.poll(recorder, limit);
        } catch (CorruptRingException e) {
            recorder.record(CORRUPT);
            return false;
        }
        return reader.position() != before;
    }

    /** Polls until a poll makes no progress; everything committed has been delivered then. */
    static void drain(RingReader reader, Recorder recorder) {
        for (int i = 0; i < 8; i++) {
            if (!poll(reader, recorder, Integer.MAX_VALUE)) {
                return;
            }
        }
    }

    /** Token for the values every test shares; {@code null} for a test's own values. */
    static String commonName(long value) {
        if (value == STALE) {
            return "stale";
        } else if (value == TORN) {
            return "torn";
        } else if (value == PADDING) {
            return "padding";
        } else if (value == BAD_HEADER) {
            return "badheader";
        } else if (value == CORRUPT) {
            return "corrupt";
        } else if (value == 0) {
            return "zero";
        }
        return null;
    }
}
