package io.ringbus.examples.bench.transport;

import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.PingLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The raw peer of {@link TransportPingPong}: the same round trip with nothing but a
 * {@link RawChannel} (a JDK socket channel, or a pipe per direction) between two JVMs.
 *
 * <pre>
 *   raw ping JVM                                                 raw pong JVM
 *   +----------------+   write size bytes   +--------------+   read   +------------------+
 *   | t0 = nanoTime  | -------------------> | socket, or   | -------> | read all of it,  |
 *   | read the echo  | <------------------- | a pipe each  | <------- | write it back    |
 *   | t1 = nanoTime  |    read size bytes   | way          |   write  +------------------+
 *   +----------------+                      +--------------+
 * </pre>
 *
 * <p>Messages are the bare payload (fixed size, no header: a ping-pong needs no framing). Roles
 * {@code raw-pong} (arguments {@code <listen uri> <wait> <size>}; replies {@code LISTENING}, then
 * waits for the ping before {@code READY}) and {@code raw-ping} (arguments {@code <uri> <wait> <size>}).
 */
final class RawPingPong {
    static final String PING_ROLE = "raw-ping";
    static final String PONG_ROLE = "raw-pong";

    private RawPingPong() {
    }

    /** Writes a ping, reads the whole echo, takes the sequence from it. */
    static final class Ping extends PingLoop {
        private final RawChannel channel;
        private final ByteBuffer out;
        private final ByteBuffer in;

        Ping(String[] args, SpinGuard guard) throws IOException {
            super(guard);
            int size = Integer.parseInt(args[2]);
            this.out = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
            this.in = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
            this.channel = RawChannel.connect(args[0], TransportWait.parse(args[1]));
        }

        @Override
        protected long roundTrip(long sequence) {
            out.clear();
            out.putLong(0, sequence);
            channel.writeFully(out, guard);
            in.clear();
            channel.readFully(in, guard);
            return in.getLong(0);
        }

        @Override
        protected void sendStop() {
            out.clear();
            out.putLong(0, EndpointSpec.STOP);
            channel.writeFully(out, guard);
        }

        @Override
        public void close() {
            channel.close();
        }
    }

    /** {@code RUN}: echoes each message whole until the stop message, then replies {@code DONE}. */
    static final class Pong implements ChildRole {
        private final RawChannel channel;
        private final ByteBuffer buffer;
        private final SpinGuard guard;

        Pong(String[] args, SpinGuard guard) throws IOException {
            this.guard = guard;
            this.buffer = ByteBuffer.allocateDirect(Integer.parseInt(args[2])).order(ByteOrder.LITTLE_ENDIAN);
            this.channel = RawChannel.accept(args[0], TransportWait.parse(args[1]));
        }

        @Override
        public void execute(String[] command) {
            while (true) {
                buffer.clear();
                channel.readFully(buffer, guard);
                if (buffer.getLong(0) == EndpointSpec.STOP) {
                    break;
                }
                buffer.flip();
                channel.writeFully(buffer, guard);
            }
            ChildRunner.reply("DONE");
        }

        @Override
        public void close() {
            channel.close();
        }
    }
}
