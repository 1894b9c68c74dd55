package io.ringbus.transport.stream;

import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/** Connects to a bridge's Unix or TCP socket. */
public final class SocketConnector implements StreamConnector {
    private final TransportUri uri;

    /** A connector for a {@code unix:} or {@code tcp:} URI. */
    public SocketConnector(TransportUri uri) {
        if (uri.kind() != TransportUri.Kind.UNIX && uri.kind() != TransportUri.Kind.TCP) {
            throw new IllegalArgumentException(uri + " is not a socket path");
        }
        this.uri = uri;
    }

    @Override
    public ByteStream connect(long timeoutNanos) {
        SocketChannel channel = null;
        try {
            if (uri.kind() == TransportUri.Kind.UNIX) {
                if (!Files.exists(uri.path())) {
                    throw notServed("there is no socket file " + uri.path());
                }
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(uri.path()));
            } else {
                channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                connectWithTimeout(channel, new InetSocketAddress(uri.host(), uri.port()), timeoutNanos);
            }
            return new SocketStream(channel, uri.toString());
        } catch (TransportException e) {
            closeQuietly(channel);
            throw e;
        } catch (java.nio.file.AccessDeniedException | SecurityException e) {
            closeQuietly(channel);
            throw new TransportException("Permission denied connecting to " + uri + "; the socket belongs to "
                + "another user (a bridge serves only its own user)", e);
        } catch (IOException e) {
            closeQuietly(channel);
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (reason.contains("ermission denied")) {
                throw new TransportException("Permission denied connecting to " + uri + "; the socket belongs to "
                    + "another user (a bridge serves only its own user)", e);
            }
            throw notServed(reason);
        }
    }

    private void connectWithTimeout(SocketChannel channel, SocketAddress address, long timeoutNanos)
        throws IOException {
        channel.configureBlocking(false);
        if (channel.connect(address)) {
            return;
        }
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_CONNECT);
            long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
            if (selector.select(millis) == 0) {
                throw new TransportException("Connecting to " + uri + " timed out after " + millis
                    + " ms; check the host, the port and any firewall between");
            }
            channel.finishConnect();
        }
    }

    private TransportException notServed(String reason) {
        return new TransportException("No bridge serves " + uri + " (" + reason + "). Start one: "
            + "./bus daemon --listen " + uri);
    }

    @Override
    public TransportUri uri() {
        return uri;
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing more to release.
            }
        }
    }
}
