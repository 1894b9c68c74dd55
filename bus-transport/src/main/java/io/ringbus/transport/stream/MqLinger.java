package io.ringbus.transport.stream;

import io.ringbus.core.os.FileDescriptors;
import io.ringbus.core.os.MessageQueues;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends the close marker of {@link MqStream}s that were closed while their written queue was full, as
 * the kernel does for a socket closed with bytes still unsent: the bytes already queued reach the peer,
 * then the marker, once the peer reads. One daemon thread, started on first use, tries every
 * {@link #RETRY_NANOS}; an entry ends when the marker went out, the peer closed too (its own marker
 * arrives on the read queue, which the linger empties, dropping what the peer sent after this side
 * closed, as a closed socket drops it), the peer exited (its pidfd), or after {@link #PATIENCE_NANOS}
 * (the peer then learns of the end only when this process exits).
 */
final class MqLinger {
    static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** More queues than this waiting at once means something is wrong: close the newest at once. */
    private static final int MAX_ENTRIES = 1024;
    private static final MemorySegment MARKER = Arena.global().allocate(8);
    /** Where what a peer sent after this side closed is dropped: as large as the largest queue message. */
    private static final MemorySegment DISCARD = Arena.global().allocate(1 << 20);

    private static final List<Entry> ENTRIES = new ArrayList<>();
    private static Thread thread;

    private record Entry(int writeMq, int readMq, int peerFd, String description, long since) {
    }

    private MqLinger() {
    }

    /**
     * Takes over the queues and {@code peerFd} (closing them when done); false if it cannot (the caller
     * closes them).
     */
    static synchronized boolean add(int writeMq, int readMq, int peerFd, String description) {
        if (ENTRIES.size() >= MAX_ENTRIES) {
            return false;
        }
        ENTRIES.add(new Entry(writeMq, readMq, peerFd, description, System.nanoTime()));
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("ringbus-mq-linger").start(MqLinger::run);
        }
        MqLinger.class.notifyAll();
        return true;
    }

    /** How many queues wait for room for their marker (for tests). */
    static synchronized int waiting() {
        return ENTRIES.size();
    }

    private static void run() {
        List<Entry> current = new ArrayList<>();
        while (true) {
            synchronized (MqLinger.class) {
                while (ENTRIES.isEmpty()) {
                    try {
                        MqLinger.class.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                current.clear();
                current.addAll(ENTRIES);
            }
            for (Entry entry : current) {
                if (done(entry)) {
                    FileDescriptors.close(entry.writeMq());
                    FileDescriptors.close(entry.readMq());
                    if (entry.peerFd() >= 0) {
                        FileDescriptors.close(entry.peerFd());
                    }
                    synchronized (MqLinger.class) {
                        ENTRIES.remove(entry);
                    }
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(RETRY_NANOS);
        }
    }

    private static boolean done(Entry entry) {
        if (entry.peerFd() >= 0 && FileDescriptors.poll(entry.peerFd(), FileDescriptors.POLL_IN, -1, 0) > 0) {
            return true;
        }
        while (true) {
            long received = MessageQueues.receive(entry.readMq(), DISCARD, 0, DISCARD.byteSize());
            if (received == 0) {
                return true; // the peer closed as well
            }
            if (received < 0) {
                break;
            }
        }
        int sent = MessageQueues.send(entry.writeMq(), MARKER, 0, 0);
        if (sent != -MessageQueues.EAGAIN) {
            return true;
        }
        if (System.nanoTime() - entry.since() > PATIENCE_NANOS) {
            System.err.println("ringbus " + entry.description() + ": gave up sending the close marker after "
                + TimeUnit.NANOSECONDS.toSeconds(PATIENCE_NANOS) + " s: the peer reads nothing");
            return true;
        }
        return false;
    }
}
