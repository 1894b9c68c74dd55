package io.ringbus.examples.bench.ring;

import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.PingLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * The ringbus side of {@link PingPongLatency}: two single-producer rings, each in its own mapped file.
 * Arguments of both roles: {@code <ping ring file> <pong ring file> [<message length>]}.
 */
final class RingbusPingPong {
    static final String PING_ROLE = "ringbus-ping";
    static final String PONG_ROLE = "ringbus-pong";

    private RingbusPingPong() {
    }

    /** Offers a ping, polls for its echo and copies the echo out. */
    static final class Ping extends PingLoop implements MessageHandler {
        private final Arena arena = Arena.ofShared();
        private final RingWriter writer;
        private final RingReader reader;
        private final int length;
        private final MemorySegment payload;
        private final MemorySegment copy;
        private long echoed;

        Ping(String[] args, SpinGuard guard) throws Exception {
            super(guard);
            this.length = PingPongLatency.length(args);
            this.payload = Arena.global().allocate(length, 64);
            this.copy = Arena.global().allocate(length, 64);
            this.writer = Ring.wrap(BenchFiles.mapSegment(Path.of(args[0]), arena)).newWriter();
            this.reader = Ring.wrap(BenchFiles.mapSegment(Path.of(args[1]), arena)).newReader();
        }

        @Override
        protected long roundTrip(long sequence) {
            payload.set(ValueLayout.JAVA_LONG, 0, sequence);
            while (writer.offer(PingPongLatency.PING_TYPE, payload, 0, length) < 0) {
                guard.spin();
            }
            while (reader.poll(this, 1) == 0) {
                guard.spin();
            }
            return echoed;
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            MemorySegment.copy(buffer, offset, copy, 0, length);
            echoed = copy.get(ValueLayout.JAVA_LONG, 0);
        }

        @Override
        protected void sendStop() {
            while (writer.offer(PingPongLatency.STOP_TYPE, payload, 0, length) < 0) {
                guard.spin();
            }
        }

        @Override
        public void close() {
            reader.close();
            arena.close();
        }
    }

    /** Echoes every ping, payload and all, straight from one ring into the other. */
    static final class Pong implements ChildRole, MessageHandler {
        private final Arena arena = Arena.ofShared();
        private final RingReader reader;
        private final RingWriter writer;
        private final SpinGuard guard;
        private boolean stopped;

        Pong(String[] args, SpinGuard guard) throws Exception {
            this.guard = guard;
            this.reader = Ring.wrap(BenchFiles.mapSegment(Path.of(args[0]), arena)).newReader();
            this.writer = Ring.wrap(BenchFiles.mapSegment(Path.of(args[1]), arena)).newWriter();
        }

        @Override
        public void execute(String[] command) {
            stopped = false;
            while (!stopped) {
                if (reader.poll(this, PingLoop.POLL_LIMIT) == 0) {
                    guard.spin();
                }
            }
            ChildRunner.reply("DONE");
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            if (typeId == PingPongLatency.STOP_TYPE) {
                stopped = true;
                return;
            }
            while (writer.offer(typeId, buffer, offset, length) < 0) {
                guard.spin();
            }
        }

        @Override
        public void close() {
            reader.close();
            arena.close();
        }
    }
}
