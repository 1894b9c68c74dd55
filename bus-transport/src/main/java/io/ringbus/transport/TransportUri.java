package io.ringbus.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a bus is reached: {@code shm:} (the mapped-file bus itself), {@code pipe:} (this process's
 * stdin/stdout, connected by a parent such as {@code ./bus run}), {@code fifo:DIR} (named pipes in a
 * bridge's directory), {@code unix:PATH} (a Unix socket), {@code tcp://HOST:PORT} or {@code mq:/NAME}
 * (POSIX message queues; the bridge's request queue is {@code /NAME}).
 *
 * @param kind which path
 * @param path the FIFO directory or socket file ({@code fifo}, {@code unix}); for {@code mq}, the request
 *     queue's name as a path of one element ({@code /NAME}); null otherwise
 * @param host the TCP host; null otherwise
 * @param port the TCP port (0 lets a listener pick one); -1 otherwise
 */
public record TransportUri(Kind kind, Path path, String host, int port) {
    /** The access paths. */
    public enum Kind {
        /** The shared-memory bus (no bridge). */
        SHM,
        /** Inherited pipes (stdin/stdout). */
        PIPE,
        /** Named pipes in a directory served by a bridge. */
        FIFO,
        /** A Unix domain socket served by a bridge. */
        UNIX,
        /** A TCP socket served by a bridge. */
        TCP,
        /** POSIX message queues served by a bridge: a request queue and a pair of queues per connection. */
        MQ
    }

    private static final String FORMS =
        "shm:, pipe:, fifo:/DIR, unix:/PATH/bus.sock, tcp://HOST:PORT or mq:/NAME";

    /**
     * Parses a URI.
     *
     * @throws IllegalArgumentException naming the accepted forms when {@code text} is not one of them
     */
    public static TransportUri parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("No transport URI given; use one of " + FORMS);
        }
        String trimmed = text.trim();
        int colon = trimmed.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + text + "' is not a transport URI; use one of " + FORMS);
        }
        String scheme = trimmed.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = trimmed.substring(colon + 1);
        return switch (scheme) {
            case "shm" -> new TransportUri(Kind.SHM, null, null, -1);
            case "pipe" -> new TransportUri(Kind.PIPE, null, null, -1);
            case "fifo" -> new TransportUri(Kind.FIFO, pathOf(text, rest), null, -1);
            case "unix" -> new TransportUri(Kind.UNIX, pathOf(text, rest), null, -1);
            case "tcp" -> tcp(text, rest);
            case "mq" -> mq(text, rest);
            default -> throw new IllegalArgumentException(
                "Unknown transport '" + scheme + "' in '" + text + "'; use one of " + FORMS);
        };
    }

    private static Path pathOf(String text, String rest) {
        String path = rest.startsWith("//") ? rest.substring(2) : rest;
        if (path.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' names no path; for example unix:/tmp/ringbus/bus.sock");
        }
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("'" + text + "' holds a NUL byte");
        }
        return Path.of(path).toAbsolutePath().normalize();
    }

    private static TransportUri mq(String text, String rest) {
        String name = rest.startsWith("//") ? rest.substring(1) : rest.startsWith("/") ? rest : "/" + rest;
        if (!name.matches("/[A-Za-z0-9._-]{1,200}")) {
            throw new IllegalArgumentException("'" + text + "' is not a message queue URI: mq:/NAME, NAME being 1 to"
                + " 200 letters, digits, '.', '_' or '-' (for example mq:/ringbus)");
        }
        return new TransportUri(Kind.MQ, Path.of(name), null, -1);
    }

    /** The request queue's name for {@code mq:/NAME}: {@code /NAME}. */
    public String queueName() {
        if (kind != Kind.MQ) {
            throw new IllegalStateException(this + " is not a message queue path");
        }
        return path.toString();
    }

    private static TransportUri tcp(String text, String rest) {
        if (!rest.startsWith("//")) {
            throw new IllegalArgumentException("'" + text + "' must look like tcp://127.0.0.1:7400");
        }
        String authority = rest.substring(2);
        int slash = authority.indexOf('/');
        if (slash >= 0) {
            authority = authority.substring(0, slash);
        }
        int lastColon = authority.lastIndexOf(':');
        if (lastColon < 0) {
            throw new IllegalArgumentException("'" + text + "' names no port; for example tcp://127.0.0.1:7400");
        }
        String host = authority.substring(0, lastColon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "127.0.0.1";
        }
        int port;
        try {
            port = Integer.parseInt(authority.substring(lastColon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has a port that is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "' has port " + port + ", outside 0..65535");
        }
        return new TransportUri(Kind.TCP, null, host, port);
    }

    /** Whether a TCP host is a loopback address (a listener binds others only when told to). */
    public boolean isLoopback() {
        if (kind != Kind.TCP) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether this path goes through a bridge as a byte stream (everything but {@code shm:}). */
    public boolean isStream() {
        return kind != Kind.SHM;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SHM -> "shm:";
            case PIPE -> "pipe:";
            case FIFO -> "fifo:" + path;
            case UNIX -> "unix:" + path;
            case TCP -> "tcp://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
            case MQ -> "mq:" + path;
        };
    }
}
