package io.ringbus.core.topic;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.internal.ClaimIntent;
import io.ringbus.core.ring.internal.ClaimRecovery;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.internal.RingSlots;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Finds out whether the claim holding readers at a position belongs to a dead publisher and, if so,
 * turns it into padding. A publisher is dead when its slot's lock is free, its slot is FREE, or its
 * slot has a newer generation than the claim's owner id; never because of a timeout (a stopped
 * process still holds its lock).
 *
 * <p>The bus runs it on timers (a subscriber stuck at a claim, a publisher's sweep); it is public so
 * that the stress tests' fuzzers can run it at will. Not API (this package is not exported).
 */
public final class DeadClaims {
    private DeadClaims() {
    }

    /**
     * Pads the claim at {@code position} if its owner is dead.
     *
     * @return whether something was padded (readers can move on)
     */
    public static boolean recover(TopicFile topic, long position) {
        Ring ring = topic.ring();
        int owner = ClaimRecovery.ownerAt(ring, position);
        if (owner == ClaimRecovery.NOT_BLOCKED) {
            return false;
        }
        if (owner >= 0) {
            return isDead(topic, owner) && ClaimRecovery.padMarkedClaim(ring, position, owner);
        }
        return topic.producerMode() == ProducerMode.SINGLE
            ? recoverLastClaim(topic, position)
            : recoverFromIntents(topic, position);
    }

    /**
     * A claim with no marker on a single-producer topic. Its one publisher (slot 0) claims in order and
     * stores each claim's marker before it returns the claim, so only its last claim can lack one: the
     * first such record starts that claim, and the claim ends at the tail, which nobody else moves.
     * Pads {@code [position, tail)} when that publisher is dead. The tail is read before the lock: a
     * successor that takes the slot after the look claims only from the tail it finds, at or above it.
     */
    private static boolean recoverLastClaim(TopicFile topic, long position) {
        long tail = topic.ring().tail();
        if (position >= tail || topic.file().isLockHeld(TopicDescriptor.publisherLockByte(0))) {
            return false;
        }
        return ClaimRecovery.padUnmarkedRegion(topic.ring(), position, tail);
    }

    private static boolean isDead(TopicFile topic, int owner) {
        int slot = PublisherSlotDescriptor.slotOf(owner);
        if (slot >= topic.publisherSlots()) {
            return true;
        }
        MemorySegment header = topic.segment();
        long slotOffset = TopicDescriptor.publisherSlotOffset(slot);
        if (Memory.getIntVolatile(header, slotOffset + PublisherSlotDescriptor.STATE_OFFSET)
            == PublisherSlotDescriptor.FREE) {
            return true;
        }
        int generation = Memory.getIntVolatile(header, slotOffset + PublisherSlotDescriptor.GENERATION_OFFSET);
        if (PublisherSlotDescriptor.ownerId(slot, generation) != owner) {
            return true;
        }
        return !topic.file().isLockHeld(TopicDescriptor.publisherLockByte(slot));
    }

    /**
     * A claim with no marker: its owner died between winning the tail and storing the marker (or a
     * live owner is in that window right now). Pads only when exactly one publisher intended a claim
     * covering the position and that publisher is dead.
     */
    private static boolean recoverFromIntents(TopicFile topic, long position) {
        long end = -1;
        for (int slot = 0; slot < topic.publisherSlots(); slot++) {
            ClaimIntent intent = intentOf(topic, slot);
            long from = intent.position();
            int length = intent.length();
            if (from < 0 || length <= 0 || position < from || position >= from + length) {
                continue;
            }
            if (end >= 0 || topic.file().isLockHeld(TopicDescriptor.publisherLockByte(slot))) {
                return false;
            }
            end = from + length;
        }
        return end >= 0 && ClaimRecovery.padUnmarkedRegion(topic.ring(), position, end);
    }

    /**
     * Called by a publisher taking over the slot of a dead one (holding its lock): pads the part of
     * the dead publisher's last intended claim that it won but left without a marker. Marked and
     * committed parts are left alone (readers recover marked ones themselves).
     *
     * <p>The intent outlives the claim: when that claim was committed (the publisher died later, between
     * claims), the ring may since have wrapped over it, and the bytes at its offsets are later records
     * (or the middle of one). Only the part at or after the first pending record (the committed head,
     * advanced) can still be that claim: everything before it is committed, and producers never claim
     * more than a capacity past it, so nothing from it on has been overwritten.
     *
     * <p>A single-producer topic's publisher notes no intent: its last claim runs from the first record
     * without a marker (at or after the first pending record) to the tail.
     */
    public static void padIntentOfDeadPublisher(TopicFile topic, int slot) {
        Ring ring = topic.ring();
        long tail = ring.tail();
        if (topic.producerMode() == ProducerMode.SINGLE) {
            // No intent (see recoverLastClaim): the dead publisher's last claim is what lies between the
            // first record without a marker and the tail. Records before it are committed or marked
            // (readers pad those themselves).
            padFirstUnmarked(ring, RingSlots.advanceCommittedHead(ring, tail), tail, true);
            return;
        }
        ClaimIntent intent = intentOf(topic, slot);
        long from = intent.position();
        int length = intent.length();
        long end = from + length;
        if (from < 0 || length <= 0 || end > tail || !RecordDescriptor.isAligned(from)) {
            return;
        }
        long firstPending = RingSlots.advanceCommittedHead(ring, tail);
        if (end <= firstPending) {
            return;
        }
        padFirstUnmarked(ring, Math.max(from, firstPending), end, false);
    }

    /**
     * Walks the records of {@code [at, end)}, over committed ones, and pads from the first one without a
     * claim marker to {@code end}. Stops at a record of bad length; at a marked one too (its owner's
     * readers pad it themselves), unless {@code overMarked}.
     */
    private static void padFirstUnmarked(Ring ring, long at, long end, boolean overMarked) {
        while (at < end) {
            int owner = ClaimRecovery.ownerAt(ring, at);
            if (owner == ClaimRecovery.NO_MARKER) {
                ClaimRecovery.padUnmarkedRegion(ring, at, end);
                return;
            }
            if (owner != ClaimRecovery.NOT_BLOCKED && !overMarked) {
                return;
            }
            long record = ring.dataOffset() + (at & (ring.capacity() - 1));
            int recordLength = ring.segment().get(ValueLayout.JAVA_INT, record + RecordDescriptor.LENGTH_OFFSET);
            if (recordLength < 0 || recordLength > ring.capacity()) {
                return;
            }
            at += RecordDescriptor.recordLength(recordLength);
        }
    }

    /** The claim intent noted in publisher slot {@code slot} (see {@link ClaimIntent}). */
    private static ClaimIntent intentOf(TopicFile topic, int slot) {
        return new ClaimIntent(topic.segment(),
            TopicDescriptor.publisherSlotOffset(slot) + PublisherSlotDescriptor.INTENT_POSITION_OFFSET);
    }
}
