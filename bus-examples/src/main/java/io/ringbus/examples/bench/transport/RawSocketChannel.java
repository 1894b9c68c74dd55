package io.ringbus.examples.bench.transport;

import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.transport.TransportUri;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;

/**
 * A plain JDK {@link SocketChannel} as a {@link RawChannel}: a Unix socket, or TCP on a loopback
 * address with {@code TCP_NODELAY} (as the bridge's sockets have). Blocking mode when the wait
 * blocks; non-blocking calls in a loop when it spins.
 */
final class RawSocketChannel implements RawChannel {
    private final SocketChannel channel;

    private RawSocketChannel(SocketChannel channel, TransportWait wait) throws IOException {
        if (channel.getRemoteAddress() instanceof InetSocketAddress) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        channel.configureBlocking(wait.blockingChannels());
        this.channel = channel;
    }

    /** Binds {@code unix:PATH} or {@code tcp://HOST:PORT}, replies {@code LISTENING}, takes one connection. */
    static RawSocketChannel accept(String uri, TransportWait wait) throws IOException {
        TransportUri address = TransportUri.parse(uri);
        TransportUri bound;
        try (ServerSocketChannel server = address.kind() == TransportUri.Kind.UNIX
            ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open()) {
            if (address.kind() == TransportUri.Kind.UNIX) {
                Files.deleteIfExists(address.path());
                server.bind(UnixDomainSocketAddress.of(address.path()));
                bound = address;
            } else {
                server.bind(new InetSocketAddress(address.host(), address.port()));
                int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
                bound = new TransportUri(TransportUri.Kind.TCP, null, address.host(), port);
            }
            ChildRunner.reply("LISTENING " + bound);
            return new RawSocketChannel(server.accept(), wait);
        }
    }

    static RawSocketChannel connect(String uri, TransportWait wait) throws IOException {
        TransportUri address = TransportUri.parse(uri);
        SocketChannel channel = address.kind() == TransportUri.Kind.UNIX
            ? SocketChannel.open(UnixDomainSocketAddress.of(address.path()))
            : SocketChannel.open(new InetSocketAddress(address.host(), address.port()));
        return new RawSocketChannel(channel, wait);
    }

    @Override
    public int read(ByteBuffer buffer) {
        try {
            int read = channel.read(buffer);
            if (read < 0) {
                throw new IllegalStateException("the raw peer closed its socket");
            }
            return read;
        } catch (IOException e) {
            throw new UncheckedIOException("raw socket read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void writeFully(ByteBuffer buffer, SpinGuard guard) {
        try {
            while (buffer.hasRemaining()) {
                if (channel.write(buffer) == 0) {
                    guard.spin();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("raw socket write failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        RawChannel.closeQuietly(channel);
    }
}
