package io.ringbus.transport.frame;

/**
 * Layout of a frame: the unit every stream path carries. A frame is a ring record without the commit
 * stamp (a stream has no laps to tell apart): a length, a type, then the payload.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  payload length (int32, LE)                   |  0
 *  +---------------------------------------------------------------+
 *  |                       type (int32, LE)                        |  4
 *  +---------------------------------------------------------------+
 *  |                  payload (length bytes) ...                   |  8
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Little-endian on every machine: this is a wire format (a topic file, by contrast, is in the
 * creating machine's native order; see bus-core/FORMAT.md). No alignment or padding: frames follow
 * each other byte for byte.
 * A type of zero or more is a message (the publisher's type id); negative types are control frames,
 * listed below. A receiver checks the length against its limit before it reads or allocates
 * anything; a frame over the limit, or a control type it does not know, closes the connection.
 *
 * <p>A conversation: the client sends {@link #HELLO} (text: {@code ringbus/1 pub TOPIC} or
 * {@code ringbus/1 sub TOPIC start=earliest ...}); the server answers {@link #WELCOME} (text:
 * {@code ok maxMessageLength=N}) or {@link #REJECT} (text: the reason) and closes; on a listener that
 * requires authentication it first sends {@link #CHALLENGE}, which the client answers with {@link #AUTH}.
 * Then a publisher
 * sends message frames, and a subscriber receives them (and {@link #LOSS} notices); a subscriber
 * with explicit commits ({@code commit=explicit} in its hello) sends {@link #COMMIT} frames; a durable
 * subscriber that closes sends {@link #BYE} and reads on until the server closes. A publisher whose
 * server's WELCOME said {@link #WELCOME_END} may end with {@link #END}; the server answers
 * {@link #PUBLISHED} once every message before it is in the ring, then closes.
 */
public final class FrameDescriptor {
    /** Offset of the payload length. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the type. */
    public static final int TYPE_OFFSET = 4;
    /** Size of the frame header; the payload starts here. */
    public static final int HEADER_LENGTH = 8;

    /** Client to server, first frame: what the client is (UTF-8 text). */
    public static final int HELLO = -10;
    /** Server to client: accepted (UTF-8 text with the topic's limits). */
    public static final int WELCOME = -11;
    /** Server to client: refused (UTF-8 text: the reason and what to do); the server then closes. */
    public static final int REJECT = -12;
    /**
     * Server to subscriber: messages were missed through eviction. Payload: three int64 (LE): first
     * missed position, position resumed at, bytes missed.
     */
    public static final int LOSS = -13;
    /** FIFO rendezvous, client to server: the base name of the client's FIFO pair (UTF-8). */
    public static final int CONNECT = -14;
    /** FIFO rendezvous, server to client on the client's down FIFO: both FIFOs are open. */
    public static final int ACCEPT = -15;
    /** Parent to child on a pipe, first frame: what the pipes carry (UTF-8 text). */
    public static final int SESSION = -16;
    /**
     * Subscriber to server, empty: the subscriber is closing. The server stops forwarding, closes its
     * subscription (a durable one keeps its position: right after the last message sent) and then the
     * connection; the client reads on until end of stream, so that nothing more is consumed under a
     * durable name once its close returns.
     */
    public static final int BYE = -17;
    /**
     * Subscriber to server, only from a subscriber whose hello said {@code commit=explicit}: one int64
     * (LE), how many messages this connection has delivered and the application has consumed, counted
     * from the first message the server sent on it; never less than the last one sent. The server
     * commits its subscription to the end of that message (its cursor: what publishers wait for and a
     * durable successor resumes from). The server reads these frames as they come, also when it has
     * nothing to send; frames sent before a connection ends (a client killed -9) still count.
     */
    public static final int COMMIT = -18;
    /**
     * Server to client, in answer to a {@link #HELLO} on a listener that requires authentication:
     * {@code AuthToken.NONCE_LENGTH} (32) fresh random bytes. The client answers with {@link #AUTH}.
     */
    public static final int CHALLENGE = -19;
    /**
     * Client to server, in answer to a {@link #CHALLENGE}: HMAC-SHA256(token, nonce || the hello's
     * payload), 32 bytes; or no bytes from a client that has no token (the server then says what to give
     * it). The server answers {@link #WELCOME} or {@link #REJECT}.
     */
    public static final int AUTH = -20;
    /**
     * Publisher to server, empty, only to a server whose WELCOME said {@link #WELCOME_END}: the last frame
     * of the connection. The server publishes every message before it (in order, as always), answers
     * {@link #PUBLISHED} and closes. A server that predates it refuses it as a control type it does not
     * know, which is why a client sends it only after that WELCOME.
     */
    public static final int END = -21;
    /**
     * Server to publisher, in answer to {@link #END}: one int64 (LE), how many messages of this connection
     * are in the ring: every message the client sent on it. The server then closes. A client that reads
     * end of stream (or a reset) instead knows nothing of the messages it sent on this connection: a
     * server killed after it read them, before it published them, closes as cleanly as one that finished.
     */
    public static final int PUBLISHED = -22;
    /**
     * The token a server's WELCOME to a publisher carries when it answers {@link #END} with
     * {@link #PUBLISHED} ({@code ok maxMessageLength=N end=1}). A client ignores tokens it does not know,
     * so older clients read such a WELCOME as before.
     */
    public static final String WELCOME_END = "end=1";

    /** Longest control payload (hello, welcome, reject, connect, session). */
    public static final int MAX_CONTROL_LENGTH = 1024;
    /**
     * Atomic write limit of a pipe or FIFO ({@code PIPE_BUF} on Linux). A frame on a FIFO that several
     * processes write (the rendezvous FIFO) must fit in it, so writes never interleave.
     */
    public static final int PIPE_BUF = 4096;

    private FrameDescriptor() {
    }

    /** Whether {@code type} is a message type rather than a control frame. */
    public static boolean isMessage(int type) {
        return type >= 0;
    }

    /** A readable name of a type, for logs. */
    public static String typeName(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case WELCOME -> "WELCOME";
            case REJECT -> "REJECT";
            case LOSS -> "LOSS";
            case CONNECT -> "CONNECT";
            case ACCEPT -> "ACCEPT";
            case SESSION -> "SESSION";
            case BYE -> "BYE";
            case COMMIT -> "COMMIT";
            case CHALLENGE -> "CHALLENGE";
            case AUTH -> "AUTH";
            case END -> "END";
            case PUBLISHED -> "PUBLISHED";
            default -> type >= 0 ? "MESSAGE(" + type + ")" : "UNKNOWN(" + type + ")";
        };
    }
}
