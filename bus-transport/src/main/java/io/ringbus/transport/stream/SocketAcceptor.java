package io.ringbus.transport.stream;

import io.ringbus.core.os.SharedFiles;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.frame.FrameDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * A bridge's listening Unix or TCP socket.
 *
 * <p>Unix: the socket file is made mode 0600 inside a directory of mode 0700 (created if missing,
 * refused if anyone else can use it), and every peer's uid is checked with {@code SO_PEERCRED}: a
 * peer of another user gets a {@code REJECT} frame saying why and is closed at once, with a logged
 * line. A socket file left by a dead bridge is replaced; one a live bridge answers on is an error.
 * TCP: binds a loopback address unless told that another is intended.
 */
public final class SocketAcceptor implements StreamAcceptor {
    private final ServerSocketChannel server;
    private final Selector selector;
    private final TransportUri uri;
    private final UserPrincipal owner;
    private final Consumer<String> log;
    private volatile boolean closed;

    /**
     * Binds {@code uri}.
     *
     * @param allowNonLoopback whether a TCP address other than loopback may be bound
     * @param log where refused peers are reported, one line each
     * @throws TransportException when the address is taken, not allowed or not usable
     */
    public SocketAcceptor(TransportUri uri, boolean allowNonLoopback, Consumer<String> log) {
        this.log = log;
        try {
            if (uri.kind() == TransportUri.Kind.UNIX) {
                Path path = uri.path();
                SharedFiles.ensureDirectory(path.getParent());
                removeStaleSocket(uri);
                server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(UnixDomainSocketAddress.of(path));
                Files.setPosixFilePermissions(path, EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE));
                owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
                this.uri = uri;
            } else if (uri.kind() == TransportUri.Kind.TCP) {
                if (!allowNonLoopback && !uri.isLoopback()) {
                    throw new TransportException("Refusing to listen on " + uri + ": it is not a loopback address and "
                        + "anyone who reaches it could publish and subscribe. Use tcp://127.0.0.1:PORT, or pass "
                        + "--allow-remote with --auth-token-file FILE (BridgeContext.allowNonLoopback, authToken)");
                }
                server = ServerSocketChannel.open();
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                server.bind(new InetSocketAddress(uri.host(), uri.port()));
                int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
                this.uri = new TransportUri(TransportUri.Kind.TCP, null, uri.host(), port);
                owner = null;
            } else {
                throw new IllegalArgumentException(uri + " is not a socket path");
            }
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            throw new TransportException("Cannot listen on " + uri + ": " + e.getMessage()
                + (uri.kind() == TransportUri.Kind.TCP ? "; is another process using the port?" : ""), e);
        }
    }

    private static void removeStaleSocket(TransportUri uri) throws IOException {
        Path path = uri.path();
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
            && !Files.isSymbolicLink(path) && isSocket(path)) {
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(path));
                throw new TransportException("Another bridge already serves " + uri + "; stop it first, or listen "
                    + "on another path");
            } catch (IOException refused) {
                Files.deleteIfExists(path); // left by a bridge that died
                return;
            }
        }
        throw new TransportException("Cannot listen on " + uri + ": " + path + " exists and is not a socket; "
            + "remove it or choose another path");
    }

    private static boolean isSocket(Path path) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer bits && (bits & 0170000) == 0140000;
    }

    @Override
    public ByteStream accept(long timeoutNanos) {
        while (!closed) {
            try {
                long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                if (selector.select(millis) == 0) {
                    return null;
                }
                selector.selectedKeys().clear();
                SocketChannel channel = server.accept();
                if (channel == null) {
                    continue;
                }
                ByteStream stream = admit(channel);
                if (stream != null) {
                    return stream;
                }
            } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                if (closed) {
                    return null;
                }
                log.accept("accept on " + uri + " failed: " + e.getMessage());
                return null;
            }
        }
        return null;
    }

    private ByteStream admit(SocketChannel channel) throws IOException {
        if (uri.kind() == TransportUri.Kind.UNIX) {
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!owner.equals(peer.user())) {
                log.accept("refused a peer on " + uri + ": it runs as user " + peer.user().getName()
                    + ", this bridge serves only " + owner.getName());
                refuse(channel, "this bridge serves only user " + owner.getName() + ", and you run as "
                    + peer.user().getName() + ". Run as " + owner.getName() + ", or start a bridge of your own on a"
                    + " path of yours: ./bus daemon --listen unix:PATH");
                return null;
            }
            return new SocketStream(channel, uri + " peer " + peer.user().getName());
        }
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new SocketStream(channel, uri + " peer " + channel.getRemoteAddress());
    }

    /**
     * Tells a refused peer why in a {@link FrameDescriptor#REJECT} frame, the answer it would get to its
     * hello, then closes. The frame is written at once, without waiting for the hello: a small write to a
     * new socket never blocks, and the peer finds it in its receive buffer even if its own write of the
     * hello failed because this end had closed.
     */
    private static void refuse(SocketChannel channel, String reason) {
        try (channel) {
            byte[] text = reason.getBytes(StandardCharsets.UTF_8);
            ByteBuffer frame = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + text.length)
                .order(ByteOrder.LITTLE_ENDIAN);
            frame.putInt(text.length).putInt(FrameDescriptor.REJECT).put(text).flip();
            channel.configureBlocking(false);
            channel.write(frame);
        } catch (IOException ignored) {
            // The peer went away first; it was refused either way.
        }
    }

    @Override
    public TransportUri uri() {
        return uri;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        try {
            server.close();
            selector.close();
        } catch (IOException ignored) {
            // Released anyway.
        }
        if (uri.kind() == TransportUri.Kind.UNIX) {
            try {
                Files.deleteIfExists(uri.path());
            } catch (IOException e) {
                log.accept("could not remove " + uri.path() + ": " + e.getMessage());
            }
        }
    }
}
