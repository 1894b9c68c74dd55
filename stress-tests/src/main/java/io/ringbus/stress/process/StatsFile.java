package io.ringbus.stress.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One child process's figures, in a small file both it and the harness map: the child stores, the
 * harness reads whenever it likes (progress, unblock times, the final sums). What a child stored
 * before a kill -9 is still there afterwards, so a killed process's figures are exact to its last
 * message, and a durable subscriber's file doubles as its ledger: the next incarnation of the same
 * name continues it.
 *
 * <pre>
 *   0: magic "RBST" (int) | 4: kind (int) | 8: heartbeat (long, System.nanoTime after each call returned)
 *   16: state (int) | 20: publisher id (int) | 24: started (long, nanoTime: publisher's first claim,
 *       subscriber's completed join) | 32..: counters, one long each (below)
 *   SUBSCRIBER_ARRAYS: next[MAX_IDS], first[MAX_IDS], resumedAt[MAX_IDS], noticesAtLast[MAX_IDS],
 *       noticesAtFirst[MAX_IDS] (longs, by publisher id)
 * </pre>
 *
 * <p>Counters: publishers store {@link #COMMITTED} (messages whose offer returned: the ledger, stored
 * right after each offer), {@link #SENT} (sequence numbers begun, including one in flight) and
 * {@link #BACK_PRESSURED}. Subscribers store {@link #RECEIVED}, {@link #GAPS}, {@link #DUPLICATED},
 * {@link #OUT_OF_ORDER}, {@link #TORN}, {@link #WINDOW_REPEATS}, {@link #LAST} (publisher id and
 * sequence of the last message accepted, packed), {@link #INCARNATIONS}, {@link #RESUME_GAPS} (stream
 * paths: messages a durable incarnation found missing at its first message of a publisher after a
 * resume), {@link #NOTICES} and {@link #ANNOUNCED_LOST} ({@code --via aeron}: the importer's loss notices
 * received, and the messages missing right after one); and per publisher id {@code next} (highest sequence
 * accepted + 1, 0 for none), {@code first} (first sequence accepted + 1), {@code resumedAt} ({@code next} + 1
 * when the last durable resume began, 0 for none), and {@code noticesAtLast} and {@code noticesAtFirst}
 * ({@link #NOTICES} when its last and its first message were accepted: a gap after a later notice is announced).
 * Every store is a release store; the harness reads with acquire.
 */
final class StatsFile implements AutoCloseable {
    static final int MAGIC = 0x54534252; // "RBST" little-endian
    static final int PUBLISHER = 1;
    static final int SUBSCRIBER = 2;
    /** Publisher ids run from 1 to MAX_IDS - 1. */
    static final int MAX_IDS = 16384;

    static final int MAGIC_OFFSET = 0;
    static final int KIND_OFFSET = 4;
    static final int HEARTBEAT = 8;
    static final int STATE_OFFSET = 16;
    static final int ID_OFFSET = 20;
    static final int STARTED = 24;
    static final int COMMITTED = 32;
    static final int SENT = 40;
    static final int BACK_PRESSURED = 48;
    static final int RECEIVED = 32;
    static final int GAPS = 40;
    static final int DUPLICATED = 48;
    static final int OUT_OF_ORDER = 56;
    static final int TORN = 64;
    static final int WINDOW_REPEATS = 72;
    static final int LAST = 80;
    static final int INCARNATIONS = 88;
    static final int RESUME_GAPS = 96;
    static final int NOTICES = 104;
    static final int ANNOUNCED_LOST = 112;
    static final int SUBSCRIBER_ARRAYS = 4096;

    static final int STARTING = 0;
    static final int RUNNING = 1;
    static final int FINISHED = 2;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;

    private StatsFile(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    private static long lengthOf(int kind) {
        return kind == SUBSCRIBER ? SUBSCRIBER_ARRAYS + 40L * MAX_IDS : SUBSCRIBER_ARRAYS;
    }

    /** Makes a new, zeroed stats file (the harness does, before starting the child). */
    static StatsFile create(Path path, int kind, int id) {
        StatsFile file = map(path, lengthOf(kind), true);
        file.segment.set(ValueLayout.JAVA_INT, KIND_OFFSET, kind);
        file.segment.set(ValueLayout.JAVA_INT, ID_OFFSET, id);
        INT.setRelease(file.segment, (long) MAGIC_OFFSET, MAGIC);
        return file;
    }

    /** Maps an existing stats file (the child does). */
    static StatsFile open(Path path) {
        StatsFile file = map(path, -1, false);
        if ((int) INT.getAcquire(file.segment, (long) MAGIC_OFFSET) != MAGIC) {
            file.close();
            throw new IllegalStateException(path + " is not a stress stats file");
        }
        return file;
    }

    private static StatsFile map(Path path, long length, boolean create) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = create
            ? FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (create) {
                channel.truncate(0);
                channel.write(ByteBuffer.allocate(1), length - 1);
            }
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
            return new StatsFile(path, arena, segment);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot map stats file " + path + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    int kind() {
        return segment.get(ValueLayout.JAVA_INT, KIND_OFFSET);
    }

    int id() {
        return segment.get(ValueLayout.JAVA_INT, ID_OFFSET);
    }

    long get(int offset) {
        return (long) LONG.getAcquire(segment, (long) offset);
    }

    void set(int offset, long value) {
        LONG.setRelease(segment, (long) offset, value);
    }

    int state() {
        return (int) INT.getAcquire(segment, (long) STATE_OFFSET);
    }

    void state(int state) {
        INT.setRelease(segment, (long) STATE_OFFSET, state);
    }

    /** Highest sequence of publisher {@code id} accepted + 1 (0: none yet). */
    long next(int id) {
        return (long) LONG.getAcquire(segment, SUBSCRIBER_ARRAYS + 8L * id);
    }

    void next(int id, long value) {
        LONG.setRelease(segment, SUBSCRIBER_ARRAYS + 8L * id, value);
    }

    /** First sequence of publisher {@code id} accepted + 1 (0: none yet). */
    long first(int id) {
        return (long) LONG.getAcquire(segment, SUBSCRIBER_ARRAYS + 8L * (MAX_IDS + id));
    }

    void first(int id, long value) {
        LONG.setRelease(segment, SUBSCRIBER_ARRAYS + 8L * (MAX_IDS + id), value);
    }

    /** {@code next} of publisher {@code id} when the last durable resume began, + 1 (0: no resume yet). */
    long resumedAt(int id) {
        return (long) LONG.getAcquire(segment, SUBSCRIBER_ARRAYS + 8L * (2L * MAX_IDS + id));
    }

    /** Notes {@code next} of every publisher id as the point a durable resume began. */
    void markResume() {
        for (int id = 1; id < MAX_IDS; id++) {
            LONG.setRelease(segment, SUBSCRIBER_ARRAYS + 8L * (2L * MAX_IDS + id), next(id) + 1);
        }
    }

    /** {@link #NOTICES} when the last message of publisher {@code id} was accepted (0: none, or no notice yet). */
    long noticesAtLast(int id) {
        return (long) LONG.getAcquire(segment, SUBSCRIBER_ARRAYS + 8L * (3L * MAX_IDS + id));
    }

    void noticesAtLast(int id, long value) {
        LONG.setRelease(segment, SUBSCRIBER_ARRAYS + 8L * (3L * MAX_IDS + id), value);
    }

    /** {@link #NOTICES} when the first message of publisher {@code id} was accepted. */
    long noticesAtFirst(int id) {
        return (long) LONG.getAcquire(segment, SUBSCRIBER_ARRAYS + 8L * (4L * MAX_IDS + id));
    }

    void noticesAtFirst(int id, long value) {
        LONG.setRelease(segment, SUBSCRIBER_ARRAYS + 8L * (4L * MAX_IDS + id), value);
    }

    /** Packs a publisher id and a sequence into one long, for {@link #LAST}. */
    static long pack(int id, long sequence) {
        return ((long) id << 48) | (sequence & 0xFFFF_FFFF_FFFFL);
    }

    @Override
    public void close() {
        arena.close();
    }
}
