package io.ringbus.transport.frame;

import io.ringbus.core.BusContext;
import io.ringbus.transport.MalformedFrameException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The payload of a {@link FrameDescriptor#HELLO} frame: what a client is, as one line of text so that
 * {@code socat} or {@code nc} can say it too.
 *
 * <pre>
 *   ringbus/1 pub prices maxMessageLength=1024
 *   ringbus/1 sub prices start=earliest durable=audit policy=evict evictAfterMs=5000 commit=explicit
 * </pre>
 *
 * <p>Tokens are separated by single spaces; values are URL-encoded (UTF-8). Topic requirements
 * ({@code capacity}, {@code maxMessageLength}, {@code producerMode}, {@code maxPublishers},
 * {@code maxSubscribers}, {@code wakeup}) apply to both roles; {@code start}, {@code durable},
 * {@code policy}, {@code evictAfterMs} and {@code commit} ({@code auto}, the default, or
 * {@code explicit}: the client sends {@code COMMIT} frames) to subscribers.
 *
 * @param role publisher or subscriber
 * @param topic the topic name
 * @param properties the options, in order
 */
public record Hello(Role role, String topic, Map<String, String> properties) {
    /** The protocol's first token. */
    public static final String VERSION = "ringbus/1";

    /** What the client will do on its connection. */
    public enum Role {
        /** Sends message frames for the bridge to publish. */
        PUB,
        /** Receives the topic's messages. */
        SUB
    }

    /** A hello; the properties are copied. */
    public Hello {
        properties = Map.copyOf(new LinkedHashMap<>(properties));
    }

    /** The text of this hello. */
    public String format() {
        StringBuilder text = new StringBuilder(VERSION).append(' ')
            .append(role.name().toLowerCase(Locale.ROOT)).append(' ').append(topic);
        for (Map.Entry<String, String> entry : new java.util.TreeMap<>(properties).entrySet()) {
            text.append(' ').append(entry.getKey()).append('=')
                .append(URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    /**
     * Parses hello text.
     *
     * @throws MalformedFrameException saying what is wrong
     */
    public static Hello parse(String text) {
        String line = text.strip();
        String[] tokens = line.split(" +");
        if (tokens.length < 3) {
            throw new MalformedFrameException("hello must be '" + VERSION + " pub|sub TOPIC [key=value...]', got '"
                + abbreviate(line) + "'");
        }
        if (!tokens[0].equals(VERSION)) {
            throw new MalformedFrameException("hello speaks '" + abbreviate(tokens[0]) + "'; this bridge speaks "
                + VERSION);
        }
        Role role = switch (tokens[1]) {
            case "pub" -> Role.PUB;
            case "sub" -> Role.SUB;
            default -> throw new MalformedFrameException("hello role must be pub or sub, not '"
                + abbreviate(tokens[1]) + "'");
        };
        String topic = tokens[2];
        try {
            BusContext.checkTopicName(topic);
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException(e.getMessage());
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (int i = 3; i < tokens.length; i++) {
            int equals = tokens[i].indexOf('=');
            if (equals <= 0) {
                throw new MalformedFrameException("hello option '" + abbreviate(tokens[i]) + "' is not key=value");
            }
            String key = tokens[i].substring(0, equals);
            String value;
            try {
                value = URLDecoder.decode(tokens[i].substring(equals + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new MalformedFrameException("hello option '" + abbreviate(tokens[i]) + "' is badly encoded");
            }
            if (properties.put(key, value) != null) {
                throw new MalformedFrameException("hello repeats option '" + abbreviate(key) + "'");
            }
        }
        return new Hello(role, topic, properties);
    }

    private static String abbreviate(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 60 ? printable.substring(0, 60) + "..." : printable;
    }
}
