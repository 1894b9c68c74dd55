package io.ringbus.examples.cli;

import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.core.ring.Ring;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The rates of one topic between two refreshes of {@code bus stat --watch}: bytes per second from the
 * tail's movement (ring bytes: headers and alignment included), messages per second by walking the
 * record headers the tail passed over since the last refresh, read-only.
 *
 * <p>A header is trusted only while its commit stamp names its position, before and after it is read,
 * so a record not yet committed or overwritten by a later lap ends the walk (the walk resumes there
 * next time). When the publishers went more than a ring ahead between two refreshes, the records in
 * between are gone: the meter follows the publishers for up to 5 ms to sample their records, estimates
 * the number from the mean record length seen so far, and marks the rate as estimated.
 */
final class TopicRates {
    private static final long PROBE_NANOS = 5_000_000L;
    private static final long PROBE_MESSAGES = 4096;

    private final long createdMillis;
    private long lastTail = -1;
    private long lastNanos;
    private long walkedTo;
    private long walkedBytes;
    private long walkedMessages;
    /** Messages a probe counted past the last reading's tail: they belong to the next interval. */
    private long carried;

    /** Rates over one interval; {@code messagesPerSecond} is negative when it cannot be told. */
    record Rates(double messagesPerSecond, double bytesPerSecond, boolean estimated) {
    }

    TopicRates(long createdMillis) {
        this.createdMillis = createdMillis;
    }

    /** Whether this meter belongs to a topic file created at {@code millis} (not one made anew since). */
    boolean sameTopic(long millis) {
        return createdMillis == millis;
    }

    /**
     * Takes a new reading of the ring; the rates since the previous one, or null on the first reading
     * (or when the tail went back, which only a topic made anew does).
     */
    Rates update(Ring ring, long tail, long nanos) {
        if (lastTail < 0 || tail < lastTail) {
            lastTail = tail;
            lastNanos = nanos;
            walkedTo = tail;
            return null;
        }
        double seconds = Math.max(1e-9, (nanos - lastNanos) / 1e9);
        long bytes = tail - lastTail;
        long messages = 0;
        boolean estimated = false;
        if (walkedTo < tail - ring.capacity()) {
            // Overwritten before they could be counted: restart at the tail (a record boundary), sample the
            // records that follow it for their mean length, and estimate from that.
            walkedTo = tail;
            carried = 0;
            probe(ring);
            messages = walkedMessages == 0 ? -1 : Math.round(bytes * (double) walkedMessages / walkedBytes);
            estimated = true;
        } else {
            messages = carried + count(ring, tail);
            carried = 0;
        }
        lastTail = tail;
        lastNanos = nanos;
        return new Rates(messages < 0 ? -1 : messages / seconds, bytes / seconds, estimated);
    }

    /** {@link #walk} that also keeps the totals the mean record length comes from. */
    private long count(Ring ring, long tail) {
        long from = walkedTo;
        long counted = walk(ring, tail);
        walkedBytes += walkedTo - from;
        walkedMessages += counted;
        return counted;
    }

    /**
     * Follows the publishers for a moment (up to {@link #PROBE_NANOS} or {@link #PROBE_MESSAGES}
     * messages) to learn their mean record length when they run more than a ring ahead of the refreshes.
     */
    private void probe(Ring ring) {
        long deadline = System.nanoTime() + PROBE_NANOS;
        long seen = 0;
        while (seen < PROBE_MESSAGES && System.nanoTime() < deadline) {
            long before = walkedTo;
            seen += count(ring, ring.tail());
            if (walkedTo < ring.tail() - ring.capacity()) {
                walkedTo = ring.tail(); // overtaken even now: start again at a boundary
            } else if (walkedTo == before) {
                Thread.onSpinWait();
            }
        }
        carried = seen;
    }

    /** Counts the committed messages in {@code [walkedTo, tail)}, moving {@code walkedTo} past them. */
    private long walk(Ring ring, long tail) {
        MemorySegment segment = ring.segment();
        long dataOffset = ring.dataOffset();
        int capacity = ring.capacity();
        long mask = capacity - 1;
        long position = walkedTo;
        long messages = 0;
        while (position < tail) {
            long offset = position & mask;
            long record = dataOffset + offset;
            long stamp = Memory.getLongAcquire(segment, record + RecordDescriptor.STAMP_OFFSET);
            boolean recovered = stamp == ring.recoveredStampOf(position);
            if (stamp != ring.stampOf(position) && !recovered) {
                break; // not committed yet, or a later lap's
            }
            int length = segment.get(ValueLayout.JAVA_INT, record + RecordDescriptor.LENGTH_OFFSET);
            int type = segment.get(ValueLayout.JAVA_INT, record + RecordDescriptor.TYPE_OFFSET);
            VarHandle.loadLoadFence();
            if (Memory.getLongVolatile(segment, record + RecordDescriptor.STAMP_OFFSET) != stamp
                || length < 0 || length > capacity - offset - RecordDescriptor.HEADER_LENGTH) {
                break;
            }
            position += RecordDescriptor.recordLength(length);
            if (!recovered && type >= 0) {
                messages++;
            }
        }
        walkedTo = position;
        return messages;
    }
}
