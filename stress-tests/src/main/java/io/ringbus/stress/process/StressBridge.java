package io.ringbus.stress.process;

import io.ringbus.core.BusContext;
import io.ringbus.core.RingBusException;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.bridge.BridgeContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge a stream-path run hosts in the harness's own process, over the run's bus directory: the
 * children's publishers and subscribers are its sessions. Its log lines are counted: a session closed
 * by a typed error (a {@link RingBusException}: what the victim topic's truncations and scribbles
 * must give), a refused hello, and anything else (an untyped failure: an error of the run). An
 * exception escaping a session thread is counted as untyped too.
 */
final class StressBridge implements AutoCloseable {
    private final Bridge bridge;
    private final String uri;
    private final Findings findings;
    private final AtomicLong typed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong untyped = new AtomicLong();
    private final AtomicLong other = new AtomicLong();
    private final Thread.UncaughtExceptionHandler previousHandler;

    private StressBridge(Via via, Path busDir, Path scratch, Findings findings) {
        this.findings = findings;
        String listen = switch (via) {
            case UNIX -> "unix:" + scratch.resolve("bridge.sock");
            case TCP -> "tcp://127.0.0.1:0";
            case FIFO -> "fifo:" + scratch.resolve("fifo");
            // A queue name is global: the harness's pid keeps it private to this run.
            case MQ -> "mq:/rb-stress-" + ProcessHandle.current().pid();
            default -> null;
        };
        BridgeContext context = new BridgeContext().busContext(new BusContext().directory(busDir)).log(this::logged);
        if (listen != null) {
            context.listen(listen);
        }
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (thread.getName().startsWith("ringbus-bridge")) {
                untyped.incrementAndGet();
                findings.error("the bridge's thread " + thread.getName() + " died of " + e + where(e));
            } else if (previousHandler != null) {
                previousHandler.uncaughtException(thread, e);
            } else {
                e.printStackTrace();
            }
        });
        this.bridge = Bridge.start(context);
        this.uri = listen == null ? "pipe:" : bridge.listening().getFirst().toString();
    }

    /** The bridge's session threads with their top ringbus frames, for an error message. */
    static String sessionThreads() {
        StringBuilder text = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, frames) -> {
            if (thread.getName().startsWith("ringbus-bridge-session")) {
                text.append("\n  bridge ").append(thread.getName()).append(' ').append(thread.getState());
                int shown = 0;
                for (StackTraceElement frame : frames) {
                    if (frame.getClassName().startsWith("io.ringbus.") && shown++ < 3) {
                        text.append(shown == 1 ? " at " : " < ").append(frame);
                    }
                }
            }
        });
        return text.toString();
    }

    /** The first few frames of ringbus code a throwable passed through, for the error message. */
    private static String where(Throwable e) {
        StringBuilder text = new StringBuilder();
        int shown = 0;
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().startsWith("io.ringbus.") && shown++ < 4) {
                text.append(shown == 1 ? " at " : " < ").append(frame);
            }
        }
        return text.toString();
    }

    /** A bridge for {@code via} (a stream path) over {@code busDir}, its socket or FIFOs in {@code scratch}. */
    static StressBridge start(Via via, Path busDir, Path scratch, Findings findings) {
        return new StressBridge(via, busDir, scratch, findings);
    }

    /** Where children connect ({@code pipe:} for pipes, which are served one by one). */
    String uri() {
        return uri;
    }

    /** Serves a child's FIFO pair, named in its {@code PIPE NAME} line. */
    void servePipe(Path pipeDir, String name) {
        bridge.serve(Via.servePipe(pipeDir, name));
    }

    private void logged(String line) {
        if (line.startsWith("refused ")) {
            refused.incrementAndGet();
            return;
        }
        int colon = line.indexOf(": ");
        String rest = colon < 0 ? "" : line.substring(colon + 2);
        if (line.startsWith("closed ") && isTyped(rest)) {
            typed.incrementAndGet();
        } else if (line.startsWith("closed ") && rest.contains("Exception")) {
            untyped.incrementAndGet();
            findings.error("the bridge closed a session with an untyped error: " + line);
        } else {
            other.incrementAndGet();
        }
    }

    /** Whether a log line's cause (a {@code Throwable.toString()}, after the stream's name) is typed. */
    private static boolean isTyped(String text) {
        for (String word : text.split("[\\s:]+")) {
            if (word.startsWith("io.ringbus.") || word.startsWith("java.")) {
                try {
                    return RingBusException.class.isAssignableFrom(Class.forName(word));
                } catch (ClassNotFoundException | LinkageError e) {
                    // Not a class name: read on.
                }
            }
        }
        return false;
    }

    /** The figures: sessions served, sessions ended by typed errors, refused hellos, untyped, other log lines. */
    Map<String, Long> figures() {
        Map<String, Long> figures = new LinkedHashMap<>();
        figures.put("sessions", bridge.sessionsServed());
        figures.put("session_typed_errors", typed.get());
        figures.put("refused_hellos", refused.get());
        figures.put("session_untyped_errors", untyped.get());
        figures.put("other_log_lines", other.get());
        return figures;
    }

    @Override
    public void close() {
        bridge.close();
        Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }
}
