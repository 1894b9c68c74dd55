package io.ringbus.stress.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Result;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.core.ring.Ring;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** What every fuzz target checks of a valid result. */
final class Checks {
    private Checks() {
    }

    /** A claim or offer result: a position, or one of the flow-control codes (never an unknown code). */
    static void result(long result) {
        assertTrue(result >= 0 || result == Result.BACK_PRESSURED || result == Result.MAX_POSITION_EXCEEDED
            || result == Result.NOT_CONNECTED || result == Result.CLOSED, "unexpected result " + result);
    }

    /**
     * A handler that checks each delivered message lies inside {@code ring}'s data area, within the
     * maximum length, with a message type, and reads every byte of it (so an out-of-range view faults).
     */
    static MessageHandler inRange(Ring ring) {
        long dataStart = ring.dataOffset() + RecordDescriptor.HEADER_LENGTH;
        long dataEnd = ring.dataOffset() + ring.capacity();
        return (type, buffer, offset, length) -> {
            assertTrue(type >= 0, "delivered type " + type);
            assertTrue(length >= 0 && length <= ring.maxMessageLength(), "delivered length " + length);
            if (buffer.address() == ring.segment().address()) {
                assertTrue(offset >= dataStart && offset + length <= dataEnd,
                    "payload [" + offset + ", " + (offset + length) + ") outside the data area");
            } else {
                // A copy starts at 0, or at 8 past the publish time on a timestamped topic: in range is what counts.
                assertTrue(offset >= 0 && offset <= buffer.byteSize() - length, "copied payload out of its buffer");
            }
            touch(buffer, offset, length);
        };
    }

    private static void touch(MemorySegment buffer, long offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i++) {
            sum += buffer.get(ValueLayout.JAVA_BYTE, offset + i);
        }
        if (sum == Long.MIN_VALUE) {
            throw new IllegalStateException("unreachable");
        }
    }
}
