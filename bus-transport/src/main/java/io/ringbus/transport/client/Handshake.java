package io.ringbus.transport.client;

import io.ringbus.transport.AuthToken;
import io.ringbus.transport.MalformedFrameException;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.frame.Hello;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.StreamClosedException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The client's side of a connection's first exchange: send {@code HELLO}, read exactly one
 * {@code WELCOME} or {@code REJECT} frame (never a byte past it, so the frames that follow stay in the
 * stream for the endpoint's own reader). A bridge that requires authentication sends a {@code CHALLENGE}
 * first, answered with {@code AUTH}: the token's answer, or nothing without a token (the bridge's
 * {@code REJECT} then says what to give).
 */
final class Handshake {
    private Handshake() {
    }

    /** What the bridge said in its welcome. */
    record Welcome(int maxMessageLength, Map<String, String> properties) {
    }

    /** A rejection by the bridge: not worth retrying until something changes. */
    static final class RejectedException extends TransportException {
        RejectedException(String message) {
            super(message);
        }
    }

    static Welcome perform(ByteStream stream, Hello hello, long timeoutNanos, String where) {
        return perform(stream, hello, null, timeoutNanos, where);
    }

    static Welcome perform(ByteStream stream, Hello hello, AuthToken token, long timeoutNanos, String where) {
        long deadline = System.nanoTime() + timeoutNanos;
        byte[] text = hello.format().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + text.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(text.length).putInt(FrameDescriptor.HELLO).put(text).flip();
        StreamClosedException helloFailed = null;
        try {
            while (out.hasRemaining()) {
                if (stream.write(out) == 0 && !stream.awaitWritable(remaining(deadline, where))) {
                    throw timedOut(where);
                }
            }
        } catch (StreamClosedException e) {
            // The bridge closed first (EPIPE): a bridge that refuses a peer answers before it reads the
            // hello, so its REJECT may be waiting all the same. Read on; report the write only if not.
            helloFailed = e;
        }
        ByteBuffer header = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        try {
            readExactly(stream, header, deadline, where);
        } catch (TransportException e) {
            if (helloFailed == null) {
                throw e;
            }
            Throwable cause = helloFailed.getCause() != null ? helloFailed.getCause() : helloFailed;
            throw new TransportException(where + " closed the connection before the hello was written ("
                + cause.getMessage() + "); is a ringbus bridge serving it? (its log says why)", helloFailed);
        }
        int length = header.getInt(FrameDescriptor.LENGTH_OFFSET);
        int type = header.getInt(FrameDescriptor.TYPE_OFFSET);
        if (type == FrameDescriptor.CHALLENGE && helloFailed == null) {
            if (length != AuthToken.NONCE_LENGTH) {
                throw new MalformedFrameException(where + " sent a CHALLENGE of " + length + " bytes, not "
                    + AuthToken.NONCE_LENGTH);
            }
            ByteBuffer nonce = ByteBuffer.allocate(length);
            readExactly(stream, nonce, deadline, where);
            byte[] answer = token == null ? new byte[0] : token.answer(nonce.array(), text);
            ByteBuffer auth = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + answer.length)
                .order(ByteOrder.LITTLE_ENDIAN);
            auth.putInt(answer.length).putInt(FrameDescriptor.AUTH).put(answer).flip();
            while (auth.hasRemaining()) {
                if (stream.write(auth) == 0 && !stream.awaitWritable(remaining(deadline, where))) {
                    throw timedOut(where);
                }
            }
            readExactly(stream, header.clear(), deadline, where);
            length = header.getInt(FrameDescriptor.LENGTH_OFFSET);
            type = header.getInt(FrameDescriptor.TYPE_OFFSET);
        }
        if (length < 0 || length > FrameDescriptor.MAX_CONTROL_LENGTH
            || (type != FrameDescriptor.WELCOME && type != FrameDescriptor.REJECT)) {
            throw new MalformedFrameException(where + " answered the hello with " + FrameDescriptor.typeName(type)
                + " of " + length + " bytes; is it a ringbus bridge?");
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readExactly(stream, payload, deadline, where);
        String answer = new String(payload.array(), StandardCharsets.UTF_8);
        if (type == FrameDescriptor.REJECT) {
            throw new RejectedException("The bridge at " + where + " refused " + hello.role().name().toLowerCase()
                + " on topic '" + hello.topic() + "': " + answer);
        }
        return parseWelcome(answer, where);
    }

    private static Welcome parseWelcome(String answer, String where) {
        String[] tokens = answer.strip().split(" +");
        if (tokens.length == 0 || !tokens[0].equals("ok")) {
            throw new MalformedFrameException(where + " sent a welcome that does not start with 'ok': " + answer);
        }
        Map<String, String> properties = new HashMap<>();
        for (int i = 1; i < tokens.length; i++) {
            int equals = tokens[i].indexOf('=');
            if (equals > 0) {
                properties.put(tokens[i].substring(0, equals), tokens[i].substring(equals + 1));
            }
        }
        try {
            int maxMessageLength = Integer.parseInt(properties.getOrDefault("maxMessageLength", "-1"));
            if (maxMessageLength < 0) {
                throw new NumberFormatException("missing");
            }
            return new Welcome(maxMessageLength, properties);
        } catch (NumberFormatException e) {
            throw new MalformedFrameException(where + " sent a welcome without a valid maxMessageLength: " + answer);
        }
    }

    private static void readExactly(ByteStream stream, ByteBuffer into, long deadline, String where) {
        while (into.hasRemaining()) {
            int read = stream.read(into);
            if (read < 0) {
                throw new TransportException(where + " closed the connection during the handshake; is a ringbus "
                    + "bridge serving it? (its log says why)");
            }
            if (read == 0 && !stream.awaitReadable(remaining(deadline, where))) {
                throw timedOut(where);
            }
        }
    }

    private static long remaining(long deadline, String where) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timedOut(where);
        }
        return left;
    }

    private static TransportException timedOut(String where) {
        return new TransportException(where + " did not answer the handshake in time; is the bridge overloaded or "
            + "stopped (SIGSTOP)?");
    }
}
