package io.ringbus.examples.cli;

import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.os.FileDescriptors;
import io.ringbus.core.os.Processes;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.examples.support.TopicArguments;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.bridge.BridgeContext;
import io.ringbus.transport.stream.FdStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bus run [--pub TOPIC] [--sub TOPIC] -- COMMAND...}: runs a child process whose standard
 * input and output are connected to the bus through pipes, and exits with its status. SIGINT and
 * SIGTERM are passed on to the child.
 *
 * <ul>
 *   <li>{@code --lines}: for any program (grep, tr, awk...). Each message of {@code --sub TOPIC} is
 *       written to the child's standard input as one line; each line the child prints is published to
 *       {@code --pub TOPIC}. A child slower than the publishers back-pressures them through the pipe,
 *       as a slow subscriber would.</li>
 *   <li>Without {@code --lines}: for a ringbus-aware child ({@code ./bus sub --via pipe:}, or a
 *       Java program using {@code BusClients.open("pipe:")}), which speaks frames over its standard
 *       streams and says in its hello which topic it publishes or subscribes to; this process serves
 *       it with an embedded bridge.</li>
 * </ul>
 */
@Command(name = "run",
    mixinStandardHelpOptions = true,
    description = {"Runs COMMAND with its standard input and output connected to the bus, and exits with its"
            + " status. SIGINT and SIGTERM are passed on to it.",
        "With --lines, COMMAND is any program: each message of --sub TOPIC becomes a line of its standard input"
            + " (the child's standard input ends after --count messages), and each line it prints is published"
            + " to --pub TOPIC. Without --pub its output is this command's; without --sub its input is.",
        "Without --lines, COMMAND speaks ringbus frames over its standard streams (./bus sub --via pipe:, or"
            + " BusClients.open(\"pipe:\") in Java) and names its topic itself; an embedded bridge serves it.",
        "Many programs buffer their output when it is a pipe: a line reaches the bus when their buffer is"
            + " flushed (stdbuf -oL COMMAND, grep --line-buffered, or the end of their input helps)."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"N:the child's exit status (128 + the signal number if a signal ended it; SIGINT and SIGTERM are"
            + " passed on to the child, so Ctrl-C gives the child's status)",
        "1:a failure the one-line message explains (the command cannot be started, the bus, ...)",
        ExitCodes.USAGE},
    footer = {"", "Examples:",
        "  ./bus run --lines --sub in --pub out -- stdbuf -oL tr a-z A-Z   # in, upper-cased, to out",
        "        (stdbuf -oL: tr writes each line at once; into a pipe it would keep them until it exits)",
        "  ./bus run --lines --sub in --count 3 -- sort          # the next 3, sorted",
        "  ./bus run --lines --pub files -- ls                   # ls | ./bus pub files",
        "  ./bus run -- ./bus sub prices --via pipe:             # ringbus-aware child"})
public final class RunCommand implements Callable<Integer> {
    private static final long WAIT_SLICE_NANOS = 100_000_000L;

    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Mixin
    ViaOptions via;

    @Option(names = "--lines",
        description = "Connect a plain program: messages of --sub become lines of its input, lines of its output"
            + " are published to --pub.")
    boolean lines;

    @Option(names = "--pub", paramLabel = "TOPIC", converter = TopicArguments.Name.class,
        description = "With --lines: publish each line COMMAND prints.")
    String pubTopic;

    @Option(names = "--sub", paramLabel = "TOPIC", converter = TopicArguments.Name.class,
        description = "With --lines: write each message of TOPIC to COMMAND's standard input, as a line.")
    String subTopic;

    @Option(names = "--from", paramLabel = "latest|earliest", defaultValue = "latest",
        description = "With --sub: start with messages published from now on (latest, the default) or with the"
            + " oldest message still in the ring (earliest).")
    String from;

    @Option(names = "--count", paramLabel = "N",
        description = "With --sub: close COMMAND's standard input after N messages (default: keep it open).")
    Long count;

    private volatile boolean giveUp;

    @Parameters(index = "0..*", arity = "1..*", paramLabel = "COMMAND",
        description = "The program and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        if (!lines) {
            return runBridged();
        }
        if (pubTopic == null && subTopic == null) {
            throw new ParameterException(spec.commandLine(), "--lines needs --pub TOPIC, --sub TOPIC or both");
        }
        if (count != null && (count < 0 || subTopic == null)) {
            throw new ParameterException(spec.commandLine(), "--count needs --sub and must be 0 or more");
        }
        StartPosition start = startPosition();
        try (BusClient client = via.open(bus)) {
            Subscriber subscriber = subTopic == null ? null : client.newSubscriber(subTopic, new TopicConfig(),
                new SubscriberConfig().start(start).wakeup(WakeupMode.BLOCKING));
            Publisher publisher = pubTopic == null ? null : client.newPublisher(pubTopic, new TopicConfig());
            ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(subscriber != null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(publisher != null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
            Process child = start(builder);
            try (TerminationSignals.Installed forwarding = forwardSignals(child)) {
                return superviseLines(child, subscriber, publisher);
            }
        }
    }

    /** Pumps messages into the child and its lines out, until it exits; returns its exit status. */
    private int superviseLines(Process child, Subscriber subscriber, Publisher publisher) throws Exception {
        LinesToChild toChild = null;
        Thread toChildThread = null;
        if (subscriber != null) {
            toChild = new LinesToChild(subscriber, child, count);
            toChildThread = Thread.ofPlatform().name("bus-run-to-child").start(toChild);
        } else {
            child.getOutputStream().close();
        }
        AtomicReference<Exception> publishFailure = new AtomicReference<>();
        Thread fromChildThread = null;
        LinePublisher published = publisher == null ? null : new LinePublisher(publisher);
        if (published != null) {
            fromChildThread = Thread.ofPlatform().name("bus-run-from-child").start(() -> {
                try {
                    published.publishAll(child.getInputStream());
                } catch (IOException | RuntimeException e) {
                    publishFailure.set(e);
                    child.destroy(); // nobody would read its output any more
                } finally {
                    published.stop();
                }
            });
        }
        int status = child.waitFor();
        if (fromChildThread != null && !awaitUnlessGivenUp(not(fromChildThread::isAlive))) {
            published.stop(); // a signal after the child's exit: stop waiting for a back-pressured line
            fromChildThread.join();
            spec.commandLine().getErr().println("bus run: stopped before every line the child printed was published");
        }
        if (toChildThread != null) {
            toChild.stop();
            toChildThread.join();
        }
        if (publishFailure.get() != null) {
            throw publishFailure.get();
        }
        return status;
    }

    /**
     * Mode (a): two pipes, whose far ends become the child's standard input and output (reopened through
     * {@code /proc/self/fd}, as ProcessBuilder redirects only to files), and whose near ends an embedded
     * bridge serves as one connection: the child's hello says what it publishes or subscribes to.
     */
    private int runBridged() throws InterruptedException {
        if (pubTopic != null || subTopic != null || count != null) {
            throw new ParameterException(spec.commandLine(), "--pub, --sub and --count go with --lines; without it"
                + " the child names its topic in its own hello");
        }
        if (via.uri().isStream()) {
            throw new ParameterException(spec.commandLine(), "without --lines the child is served by a bridge in"
                + " this process, on the shared-memory bus (--dir, --bus); --via goes with --lines");
        }
        PrintWriter err = spec.commandLine().getErr();
        BridgeContext context = new BridgeContext().busContext(bus.context()).log(line -> {
            err.println("bus run: " + line);
            err.flush();
        });
        try (Bridge bridge = Bridge.start(context)) {
            int[] toChild = FileDescriptors.pipe();
            int[] fromChild;
            try {
                fromChild = FileDescriptors.pipe();
            } catch (RuntimeException e) {
                closeAll(toChild);
                throw e;
            }
            Process child;
            FdStream parentEnd;
            try {
                child = start(new ProcessBuilder(command)
                    .redirectInput(new File("/proc/self/fd/" + toChild[0]))
                    .redirectOutput(new File("/proc/self/fd/" + fromChild[1]))
                    .redirectError(ProcessBuilder.Redirect.INHERIT));
            } catch (RuntimeException e) {
                FileDescriptors.close(toChild[1]);
                FileDescriptors.close(fromChild[0]);
                throw e;
            } finally {
                FileDescriptors.close(toChild[0]); // the child has its own copies now
                FileDescriptors.close(fromChild[1]);
            }
            parentEnd = FdStream.adopt(fromChild[0], toChild[1], "pipes of " + command.getFirst() + " (pid "
                + child.pid() + ")");
            try (TerminationSignals.Installed forwarding = forwardSignals(child)) {
                bridge.serve(parentEnd);
                int status = child.waitFor();
                // Its last frames may still be in the pipe: let the session read them to the end (a
                // signal now stops waiting; a back-pressured publisher session could wait for long).
                if (!awaitUnlessGivenUp(() -> bridge.activeSessions() == 0)) {
                    err.println("bus run: stopped before the child's last messages were all published");
                }
                return status;
            }
        }
    }

    private static void closeAll(int[] fds) {
        for (int fd : fds) {
            FileDescriptors.close(fd);
        }
    }

    /**
     * Passes SIGINT and SIGTERM on to the child while it runs; one that comes after it exited (while its
     * last output is being published) sets {@link #giveUp} instead.
     */
    private TerminationSignals.Installed forwardSignals(Process child) {
        return TerminationSignals.handle(signal -> {
            if (child.isAlive()) {
                Processes.signal(child.pid(), signal);
            } else {
                giveUp = true;
            }
        });
    }

    private static BooleanSupplier not(BooleanSupplier condition) {
        return () -> !condition.getAsBoolean();
    }

    /** Waits until {@code done} says so or a signal says to give up; returns whether it was done. */
    private boolean awaitUnlessGivenUp(BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) {
            if (giveUp) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private Process start(ProcessBuilder builder) {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new io.ringbus.core.RingBusException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        }
    }

    private StartPosition startPosition() {
        return switch (from.toLowerCase(Locale.ROOT)) {
            case "latest" -> StartPosition.LATEST;
            case "earliest" -> StartPosition.EARLIEST;
            default -> throw new ParameterException(spec.commandLine(),
                "--from must be latest or earliest, not '" + from + "'");
        };
    }

    /**
     * Writes each message as a line to the child's standard input until the child stops reading
     * (a broken pipe), {@code count} messages were written (then closes the pipe), or {@link #stop()}.
     */
    private static final class LinesToChild implements Runnable {
        private final Subscriber subscriber;
        private final OutputStream stdin;
        private final Long count;
        private byte[] bytes = new byte[256];
        private long written;
        private volatile boolean stopped;

        LinesToChild(Subscriber subscriber, Process child, Long count) {
            this.subscriber = subscriber;
            this.stdin = new BufferedOutputStream(child.getOutputStream(), 64 * 1024);
            this.count = count;
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            try (OutputStream out = stdin) {
                while (!stopped && (count == null || written < count)) {
                    int limit = count == null ? 256 : (int) Math.min(256, count - written);
                    if (subscriber.await(this::write, limit, WAIT_SLICE_NANOS) > 0) {
                        out.flush();
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // The child closed its standard input or exited: it reads no more.
            } finally {
                subscriber.close();
            }
        }

        private void write(int type, MemorySegment buffer, long offset, int length) {
            if (length > bytes.length) {
                bytes = new byte[Math.max(length, bytes.length * 2)];
            }
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
            try {
                stdin.write(bytes, 0, length);
                stdin.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            written++;
        }
    }
}
