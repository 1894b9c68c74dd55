package io.ringbus.stress.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.RingBusException;
import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingConfig;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.core.ring.internal.ClaimRecovery;
import io.ringbus.core.ring.internal.RingSlots;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * What a hostile peer writes into a live ring: record headers (lengths, types, and stamp fields set
 * to this position's stamp, recovered stamp or claim marker, another lap's, or noise), cursor
 * slots (positions and states), the tail, the committed head, the cursor high mark, raw bytes. The
 * ring starts valid, with readers joined, records written, some claims left pending and some
 * aborted; after the damage, random operations run: polls, joins, attaches (durable resume),
 * evicted rejoins, offers, claims, commits and aborts, committed-head walks, and claim recovery
 * ({@link ClaimRecovery}) at fuzzed positions.
 *
 * <p>Each operation must return a valid result or throw a typed error ({@link RingBusException}),
 * after which the input goes on with the next one. Valid means: a delivered message lies in the
 * data area within the maximum length, a poll moves the cursor forward by less than two
 * capacities and stays on a record boundary, a claim returns a position or a flow-control code.
 */
final class RingRecordFuzz implements FuzzTarget {
    private static final int MAX_CAPACITY = 2048;
    private static final int MAX_CURSORS = 4;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory = arena.allocate(RingDescriptor.requiredLength(MAX_CAPACITY, MAX_CURSORS), 64);
    private long operations;
    private long rejections;

    @Override
    public String name() {
        return "ring-records";
    }

    @Override
    public void fuzzOne(FuzzInput in) {
        RingConfig config = Shapes.ringConfig(in, MAX_CAPACITY, MAX_CURSORS);
        Ring ring = Ring.format(memory.asSlice(0, config.requiredLength()), config);
        int owner = in.oneIn(3) ? RecordDescriptor.NO_OWNER : in.nextInt(1 << 20);
        Live live = new Live(ring, RingSlots.newWriter(ring, owner, null), owner, Checks.inRange(ring));
        for (int i = in.nextInt(MAX_CURSORS); i > 0; i--) {
            op(in, () -> live.readers.add(RingSlots.join(ring, RingSlots.takeFreeSlot(ring), in.oneIn(2),
                in.oneIn(3))));
        }
        for (int i = in.nextInt(80); i > 0; i--) {
            op(in, () -> write(in, live));
            if (in.oneIn(4)) {
                op(in, () -> poll(in, live));
            }
        }
        for (int i = 1 + in.nextInt(6); i > 0; i--) {
            damage(in, live);
        }
        for (int i = 3 + in.nextInt(10); i > 0; i--) {
            op(in, () -> operate(in, live));
        }
    }

    @Override
    public String stats() {
        return String.format("%,d operations, %,d typed rejections", operations, rejections);
    }

    /** What one input keeps: the ring, its one writer of record, readers, pending claims. */
    private static final class Live {
        final Ring ring;
        final RingWriter writer;
        final int owner;
        final MessageHandler handler;
        final List<RingReader> readers = new ArrayList<>();
        final List<Long> pending = new ArrayList<>();

        Live(Ring ring, RingWriter writer, int owner, MessageHandler handler) {
            this.ring = ring;
            this.writer = writer;
            this.owner = owner;
            this.handler = handler;
        }
    }

    private void op(FuzzInput in, Runnable operation) {
        operations++;
        try {
            operation.run();
        } catch (RingBusException typed) {
            rejections++;
            in.note("  -> " + typed.getClass().getSimpleName());
        }
    }

    private static void write(FuzzInput in, Live live) {
        int length = in.oneIn(4) ? live.ring.maxMessageLength() : in.nextInt(live.ring.maxMessageLength() + 1);
        int type = in.nextInt(100);
        switch (in.nextInt(8)) {
            case 0 -> {
                long position = live.writer.tryClaim(type, length);
                Checks.result(position);
                if (position >= 0) {
                    live.pending.add(position);
                    in.note("claim " + length + " at " + position + " left pending");
                }
            }
            case 1 -> {
                long position = live.writer.tryClaim(type, length);
                Checks.result(position);
                if (position >= 0) {
                    live.writer.abort(position);
                }
            }
            default -> Checks.result(live.writer.offer(type, new byte[length], 0, length));
        }
    }

    private static void poll(FuzzInput in, Live live) {
        if (live.readers.isEmpty()) {
            return;
        }
        RingReader reader = live.readers.get(in.nextInt(live.readers.size()));
        poll(in, live.ring, reader, live.handler);
    }

    /** One poll, checked: a count within the limit, a bounded forward move on record boundaries. */
    private static void poll(FuzzInput in, Ring ring, RingReader reader, MessageHandler handler) {
        int limit = in.oneIn(3) ? Integer.MAX_VALUE : in.nextInt(8);
        long before = reader.position();
        try {
            int count = reader.poll(handler, limit);
            assertTrue(count >= 0 && count <= Math.max(0, limit), "poll count " + count);
        } finally {
            long moved = reader.position() - before;
            assertTrue(moved >= 0 && moved < 2L * ring.capacity(), "reader moved by " + moved);
            assertTrue(RecordDescriptor.isAligned(reader.position()) || !RecordDescriptor.isAligned(before),
                "reader left the record boundaries at " + reader.position());
        }
    }

    /** A position worth damaging: near a reader, the tail, a pending claim, or anywhere in a lap. */
    private static long target(FuzzInput in, Live live) {
        long base = switch (in.nextInt(4)) {
            case 0 -> live.readers.isEmpty() ? live.ring.tail() : live.readers.get(0).position();
            case 1 -> live.pending.isEmpty() ? live.ring.tail() : live.pending.get(in.nextInt(live.pending.size()));
            case 2 -> live.ring.committedHead();
            default -> live.ring.tail() - live.ring.capacity();
        };
        return (base + 16L * in.nextInt(-8, 24)) & -16L;
    }

    private static void damage(FuzzInput in, Live live) {
        Ring ring = live.ring;
        MemorySegment segment = ring.segment();
        switch (in.nextInt(9)) {
            case 0, 1, 2 -> {
                long position = target(in, live);
                long record = ring.dataOffset() + (position & (ring.capacity() - 1));
                switch (in.nextInt(3)) {
                    case 0 -> in.mutateInt(segment, record + RecordDescriptor.LENGTH_OFFSET, "length of " + position);
                    case 1 -> in.mutateInt(segment, record + RecordDescriptor.TYPE_OFFSET, "type of " + position);
                    default -> {
                        long stamp = switch (in.nextInt(7)) {
                            case 0 -> ring.stampOf(position);
                            case 1 -> ring.recoveredStampOf(position);
                            case 2 -> ring.claimMarkerOf(position, live.owner);
                            case 3 -> ring.claimMarkerOf(position, in.nextInt() & Integer.MAX_VALUE);
                            case 4 -> ring.stampOf(position + (in.oneIn(2) ? 1L : -1L) * ring.capacity());
                            case 5 -> 0;
                            default -> in.nextLong();
                        };
                        segment.set(ValueLayout.JAVA_LONG, record + RecordDescriptor.STAMP_OFFSET, stamp);
                        in.note("stamp field of " + position + " = 0x" + Long.toHexString(stamp));
                    }
                }
            }
            case 3 -> {
                long slot = RingDescriptor.cursorOffset(in.nextInt(ring.maxCursors()));
                if (in.oneIn(2)) {
                    in.mutateLong(segment, slot + CursorDescriptor.POSITION_OFFSET, "cursor position");
                } else {
                    in.mutateInt(segment, slot + CursorDescriptor.STATE_OFFSET, "cursor state");
                }
            }
            case 4 -> in.mutateLong(segment, RingDescriptor.TAIL_OFFSET, "tail");
            case 5 -> in.mutateLong(segment, RingDescriptor.COMMITTED_HEAD_OFFSET, "committed head");
            case 6 -> in.mutateInt(segment, RingDescriptor.CURSOR_HIGH_MARK_OFFSET, "cursor high mark");
            case 7 -> in.scribble(segment, ring.dataOffset(), ring.dataOffset() + ring.capacity(), "data");
            default -> in.scribble(segment, RingDescriptor.CURSORS_OFFSET, ring.dataOffset(), "cursor slots");
        }
    }

    private static void operate(FuzzInput in, Live live) {
        Ring ring = live.ring;
        switch (in.nextInt(12)) {
            case 0, 1, 2 -> poll(in, live);
            case 3 -> {
                in.note("join and poll");
                try (RingReader reader = RingSlots.join(ring, RingSlots.takeFreeSlot(ring), in.oneIn(2),
                    in.oneIn(2))) {
                    poll(in, ring, reader, live.handler);
                }
            }
            case 4 -> {
                int slot = in.nextInt(ring.maxCursors());
                in.note("attach slot " + slot + " and poll");
                RingReader reader = RingSlots.attach(ring, slot, in.oneIn(2));
                poll(in, ring, reader, live.handler);
                RingSlots.detach(reader);
            }
            case 5 -> {
                int slot = in.nextInt(ring.maxCursors());
                in.note("attach evicted slot " + slot + ", rejoin and poll");
                RingReader reader = RingSlots.attachEvicted(ring, slot, true);
                long skipped = reader.rejoin();
                assertTrue(skipped >= 0, "rejoin skipped " + skipped);
                poll(in, ring, reader, live.handler);
                RingSlots.detach(reader);
            }
            case 6 -> {
                in.note("write");
                write(in, live);
            }
            case 7 -> {
                if (!live.pending.isEmpty()) {
                    long position = live.pending.remove(in.nextInt(live.pending.size()));
                    in.note("finish pending claim at " + position);
                    if (in.oneIn(2)) {
                        live.writer.commit(position);
                    } else {
                        live.writer.abort(position);
                    }
                }
            }
            case 8 -> {
                long tail = ring.tail();
                long upTo = in.oneIn(2) ? tail : in.interestingLong(tail);
                in.note("advance committed head to " + upTo);
                long head = RingSlots.advanceCommittedHead(ring, upTo);
                assertTrue(head <= Math.max(upTo, ring.committedHead()), "head walk passed its bound: " + head);
            }
            case 9 -> {
                long position = target(in, live);
                in.note("owner at " + position + " and pad it");
                int owner = ClaimRecovery.ownerAt(ring, position);
                assertTrue(owner >= ClaimRecovery.NO_MARKER, "owner " + owner);
                if (owner >= 0) {
                    ClaimRecovery.padMarkedClaim(ring, position, owner);
                }
            }
            case 10 -> {
                long from = in.oneIn(2) ? target(in, live) : in.interestingLong(ring.tail());
                long end = in.oneIn(2) ? from + 16L * in.nextInt(1, 200) : in.interestingLong(ring.tail());
                in.note("pad unmarked region [" + from + ", " + end + ")");
                ClaimRecovery.padUnmarkedRegion(ring, from, end);
            }
            default -> {
                int active = ring.activeCursors();
                assertTrue(active >= 0 && active <= ring.maxCursors(), "active cursors " + active);
                if (ring.producerMode() == ProducerMode.MANY) {
                    in.note("second writer writes");
                    RingWriter other = RingSlots.newWriter(ring, in.nextInt(1 << 20), null);
                    Checks.result(other.offer(1, new byte[8], 0, Math.min(8, ring.maxMessageLength())));
                }
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
