package io.ringbus.examples.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The raw peer of {@link TransportPingPong} on a socket path: the same round trip with nothing but
 * a JDK {@link SocketChannel} between two JVMs.
 *
 * <pre>
 *   raw ping JVM                                                raw pong JVM
 *   +----------------+   write size bytes   +--------+   read   +------------------+
 *   | t0 = nanoTime  | -------------------> | socket | -------> | read all of it,  |
 *   | read the echo  | <------------------- | (unix  | <------- | write it back    |
 *   | t1 = nanoTime  |    read size bytes   | or tcp)|   write  +------------------+
 *   +----------------+                      +--------+
 * </pre>
 *
 * <p>Messages are the bare payload (fixed size, no header: a ping-pong needs no framing). Roles
 * {@code raw-socket-pong} (arguments {@code <listen uri> <wait> <size>}; replies {@code LISTENING},
 * then accepts the ping's connection before {@code READY}) and {@code raw-socket-ping} (arguments
 * {@code <uri> <wait> <size>}).
 */
final class RawSocketPingPong {
    static final String PING_ROLE = "raw-socket-ping";
    static final String PONG_ROLE = "raw-socket-pong";

    private RawSocketPingPong() {
    }

    /** Writes a ping, reads the whole echo, takes the sequence from it. */
    static final class Ping extends PingLoop {
        private final SocketChannel channel;
        private final ByteBuffer out;
        private final ByteBuffer in;

        Ping(String[] args, SpinGuard guard) throws IOException {
            super(guard);
            int size = Integer.parseInt(args[2]);
            this.out = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
            this.in = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
            this.channel = RawSockets.connect(args[0], TransportWait.parse(args[1]));
        }

        @Override
        long roundTrip(long sequence) {
            out.clear();
            out.putLong(0, sequence);
            RawSockets.writeFully(channel, out, guard);
            in.clear();
            RawSockets.readFully(channel, in, guard);
            return in.getLong(0);
        }

        @Override
        void sendStop() {
            out.clear();
            out.putLong(0, EndpointSpec.STOP);
            RawSockets.writeFully(channel, out, guard);
        }

        @Override
        public void close() {
            RawSockets.closeQuietly(channel);
        }
    }

    /** {@code RUN}: echoes each message whole until the stop message, then replies {@code DONE}. */
    static final class Pong implements ChildRole {
        private final SocketChannel channel;
        private final ByteBuffer buffer;
        private final SpinGuard guard;

        Pong(String[] args, SpinGuard guard) throws IOException {
            this.guard = guard;
            this.buffer = ByteBuffer.allocateDirect(Integer.parseInt(args[2])).order(ByteOrder.LITTLE_ENDIAN);
            ServerSocketChannel server = RawSockets.listen(args[0]);
            this.channel = RawSockets.accept(server, TransportWait.parse(args[1]));
        }

        @Override
        public void execute(String[] command) {
            while (true) {
                buffer.clear();
                RawSockets.readFully(channel, buffer, guard);
                if (buffer.getLong(0) == EndpointSpec.STOP) {
                    break;
                }
                buffer.flip();
                RawSockets.writeFully(channel, buffer, guard);
            }
            ChildMain.reply("DONE");
        }

        @Override
        public void close() {
            RawSockets.closeQuietly(channel);
        }
    }
}
