package io.ringbus.core.process;

import io.ringbus.core.BusContext;
import io.ringbus.core.RingBusException;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.ProducerMode;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * What the child mains share: {@code --name value} arguments, buffered standard output with
 * explicit flushes (a line the test waits for is flushed at once; message lines are flushed in
 * batches), and the exit protocol: a {@link RingBusException} prints {@code ERROR class: message}
 * and exits with 3, anything else prints {@code UNTYPED ...} and exits with 4; errors added while
 * closing the bus follow as {@code SUPPRESSED class: message} lines.
 */
final class ChildSupport {
    /** Exit code after a typed ringbus error. */
    static final int TYPED_ERROR_EXIT = 3;
    /** Exit code after any other throwable. */
    static final int UNTYPED_ERROR_EXIT = 4;

    private static final PrintStream OUT = new PrintStream(
        new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8);

    private final Map<String, String> options = new HashMap<>();

    /** Body of a child main. */
    interface Body {
        void run(ChildSupport args) throws Exception;
    }

    private ChildSupport(String[] args) {
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
    }

    /** Runs a child main's body and exits with the protocol's code. */
    static void run(String[] args, Body body) {
        int code = 0;
        try {
            body.run(new ChildSupport(args));
        } catch (RingBusException e) {
            report("ERROR ", e);
            code = TYPED_ERROR_EXIT;
        } catch (Throwable e) {
            report("UNTYPED ", e);
            code = UNTYPED_ERROR_EXIT;
        }
        flush();
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }

    /** Prints the error line, then a {@code SUPPRESSED} line for each error closing resources added. */
    private static void report(String kind, Throwable e) {
        event(kind + e.getClass().getName() + ": " + e.getMessage());
        for (Throwable suppressed : e.getSuppressed()) {
            event("SUPPRESSED " + suppressed.getClass().getName() + ": " + suppressed.getMessage());
        }
        e.printStackTrace();
    }

    String get(String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }

    String get(String name, String otherwise) {
        return options.getOrDefault(name, otherwise);
    }

    int getInt(String name, int otherwise) {
        String value = options.get(name);
        return value == null ? otherwise : Integer.parseInt(value);
    }

    long getLong(String name, long otherwise) {
        String value = options.get(name);
        return value == null ? otherwise : Long.parseLong(value);
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    /** The bus context of {@code --dir}. */
    BusContext busContext() {
        return new BusContext().directory(Path.of(get("dir")));
    }

    /**
     * The topic config every process of a test passes: {@code --capacity} (default 64 KiB), and
     * {@code --mode SINGLE|MANY} if given.
     */
    TopicConfig topicConfig() {
        TopicConfig config = new TopicConfig().capacity(getInt("capacity", 1 << 16));
        String mode = options.get("mode");
        return mode == null ? config : config.producerMode(ProducerMode.valueOf(mode));
    }

    /** Prints a line, buffered. */
    static synchronized void line(String text) {
        OUT.println(text);
    }

    /** Prints a line and flushes at once: an event the test waits for. */
    static synchronized void event(String text) {
        OUT.println(text);
        OUT.flush();
    }

    static synchronized void flush() {
        OUT.flush();
    }

    /** Waits until {@code file} exists, spinning hot when {@code hot} (for races), else in 1 ms steps. */
    static void awaitFile(Path file, boolean hot) {
        while (!Files.exists(file)) {
            if (hot) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(1_000_000);
            }
        }
    }
}
