package io.ringbus.transport.stream;

import io.ringbus.core.os.IoErrors;
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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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
                checkReachable(uri.path());
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
        } catch (IOException e) {
            closeQuietly(channel);
            String reason = IoErrors.reason(e);
            if (uri.kind() == TransportUri.Kind.UNIX && reason.contains("ermission denied")) {
                throw unreachable(e);
            }
            throw notServed(reason);
        }
    }

    /**
     * Fails unless the socket file can be reached: missing is "no bridge serves it"; anything else (a
     * directory on the way this user cannot enter, a file where a directory should be) says the system's
     * reason, which a check with {@code Files.exists} would hide as "missing".
     */
    private void checkReachable(Path path) {
        try {
            Files.readAttributes(path, BasicFileAttributes.class); // follows a link, as connect does
        } catch (NoSuchFileException e) {
            if (IoErrors.fileOnTheWay(path) == null) {
                throw notServed("there is no socket file " + path);
            }
            throw unreachable(e); // ENOTDIR, which the JDK reports as missing
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private TransportException unreachable(IOException e) {
        Path path = uri.path();
        String head = "Cannot reach the socket " + path + ": " + IoErrors.reason(e) + ". ";
        if (IoErrors.isAccessDenied(e) || IoErrors.reason(e).contains("ermission denied")) {
            return new TransportException(head + "It, or a directory above it, belongs to another user: a bridge's"
                + " socket (mode 0600 in a 0700 directory) serves only the user who started the bridge. Run as that"
                + " user (ls -ld " + path.getParent() + " shows who), or start a bridge of your own on a path of"
                + " yours: ./bus daemon --listen unix:PATH", e);
        }
        return new TransportException(head + IoErrors.advice(e, path), e);
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
