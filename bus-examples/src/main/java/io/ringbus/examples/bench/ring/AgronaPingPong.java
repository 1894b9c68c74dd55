package io.ringbus.examples.bench.ring;

import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.PingLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import java.nio.file.Path;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * The Agrona side of {@link PingPongLatency}: two {@link OneToOneRingBuffer}s, each on a
 * {@link java.nio.MappedByteBuffer} of its own file wrapped in an {@link UnsafeBuffer}. Arguments of
 * both roles: {@code <ping ring file> <pong ring file> [<message length>]}. Runs only in JVMs started with
 * {@link Peer#AGRONA}'s flags.
 */
final class AgronaPingPong {
    static final String PING_ROLE = "agrona-ping";
    static final String PONG_ROLE = "agrona-pong";

    private AgronaPingPong() {
    }

    static RingBuffer map(String file) throws Exception {
        return new OneToOneRingBuffer(new UnsafeBuffer(BenchFiles.mapBuffer(Path.of(file))));
    }

    /** Writes a ping, reads its echo and copies the echo out. */
    static final class Ping extends PingLoop implements MessageHandler {
        private final RingBuffer pingRing;
        private final RingBuffer pongRing;
        private final int length;
        private final UnsafeBuffer payload;
        private final UnsafeBuffer copy;
        private long echoed;

        Ping(String[] args, SpinGuard guard) throws Exception {
            super(guard);
            this.length = PingPongLatency.length(args);
            this.payload = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, 64));
            this.copy = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, 64));
            this.pingRing = map(args[0]);
            this.pongRing = map(args[1]);
        }

        @Override
        protected long roundTrip(long sequence) {
            payload.putLong(0, sequence);
            while (!pingRing.write(PingPongLatency.PING_TYPE, payload, 0, length)) {
                guard.spin();
            }
            while (pongRing.read(this, 1) == 0) {
                guard.spin();
            }
            return echoed;
        }

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            buffer.getBytes(index, copy, 0, length);
            echoed = copy.getLong(0);
        }

        @Override
        protected void sendStop() {
            while (!pingRing.write(PingPongLatency.STOP_TYPE, payload, 0, length)) {
                guard.spin();
            }
        }

        @Override
        public void close() {
        }
    }

    /** Echoes every ping, payload and all, straight from one ring buffer into the other. */
    static final class Pong implements ChildRole, MessageHandler {
        private final RingBuffer pingRing;
        private final RingBuffer pongRing;
        private final SpinGuard guard;
        private boolean stopped;

        Pong(String[] args, SpinGuard guard) throws Exception {
            this.guard = guard;
            this.pingRing = map(args[0]);
            this.pongRing = map(args[1]);
        }

        @Override
        public void execute(String[] command) {
            stopped = false;
            while (!stopped) {
                if (pingRing.read(this, PingLoop.POLL_LIMIT) == 0) {
                    guard.spin();
                }
            }
            ChildRunner.reply("DONE");
        }

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            if (msgTypeId == PingPongLatency.STOP_TYPE) {
                stopped = true;
                return;
            }
            while (!pongRing.write(msgTypeId, buffer, index, length)) {
                guard.spin();
            }
        }

        @Override
        public void close() {
        }
    }
}
