package io.ringbus.examples.bench;

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
 * Plain JDK socket channels for the raw peers of {@code bus bench transport}: what an application
 * would write without ringbus. The listening side binds (a Unix socket file, or {@code 127.0.0.1}
 * with any port) and replies {@code LISTENING <uri>}; the other connects to that URI. TCP sockets
 * get {@code TCP_NODELAY}, as the bridge's do. A blocking wait puts the channel in blocking mode
 * (reads and writes wait in the kernel); a spinning one loops on non-blocking calls.
 */
final class RawSockets {
    private RawSockets() {
    }

    /** Binds {@code uri} ({@code unix:PATH} or {@code tcp://HOST:PORT}) and replies {@code LISTENING}. */
    static ServerSocketChannel listen(String uri) throws IOException {
        TransportUri address = TransportUri.parse(uri);
        ServerSocketChannel server;
        TransportUri bound;
        if (address.kind() == TransportUri.Kind.UNIX) {
            Files.deleteIfExists(address.path());
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(address.path()));
            bound = address;
        } else if (address.kind() == TransportUri.Kind.TCP) {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(address.host(), address.port()));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            bound = new TransportUri(TransportUri.Kind.TCP, null, address.host(), port);
        } else {
            throw new IllegalArgumentException(uri + " is not a socket address");
        }
        ChildMain.reply("LISTENING " + bound);
        return server;
    }

    /** Takes the one connection of a raw benchmark (the peer connects right after LISTENING). */
    static SocketChannel accept(ServerSocketChannel server, TransportWait wait) throws IOException {
        SocketChannel channel = server.accept();
        server.close();
        return configure(channel, wait);
    }

    static SocketChannel connect(String uri, TransportWait wait) throws IOException {
        TransportUri address = TransportUri.parse(uri);
        SocketChannel channel;
        if (address.kind() == TransportUri.Kind.UNIX) {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(address.path()));
        } else {
            channel = SocketChannel.open(new InetSocketAddress(address.host(), address.port()));
        }
        return configure(channel, wait);
    }

    private static SocketChannel configure(SocketChannel channel, TransportWait wait) throws IOException {
        if (channel.getRemoteAddress() instanceof InetSocketAddress) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        channel.configureBlocking(wait.blockingChannels());
        return channel;
    }

    /** Reads until {@code buffer} is full; a closed peer is an error. */
    static void readFully(SocketChannel channel, ByteBuffer buffer, SpinGuard guard) {
        while (buffer.hasRemaining()) {
            int read = read(channel, buffer);
            if (read == 0) {
                guard.spin();
            }
        }
    }

    /** Reads what is there (a blocking channel waits for at least one byte); a closed peer is an error. */
    static int read(SocketChannel channel, ByteBuffer buffer) {
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

    /** Writes all of {@code buffer}. */
    static void writeFully(SocketChannel channel, ByteBuffer buffer, SpinGuard guard) {
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

    static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // the process ends anyway
        }
    }
}
