package io.ringbus.stress.process;

import io.ringbus.core.RingBusException;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.transport.BusClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the stress child mains share: {@code --name value} arguments, the topic they name, the
 * command reader on standard input, and the way they end.
 *
 * <p>A child reports on standard output in lines: {@code READY}, {@code CRASHPOINT point} (printed
 * by the crash point itself), {@code DONE n}, {@code STOPPED n}, and on failure
 * {@code ERROR typed|untyped class: message} before it exits with {@link #TYPED_ERROR_EXIT} or
 * {@link #UNTYPED_ERROR_EXIT}. A typed error is a {@link RingBusException}: what ringbus promises for
 * anything a peer can do to a topic. When its standard input ends (the harness is gone), a child
 * exits at once.
 */
final class ChildArgs {
    static final int TYPED_ERROR_EXIT = 3;
    static final int UNTYPED_ERROR_EXIT = 4;
    static final int ORPHANED_EXIT = 5;

    private final Map<String, String> values = new HashMap<>();

    private ChildArgs(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[i + 1]);
        }
    }

    /** The body of a child main. */
    interface Body {
        void run(ChildArgs args) throws Exception;
    }

    /** Runs a child main: ends with exit 0, or an ERROR line and the exit code for its kind. */
    static void run(String[] args, Body body) {
        try {
            body.run(new ChildArgs(args));
            System.out.flush();
            System.exit(0);
        } catch (RingBusException e) {
            fail("typed", e, TYPED_ERROR_EXIT);
        } catch (Throwable t) {
            fail("untyped", t, UNTYPED_ERROR_EXIT);
        }
    }

    private static void fail(String kind, Throwable t, int exit) {
        String message = String.valueOf(t.getMessage()).replaceAll("\\s*\\R\\s*", " ");
        System.out.println("ERROR " + kind + " " + t.getClass().getName() + ": " + message);
        System.out.flush();
        if (exit == UNTYPED_ERROR_EXIT) {
            t.printStackTrace();
        }
        System.err.flush();
        Runtime.getRuntime().halt(exit);
    }

    /** Prints one protocol line and flushes it. */
    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Reads commands from standard input on a daemon thread; exits the process when the input ends. */
    static void readCommands(Consumer<String> handler) {
        Thread.ofPlatform().daemon().name("commands").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    handler.accept(line.trim());
                }
            } catch (IOException ignored) {
                // The harness went away: as at the end of input.
            }
            Runtime.getRuntime().halt(ORPHANED_EXIT);
        });
    }

    String get(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int getInt(String name) {
        return Integer.parseInt(get(name));
    }

    long getLong(String name, long fallback) {
        return values.containsKey(name) ? Long.parseLong(values.get(name)) : fallback;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    Path dir() {
        return Path.of(get("dir"));
    }

    Via via() {
        return Via.parse(get("via", "shm"));
    }

    /** A client on {@code --via}: {@code shm:} on {@code --dir}, else the bridge at {@code --uri}. */
    BusClient openClient() {
        return via().open(dir(), get("uri", "shm:"), Path.of(get("pipe-dir", ".")));
    }

    /** The topic's shape: {@code --capacity}, {@code --max-message}, {@code --single-producer} (else many). */
    TopicConfig topicConfig() {
        return new TopicConfig()
            .capacity(getInt("capacity"))
            .maxMessageLength(getInt("max-message"))
            .producerMode(has("single-producer") ? ProducerMode.SINGLE : ProducerMode.MANY);
    }
}
