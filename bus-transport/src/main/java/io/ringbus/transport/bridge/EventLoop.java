package io.ringbus.transport.bridge;

import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.frame.FrameReader;
import io.ringbus.transport.frame.FrameWriter;
import io.ringbus.transport.stream.SocketStream;
import io.ringbus.transport.stream.SpinBeforeWait;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One worker of a {@link Bridge}: serves many socket connections ({@link LoopSession}s) from one thread
 * with one selector, plus a {@link RingWatch} thread that waits for their rings. Each turn it reads what
 * the ready sockets sent (publishers offer it into their rings; a full ring stops reading that socket until
 * the ring takes the frame), forwards ring records to subscribers whose sockets take them, and polls one
 * idle subscription per topic (all idle ones of a topic sit at its tail, so one tells for all). With nothing
 * to do it keeps turning for {@link SpinBeforeWait#NANOS} (yielding), which keeps a client's round trip out
 * of the kernel's wakeups; then it parks one idle subscription per topic on its futex word (the watch waits
 * on those) and waits in its selector, for a socket or for the watch's wakeup, at most a slice (1 ms while a
 * publisher waits for room in a ring, or a topic cannot be parked).
 *
 * <p>Memory: a session holds a receive or send buffer only while it has bytes in flight; idle sessions
 * hold none; buffers come from this loop's pools, one per size class ({@link #sizeClass}).
 */
final class EventLoop implements Runnable {
    static final long SLICE_NANOS = 100_000_000L;
    private static final int MIN_CLASS_BYTES = 32 * 1024;
    private static final long POOL_BYTES = 16L << 20;
    private static final long TIMER_NANOS = 50_000_000L;

    private final Bridge bridge;
    private final Selector selector;
    private final RingWatch watch;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Set<LoopSession> sessions = new HashSet<>();
    private final AtomicInteger count = new AtomicInteger();
    private ArrayList<LoopSession> active = new ArrayList<>();
    private ArrayList<LoopSession> stillActive = new ArrayList<>();
    private final Map<Object, TopicGroup> groups = new HashMap<>();
    private final ArrayList<TopicGroup> idleGroups = new ArrayList<>();
    private final ArrayList<LoopSession> parked = new ArrayList<>();
    /** Idle buffers by size class ({@link #sizeClass}). */
    private final ArrayDeque<?>[] readers = new ArrayDeque<?>[33];
    private final ArrayDeque<?>[] writers = new ArrayDeque<?>[33];
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean closed;
    private long nextTimers;
    /** Waits in the selector with parked subscriptions (for tests: the watch's part was exercised). */
    private volatile long parkedWaits;
    /**
     * Waits with parked subscriptions that ran out their whole slice, after which a parked topic had
     * messages: a wakeup the ring watch should have given and did not (for tests, as ShmSubscriber's).
     */
    private volatile long missedWakeups;
    /** Made once: a method reference made per select would be an allocation per turn. */
    private final java.util.function.Consumer<SelectionKey> onReady = this::ready;

    /** The idle subscriptions of one topic file on this loop. */
    static final class TopicGroup {
        final Object key;
        final ArrayList<LoopSession> idle = new ArrayList<>();
        boolean listed;

        TopicGroup(Object key) {
            this.key = key;
        }
    }

    EventLoop(Bridge bridge, int index) {
        this.bridge = bridge;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new io.ringbus.transport.TransportException("Cannot open a selector for the bridge: "
                + e.getMessage() + ". Raise the open-files limit (ulimit -n).");
        }
        this.watch = new RingWatch(selector, "ringbus-bridge-ringwatch-" + index, bridge.context().log());
        this.thread = Thread.ofPlatform().daemon().name("ringbus-bridge-loop-" + index).start(this);
    }

    /** Whether the loop runs (it stops when the bridge closes, or if it failed). */
    boolean alive() {
        return !closed;
    }

    /** Connections this loop serves. */
    int size() {
        return count.get();
    }

    /** Hands a connection to this loop (any thread). */
    void add(SocketStream stream, long id) {
        LoopSession session = new LoopSession(bridge, this, stream, id);
        count.incrementAndGet();
        bridge.started(session);
        execute(() -> {
            if (closed) {
                session.close();
                return;
            }
            sessions.add(session);
            session.start(selector);
        });
    }

    /** Runs {@code task} on the loop thread soon (any thread). */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            boolean spinning = false;
            long spinUntil = 0;
            while (!closed) {
                int work = runTasks();
                work += selector.selectNow(onReady);
                work += pumpActive();
                work += checkIdleGroups();
                long now = System.nanoTime();
                if (now - nextTimers >= 0) {
                    nextTimers = now + TIMER_NANOS;
                    timers(now);
                }
                if (work > 0) {
                    spinning = false;
                    continue;
                }
                if (!spinning) {
                    spinning = true;
                    spinUntil = now + SpinBeforeWait.NANOS;
                }
                if (now - spinUntil < 0) {
                    SpinBeforeWait.pause();
                    continue;
                }
                spinning = false;
                park();
            }
        } catch (IOException | RuntimeException | Error e) {
            closed = true; // the bridge gives new connections to the other loops, or threads
            bridge.context().log().accept("the bridge's event loop " + Thread.currentThread().getName()
                + " failed, its connections are closed: " + e);
        } finally {
            runTasks();
            for (LoopSession session : new ArrayList<>(sessions)) {
                session.close();
            }
            watch.close();
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing releases the descriptors anyway
            }
            ended.countDown();
        }
    }

    private int runTasks() {
        int done = 0;
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
            done++;
        }
        return done;
    }

    private void ready(SelectionKey key) {
        ((LoopSession) key.attachment()).ready(key);
    }

    private int pumpActive() {
        if (active.isEmpty()) {
            return 0;
        }
        ArrayList<LoopSession> now = active;
        active = stillActive;
        int work = 0;
        for (int i = 0; i < now.size(); i++) {
            LoopSession session = now.get(i);
            work += session.pump();
        }
        now.clear();
        stillActive = now;
        return work;
    }

    /** Polls the first idle subscription of each topic; if it found messages, every idle one of the topic works. */
    private int checkIdleGroups() {
        int work = 0;
        for (int g = idleGroups.size() - 1; g >= 0; g--) {
            TopicGroup group = idleGroups.get(g);
            LoopSession first = group.idle.getFirst();
            int done = first.pump();
            if (done > 0 || first.place() != LoopSession.Place.IDLE) {
                work += done;
                wakeGroup(group);
            }
        }
        return work;
    }

    private void wakeGroup(TopicGroup group) {
        for (int i = 0; i < group.idle.size(); i++) {
            LoopSession session = group.idle.get(i);
            if (session.place() == LoopSession.Place.IDLE) {
                session.place(LoopSession.Place.ACTIVE);
                active.add(session);
            }
        }
        group.idle.clear();
        unlist(group);
    }

    private void unlist(TopicGroup group) {
        if (group.listed) {
            group.listed = false;
            idleGroups.remove(group);
        }
    }

    /** Called by a session that has nothing to forward: it waits with its topic's group. */
    void idle(LoopSession session, Object topicKey) {
        TopicGroup group = groups.computeIfAbsent(topicKey, TopicGroup::new);
        group.idle.add(session);
        if (!group.listed) {
            group.listed = true;
            idleGroups.add(group);
        }
    }

    /** Called by a session leaving the idle state other than through its group's wakeup (closing). */
    void leaveIdle(LoopSession session, Object topicKey) {
        TopicGroup group = groups.get(topicKey);
        if (group != null && group.idle.remove(session) && group.idle.isEmpty()) {
            unlist(group);
            groups.remove(topicKey);
        }
    }

    /** Called by a session that has work for the next turn (a subscriber with room, a waiting publisher). */
    void activate(LoopSession session) {
        active.add(session);
    }

    private void park() throws IOException {
        boolean soon = !active.isEmpty();
        parked.clear();
        if (!idleGroups.isEmpty()) {
            if (watch.usable()) {
                watch.words();
                for (int g = 0; g < idleGroups.size(); g++) {
                    LoopSession first = idleGroups.get(g).idle.getFirst();
                    if (first.announcePark(watch)) {
                        parked.add(first);
                    } else {
                        soon = true;
                    }
                }
            } else {
                soon = true;
            }
        }
        boolean fullSlice = false;
        int armed = -1;
        try {
            // The poll after the announcement: a message committed before it is seen here.
            if (checkIdleGroups() == 0 && tasks.isEmpty()) {
                long millis = soon ? 1 : TimeUnit.NANOSECONDS.toMillis(SLICE_NANOS);
                if (!parked.isEmpty()) {
                    parkedWaits++;
                    armed = watch.arm();
                }
                long start = System.nanoTime();
                try {
                    int ready = selector.select(onReady, millis);
                    fullSlice = ready == 0 && System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(millis);
                } finally {
                    if (!parked.isEmpty()) {
                        watch.disarm();
                    }
                }
            }
        } finally {
            for (int i = 0; i < parked.size(); i++) {
                parked.get(i).withdrawPark();
            }
        }
        // A message ready after a whole slice that the watcher never woke us for: a post was lost. (One it
        // did wake us for but that took the slice is a loaded machine scheduling the threads late.)
        if (fullSlice && !soon && !parked.isEmpty() && !watch.woke(armed) && checkIdleGroups() > 0) {
            missedWakeups++;
        }
        parked.clear();
    }

    long parkedWaits() {
        return parkedWaits;
    }

    long missedWakeups() {
        return missedWakeups;
    }

    private void timers(long now) {
        for (LoopSession session : List.copyOf(sessions)) {
            session.timer(now);
        }
    }

    /** A session ended (loop thread). */
    void removed(LoopSession session) {
        if (sessions.remove(session)) {
            count.decrementAndGet();
        }
    }

    /**
     * The size class of buffers for messages of up to {@code maxMessageLength} bytes: the power of two
     * that holds a frame of that length, 32 KiB at least. Buffers of one class serve every topic whose
     * frames fit, so a session borrows one only while it has bytes in flight.
     */
    static int sizeClass(int maxMessageLength) {
        long frame = Math.max(MIN_CLASS_BYTES, (long) FrameDescriptor.HEADER_LENGTH + maxMessageLength);
        return 64 - Long.numberOfLeadingZeros(frame - 1);
    }

    FrameReader acquireReader(int maxMessageLength) {
        int sizeClass = sizeClass(maxMessageLength);
        FrameReader reader = EventLoop.<FrameReader>pool(readers, sizeClass).poll();
        if (reader == null) {
            reader = new FrameReader(maxMessageLength, (int) ((1L << sizeClass) - FrameDescriptor.HEADER_LENGTH));
        }
        reader.limitMessageLength(maxMessageLength);
        return reader;
    }

    void releaseReader(FrameReader reader, int maxMessageLength) {
        int sizeClass = sizeClass(maxMessageLength);
        ArrayDeque<FrameReader> pool = pool(readers, sizeClass);
        if (pool.size() < poolLimit(sizeClass)) {
            reader.reset();
            pool.push(reader);
        }
    }

    FrameWriter acquireWriter(int maxMessageLength) {
        int sizeClass = sizeClass(maxMessageLength);
        FrameWriter writer = EventLoop.<FrameWriter>pool(writers, sizeClass).poll();
        // A writer's buffer holds two of its largest frames: 2^sizeClass bytes in all.
        return writer != null ? writer
            : new FrameWriter((int) ((1L << (sizeClass - 1)) - FrameDescriptor.HEADER_LENGTH));
    }

    void releaseWriter(FrameWriter writer, int maxMessageLength) {
        int sizeClass = sizeClass(maxMessageLength);
        ArrayDeque<FrameWriter> pool = pool(writers, sizeClass);
        if (pool.size() < poolLimit(sizeClass)) {
            writer.clear();
            pool.push(writer);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> ArrayDeque<T> pool(ArrayDeque<?>[] pools, int sizeClass) {
        if (pools[sizeClass] == null) {
            pools[sizeClass] = new ArrayDeque<T>();
        }
        return (ArrayDeque<T>) pools[sizeClass];
    }

    /** Buffers kept idle per size class: 64 of the smallest, fewer of larger ones (16 MiB a class at most). */
    private static int poolLimit(int sizeClass) {
        return (int) Math.max(2, Math.min(64, POOL_BYTES >> sizeClass));
    }

    /** Ends every connection and the threads; waits up to {@code millis}. */
    void close(long millis) {
        closed = true;
        selector.wakeup();
        try {
            ended.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
