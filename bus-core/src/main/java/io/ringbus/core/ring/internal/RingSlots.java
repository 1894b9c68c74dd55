package io.ringbus.core.ring.internal;

import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import java.lang.invoke.MethodHandles;

/**
 * The slot-level entry points of a ring, for the topic layer and the ring's own tests: readers on a
 * cursor slot the caller has taken or inherited, writers whose claims name an owner and note their
 * intent, and the committed-head walk that dead-claim recovery runs. A program that uses a ring alone
 * needs none of them: {@link Ring#newWriter()} and {@link Ring#newReader()} take and release slots
 * themselves. Not API; may change without notice.
 *
 * <p>The code lives in {@code io.ringbus.core.ring}, package-private, next to the state it touches;
 * {@link Ring}'s static initialiser installs an {@link Access} to it here, once per class loader.
 */
public final class RingSlots {
    private static volatile Access access;

    private RingSlots() {
    }

    /**
     * What {@code io.ringbus.core.ring} provides behind the static methods of this class; each method
     * has the contract of the static method of the same name.
     */
    public interface Access {
        /** See {@link RingSlots#takeFreeSlot}. */
        int takeFreeSlot(Ring ring);

        /** See {@link RingSlots#join}. */
        RingReader join(Ring ring, int slotIndex, boolean earliest, boolean alwaysValidate);

        /** See {@link RingSlots#attach}. */
        RingReader attach(Ring ring, int slotIndex, boolean alwaysValidate);

        /** See {@link RingSlots#attachEvicted}. */
        RingReader attachEvicted(Ring ring, int slotIndex, boolean alwaysValidate);

        /** See {@link RingSlots#detach}. */
        void detach(RingReader reader);

        /** See {@link RingSlots#newWriter}. */
        RingWriter newWriter(Ring ring, int ownerId, ClaimIntent intent);

        /** See {@link RingSlots#advanceCommittedHead}. */
        long advanceCommittedHead(Ring ring, long upTo);
    }

    /**
     * Installs the ring package's implementation. Called by {@link Ring}'s static initialiser.
     *
     * @throws IllegalStateException when one is installed already
     */
    public static void install(Access implementation) {
        synchronized (RingSlots.class) {
            if (access != null) {
                throw new IllegalStateException("RingSlots access is installed already");
            }
            access = implementation;
        }
    }

    /**
     * Takes a free cursor slot of {@code ring}: compare-and-sets its state from FREE to JOINING and
     * raises the cursor high mark to cover it.
     *
     * @return the slot's index, which the caller then owns
     * @throws io.ringbus.core.RingBusException when every cursor slot is taken
     */
    public static int takeFreeSlot(Ring ring) {
        return access().takeFreeSlot(ring);
    }

    /**
     * A reader on slot {@code slotIndex}, which the caller has taken (state JOINING, or EVICTED from
     * a predecessor), joined at the tail or at the oldest record still in the ring. On failure the
     * slot is set FREE again.
     *
     * @param earliest start at the oldest committed record still in the ring instead of the tail
     * @param alwaysValidate read every record by validated copy (for readers that producers may evict)
     * @throws io.ringbus.core.CorruptRingException when the tail or committed head is scribbled
     */
    public static RingReader join(Ring ring, int slotIndex, boolean earliest, boolean alwaysValidate) {
        return access().join(ring, slotIndex, earliest, alwaysValidate);
    }

    /**
     * A reader that continues on slot {@code slotIndex}, which is ACTIVE and whose position has held
     * producers back all along (a durable reader whose previous owner died or closed). The caller
     * owns the slot; nothing in shared memory changes.
     *
     * @throws io.ringbus.core.CorruptRingException when the slot's position is not a record boundary
     *     within one capacity below the tail
     */
    public static RingReader attach(Ring ring, int slotIndex, boolean alwaysValidate) {
        return access().attach(ring, slotIndex, alwaysValidate);
    }

    /**
     * A reader that takes back slot {@code slotIndex}, which producers evicted (state EVICTED), for its
     * owner's successor. Call {@link RingReader#rejoin()} next: it resumes at the stored position if
     * that is still in the ring and reports the bytes skipped otherwise.
     */
    public static RingReader attachEvicted(Ring ring, int slotIndex, boolean alwaysValidate) {
        return access().attachEvicted(ring, slotIndex, alwaysValidate);
    }

    /**
     * Stops {@code reader} without releasing its slot: the slot stays ACTIVE at its last stored
     * position, holding producers back for a durable successor ({@link #attach}). The reader is then
     * closed; its {@link RingReader#close()} does nothing.
     */
    public static void detach(RingReader reader) {
        access().detach(reader);
    }

    /**
     * A writer of the ring's own producer mode whose claim markers name {@code ownerId} (a publisher
     * slot index, so recovery can tell whose claim a stuck record is), and which notes each claim in
     * {@code intent} before it takes the tail.
     *
     * @param ownerId a non-negative owner id, or {@link io.ringbus.core.ring.RecordDescriptor#NO_OWNER}
     * @param intent where claims are noted, or null for none
     * @throws IllegalArgumentException when {@code ownerId} is negative
     */
    public static RingWriter newWriter(Ring ring, int ownerId, ClaimIntent intent) {
        return access().newWriter(ring, ownerId, intent);
    }

    /**
     * Advances the ring's committed head toward {@code upTo} by walking commit stamps from it (at most
     * {@code upTo - head} bytes of records) and returns where the walk stopped: {@code upTo}, or the
     * position of the first record not yet committed, or of a record whose length cannot be right.
     *
     * @throws io.ringbus.core.CorruptRingException when the stored head is not a record boundary
     */
    public static long advanceCommittedHead(Ring ring, long upTo) {
        return access().advanceCommittedHead(ring, upTo);
    }

    private static Access access() {
        Access installed = access;
        if (installed == null) {
            // Every caller holds a Ring, so Ring's initialiser has run; this thread may not have seen its
            // store yet (a Ring handed over without synchronisation). Initialisation is a synchronisation
            // point: once ensureInitialized returns, the store is visible.
            try {
                MethodHandles.lookup().ensureInitialized(Ring.class);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            installed = access;
        }
        return installed;
    }
}
