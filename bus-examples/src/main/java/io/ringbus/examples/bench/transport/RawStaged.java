package io.ringbus.examples.bench.transport;

import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.PublisherLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.examples.bench.child.SubscriberLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The raw channel's peers with a third busy stage, as a ringbus stream path has: the question they answer is
 * what the machine allows a path with three threads in a row, whatever the code. Each hand-off between two
 * threads of a JVM is an Agrona {@link OneToOneRingBuffer} ({@link Handoff}: the consumer polls, yielding,
 * for up to 200 µs, then parks and is woken, as ringbus's blocking subscribers wait).
 *
 * <pre>
 *   publish:   raw writer JVM ──64 KiB writes──▶ raw3 reader JVM: socket thread (parse) ─▶ ring ─▶ main thread
 *                                                                 (copy out, check seq, time)
 *   subscribe: raw3 writer JVM: main thread (offer) ─▶ ring ─▶ sender thread (frame into 64 KiB, write)
 *                                                                 ──▶ raw reader JVM
 *   ringbus:   client JVM ──▶ bridge session thread ─▶ ring ─▶ consumer thread (bridge JVM), and the mirror
 *
 *   round trip: raw ping JVM ──▶ raw3 pong JVM: reader thread ─▶ ring ─▶ echo thread ─▶ ring ─▶ writer thread ──▶
 *   ringbus:    ping JVM ──▶ publishing session ─▶ "ping" ring ─▶ echo ─▶ "pong" ring ─▶ forwarding session ──▶
 * </pre>
 *
 * <p>Roles {@code raw3-reader} (the raw reader's arguments), {@code raw3-writer} (the raw writer's) and
 * {@code raw3-pong} (the raw pong's); blocking waits only (the spinning variants have no third stage to
 * compare). The threads a role starts are daemons, parked or blocked in the kernel between commands.
 */
final class RawStaged {
    static final String READER_ROLE = "raw3-reader";
    static final String WRITER_ROLE = "raw3-writer";
    static final String PONG_ROLE = "raw3-pong";

    /** Agrona's {@code UnsafeBuffer} needs this in the three-stage peers' JVMs (never in ringbus's). */
    static final List<String> JVM_FLAGS = List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");

    private static final int HEADER = RawThroughput.HEADER_LENGTH;

    private RawStaged() {
    }

    /** The ring's data bytes: room for many socket reads of messages. */
    private static int ringCapacity(int size) {
        return Integer.highestOneBit(Math.max(1 << 20, 16 * (size + 64)) - 1) << 1;
    }

    /** What a ring producer does while its ring is full: spin a little, yield, then park briefly. */
    private static IdleStrategy fullRingIdle() {
        return new BackoffIdleStrategy(10, 20, 1_000, 100_000);
    }

    private static TransportWait blockingOnly(String text) {
        TransportWait wait = TransportWait.parse(text);
        if (wait != TransportWait.BLOCKING) {
            throw new IllegalArgumentException("the three-stage raw peers wait blocking only");
        }
        return wait;
    }

    private static Thread daemon(String name, Runnable body) {
        return Thread.ofPlatform().daemon().name(name).start(body);
    }

    /**
     * A failure of a background thread, kept for the main thread to throw; null while all is well.
     * Failures after {@code close} are the close itself and are dropped.
     */
    private static final class Failure {
        private volatile RuntimeException failure;
        private volatile boolean closed;

        void run(Runnable body) {
            try {
                body.run();
            } catch (RuntimeException e) {
                if (!closed) {
                    failure = e;
                }
            }
        }

        void check() {
            RuntimeException e = failure;
            if (e != null) {
                throw new IllegalStateException("a thread of the three-stage raw peer failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The publish direction: a socket thread reads 64 KiB at a time, parses the frames and hands each payload
     * to the main thread through the ring (waking it once per read); the main thread copies each out of the
     * ring and checks its sequence, as the raw reader does.
     */
    static final class Reader extends SubscriberLoop {
        private final RawChannel channel;
        private final Handoff handoff;
        private final UnsafeBuffer copy;
        private final MessageHandler copier;
        private final Failure failure = new Failure();

        Reader(String[] args, SpinGuard guard) throws IOException {
            super(guard, 1);
            int size = Integer.parseInt(args[2]);
            TransportWait wait = blockingOnly(args[1]);
            this.copy = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            this.handoff = new Handoff(ringCapacity(size));
            this.copier = this::copyOut;
            this.channel = RawChannel.accept(args[0], wait);
            ByteBuffer batch = ByteBuffer.allocateDirect(Math.max(RawThroughput.BATCH_BYTES, HEADER + size))
                .order(ByteOrder.LITTLE_ENDIAN);
            daemon("raw3-socket", () -> failure.run(() -> readLoop(batch, size)));
        }

        private void readLoop(ByteBuffer batch, int size) {
            UnsafeBuffer view = new UnsafeBuffer(batch);
            OneToOneRingBuffer ring = handoff.ring();
            IdleStrategy idle = fullRingIdle();
            while (true) {
                channel.read(batch);
                int end = batch.position();
                int at = 0;
                while (end - at >= HEADER) {
                    int length = view.getInt(at, ByteOrder.LITTLE_ENDIAN);
                    if (length < 0 || length > size) {
                        throw new IllegalStateException("raw frame of " + length + " bytes; the stream is corrupt");
                    }
                    if (end - at < HEADER + length) {
                        break;
                    }
                    while (!ring.write(Handoff.TYPE, view, at + HEADER, length)) {
                        handoff.wake();
                        idle.idle();
                    }
                    idle.reset();
                    at += HEADER + length;
                }
                handoff.wake();
                batch.limit(end).position(at);
                batch.compact();
            }
        }

        private void copyOut(int type, MutableDirectBuffer buffer, int index, int length) {
            buffer.getBytes(index, copy, 0, length);
            received(copy.getLong(PublisherLoop.SEQUENCE_OFFSET), copy.getInt(PublisherLoop.PUBLISHER_OFFSET));
        }

        @Override
        protected int poll() {
            int messages = handoff.ring().read(copier, POLL_LIMIT);
            if (messages == 0) {
                failure.check();
                handoff.await();
            }
            return messages;
        }

        @Override
        public void close() {
            failure.closed = true;
            channel.close();
        }
    }

    /**
     * The subscribe direction: the main thread offers each message into the ring (waking the sender when it
     * is seen parked); the sender thread frames what the ring holds into a 64 KiB batch and writes it when
     * full, or when the ring is empty, then waits for more.
     */
    static final class Writer extends PublisherLoop {
        private final RawChannel channel;
        private final Handoff handoff;
        private final UnsafeBuffer payload;
        private final int size;
        private final IdleStrategy idle = fullRingIdle();
        private final Failure failure = new Failure();
        /** Messages the sender has written into the channel; the main thread waits for all of them. */
        private volatile long sent;
        private long offered;

        Writer(String[] args, SpinGuard guard) throws IOException {
            super(guard);
            this.size = Integer.parseInt(args[2]);
            TransportWait wait = blockingOnly(args[1]);
            this.payload = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
            this.handoff = new Handoff(ringCapacity(size));
            this.channel = RawChannel.connect(args[0], wait);
            daemon("raw3-sender", () -> failure.run(this::sendLoop));
        }

        @Override
        protected boolean offer(long sequence) {
            payload.putLong(SEQUENCE_OFFSET, sequence);
            if (!handoff.ring().write(Handoff.TYPE, payload, 0, size)) {
                return false;
            }
            offered++;
            handoff.wakeCheap();
            return true;
        }

        @Override
        protected void idle() {
            handoff.wake();
            failure.check();
            idle.idle();
        }

        /** Waits until the sender has written every message offered (the reader times the last one's arrival). */
        @Override
        protected void finish() {
            idle.reset();
            handoff.wake();
            while (sent != offered) {
                failure.check();
                guard.spin();
                idle.idle();
            }
            idle.reset();
        }

        private void sendLoop() {
            ByteBuffer batch = ByteBuffer.allocateDirect(Math.max(RawThroughput.BATCH_BYTES, HEADER + size))
                .order(ByteOrder.LITTLE_ENDIAN);
            UnsafeBuffer view = new UnsafeBuffer(batch);
            int frame = HEADER + size;
            int[] inBatch = new int[1];
            MessageHandler framer = (type, buffer, index, length) -> {
                int at = batch.position();
                view.putInt(at, length, ByteOrder.LITTLE_ENDIAN);
                view.putInt(at + 4, 0, ByteOrder.LITTLE_ENDIAN);
                buffer.getBytes(index, view, at + HEADER, length);
                batch.position(at + HEADER + length);
                inBatch[0]++;
            };
            OneToOneRingBuffer ring = handoff.ring();
            while (true) {
                int room = batch.remaining() / frame;
                int read = room == 0 ? 0 : ring.read(framer, room);
                if (room == 0 || read == 0 && batch.position() > 0) {
                    batch.flip();
                    channel.writeFully(batch, guard);
                    batch.clear();
                    sent += inBatch[0];
                    inBatch[0] = 0;
                } else if (read == 0) {
                    handoff.await();
                }
            }
        }

        @Override
        public void close() {
            failure.closed = true;
            channel.close();
            handoff.release();
        }
    }

    /**
     * {@code RUN}: the round trip's echo in three threads. The main thread reads each message whole and hands
     * it to the echo thread; the echo thread copies it into the second ring; the writer thread writes it back.
     * The stop message goes the same way and is not written; the main thread replies {@code DONE} once the
     * writer has seen it.
     */
    static final class Pong implements ChildRole {
        private final RawChannel channel;
        private final ByteBuffer in;
        private final UnsafeBuffer inView;
        private final Handoff toEcho;
        private final Handoff toWriter;
        private final SpinGuard guard;
        private final Failure failure = new Failure();
        private volatile long stops;

        Pong(String[] args, SpinGuard guard) throws IOException {
            this.guard = guard;
            int size = Integer.parseInt(args[2]);
            TransportWait wait = blockingOnly(args[1]);
            this.in = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
            this.inView = new UnsafeBuffer(in);
            this.toEcho = new Handoff(ringCapacity(size));
            this.toWriter = new Handoff(ringCapacity(size));
            this.channel = RawChannel.accept(args[0], wait);
            daemon("raw3-echo", () -> failure.run(this::echoLoop));
            ByteBuffer out = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
            daemon("raw3-writer", () -> failure.run(() -> writeLoop(out)));
        }

        @Override
        public void execute(String[] command) {
            long stopsBefore = stops;
            while (true) {
                in.clear();
                channel.readFully(in, guard);
                while (!toEcho.ring().write(Handoff.TYPE, inView, 0, in.capacity())) {
                    failure.check();
                    guard.spin();
                }
                toEcho.wake();
                if (in.getLong(0) == EndpointSpec.STOP) {
                    break;
                }
            }
            while (stops == stopsBefore) {
                failure.check();
                guard.checkNow();
                LockSupport.parkNanos(100_000);
            }
            ChildRunner.reply("DONE");
        }

        private void echoLoop() {
            OneToOneRingBuffer ring = toWriter.ring();
            MessageHandler echo = (type, buffer, index, length) -> {
                while (!ring.write(Handoff.TYPE, buffer, index, length)) {
                    Thread.onSpinWait();
                }
                toWriter.wake();
            };
            while (true) {
                if (toEcho.ring().read(echo) == 0) {
                    toEcho.await();
                }
            }
        }

        private void writeLoop(ByteBuffer out) {
            UnsafeBuffer view = new UnsafeBuffer(out);
            MessageHandler writer = (type, buffer, index, length) -> {
                buffer.getBytes(index, view, 0, length);
                if (out.getLong(0) == EndpointSpec.STOP) {
                    stops++;
                    return;
                }
                out.clear();
                channel.writeFully(out, guard);
            };
            while (true) {
                if (toWriter.ring().read(writer) == 0) {
                    toWriter.await();
                }
            }
        }

        @Override
        public void close() {
            failure.closed = true;
            channel.close();
        }
    }
}
