package io.ringbus.examples.bench.ring;

import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.PingLoop;
import io.ringbus.examples.bench.child.PublisherLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.examples.bench.child.SubscriberLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The Chronicle Queue side of {@link PingPongLatency} and {@link OneToOneThroughput}: a
 * {@code SingleChronicleQueue} per direction in a directory in /dev/shm, appended to by one process
 * and tailed by the other with a spinning tailer; every message is one document of the run's message
 * length (64 bytes unless the roles are given another), copied in and copied out whole, as on the rings.
 *
 * <pre>
 *   ping JVM --append--> [ queue dir: ping ] --tail--> pong JVM
 *   ping JVM <--tail---- [ queue dir: pong ] <-append-- pong JVM (echoes the whole payload)
 * </pre>
 *
 * <p>Runs only in JVMs started with {@link #JVM_FLAGS}: on JDK 25 Chronicle needs add-opens and
 * add-exports into java.base and jdk.compiler (ringbus's own JVMs never get them). A queue only grows,
 * so the throughput roles open a fresh queue directory for every run ({@code RUN n <dir>}) and delete
 * the one before.
 */
final class ChronicleQueuePeer {
    static final String PING_ROLE = "chronicle-ping";
    static final String PONG_ROLE = "chronicle-pong";
    static final String PUBLISHER_ROLE = "chronicle-publisher";
    static final String SUBSCRIBER_ROLE = "chronicle-subscriber";

    /** Chronicle Queue's documented flags for JDK 17 and later, plus quiet logs and no analytics. */
    static final List<String> JVM_FLAGS = List.of(
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow",
        "-Dchronicle.analytics.disable=true",
        "-Dslf4j.internal.verbosity=ERROR");

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final long STOP = -1;

    private ChronicleQueuePeer() {
    }

    static ChronicleQueue open(String directory) {
        return SingleChronicleQueueBuilder.single(directory).build();
    }

    /** Appends one document holding the first {@code length} bytes of {@code payload}. */
    static void append(ExcerptAppender appender, byte[] payload, int length) {
        try (DocumentContext document = appender.writingDocument()) {
            document.wire().bytes().write(payload, 0, length);
        }
    }

    /**
     * Copies the next document into {@code copy} (at most its length); returns the bytes copied, or -1
     * when there is no document yet.
     */
    static int read(ExcerptTailer tailer, byte[] copy) {
        try (DocumentContext document = tailer.readingDocument()) {
            if (!document.isPresent()) {
                return -1;
            }
            return document.wire().bytes().read(copy);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root + ": " + e, e);
        }
    }

    /**
     * Appends a ping, tails the pong queue for its echo, copied out. Arguments: {@code <ping dir> <pong dir>
     * [<message length>]}.
     */
    static final class Ping extends PingLoop {
        private final ChronicleQueue pingQueue;
        private final ChronicleQueue pongQueue;
        private final ExcerptAppender appender;
        private final ExcerptTailer tailer;
        private final int length;
        private final byte[] payload;
        private final byte[] copy;

        Ping(String[] args, SpinGuard guard) {
            super(guard);
            this.length = PingPongLatency.length(args);
            payload = new byte[length];
            copy = new byte[length];
            pingQueue = open(args[0]);
            pongQueue = open(args[1]);
            appender = pingQueue.createAppender();
            tailer = pongQueue.createTailer().toEnd();
        }

        @Override
        protected long roundTrip(long sequence) {
            LONG.set(payload, 0, sequence);
            append(appender, payload, length);
            while (read(tailer, copy) < 0) {
                guard.spin();
            }
            return (long) LONG.get(copy, 0);
        }

        @Override
        protected void sendStop() {
            LONG.set(payload, 0, STOP);
            append(appender, payload, length);
        }

        @Override
        public void close() {
            tailer.close();
            appender.close();
            pingQueue.close();
            pongQueue.close();
        }
    }

    /**
     * Echoes every ping, the whole payload, into the pong queue. Arguments: {@code <ping dir> <pong dir>
     * [<message length>]}.
     */
    static final class Pong implements ChildRole {
        private final ChronicleQueue pingQueue;
        private final ChronicleQueue pongQueue;
        private final ExcerptAppender appender;
        private final ExcerptTailer tailer;
        private final byte[] copy;
        private final SpinGuard guard;

        Pong(String[] args, SpinGuard guard) {
            this.guard = guard;
            copy = new byte[PingPongLatency.length(args)];
            pingQueue = open(args[0]);
            pongQueue = open(args[1]);
            appender = pongQueue.createAppender();
            tailer = pingQueue.createTailer().toEnd();
        }

        @Override
        public void execute(String[] command) {
            while (true) {
                int length = read(tailer, copy);
                if (length < 0) {
                    guard.spin();
                    continue;
                }
                if ((long) LONG.get(copy, 0) == STOP) {
                    break;
                }
                append(appender, copy, length);
            }
            ChildRunner.reply("DONE");
        }

        @Override
        public void close() {
            tailer.close();
            appender.close();
            pingQueue.close();
            pongQueue.close();
        }
    }

    /**
     * Appends every message; never refused (a queue has no back-pressure). Arguments: {@code <publisher id>
     * [<message length>]}.
     */
    static final class Publisher extends PublisherLoop {
        private final byte[] payload;
        private ChronicleQueue queue;
        private ExcerptAppender appender;

        Publisher(String[] args, SpinGuard guard) {
            super(guard);
            payload = new byte[ThroughputHarness.length(args, 1)];
            INT.set(payload, PUBLISHER_OFFSET, Integer.parseInt(args[0]));
        }

        @Override
        protected void prepare(String[] command) {
            closeQueue();
            queue = open(command[2]);
            appender = queue.createAppender();
        }

        @Override
        protected boolean offer(long sequence) {
            LONG.set(payload, SEQUENCE_OFFSET, sequence);
            append(appender, payload, payload.length);
            return true;
        }

        /** Closes the run's queue, so that the subscriber may delete it before the next run. */
        @Override
        protected void finish() {
            closeQueue();
        }

        private void closeQueue() {
            if (queue != null) {
                appender.close();
                queue.close();
                queue = null;
            }
        }

        @Override
        public void close() {
            closeQueue();
        }
    }

    /**
     * Tails the run's queue, copying each message out. Arguments: {@code <publishers> [<message length>]}; each
     * {@code RUN n <dir>} opens {@code dir} and deletes the previous run's queue directory.
     */
    static final class Subscriber extends SubscriberLoop {
        private final byte[] copy;
        private ChronicleQueue queue;
        private ExcerptTailer tailer;
        private Path directory;

        Subscriber(String[] args, SpinGuard guard) {
            super(guard, Integer.parseInt(args[0]));
            copy = new byte[ThroughputHarness.length(args, 1)];
        }

        @Override
        protected void prepare(String[] command) {
            Path previous = directory;
            closeQueue();
            if (previous != null) {
                deleteTree(previous);
            }
            directory = Path.of(command[2]);
            queue = open(command[2]);
            tailer = queue.createTailer();
        }

        @Override
        protected int poll() {
            int read = 0;
            while (read < POLL_LIMIT && read(tailer, copy) >= 0) {
                received((long) LONG.get(copy, PublisherLoop.SEQUENCE_OFFSET),
                    (int) INT.get(copy, PublisherLoop.PUBLISHER_OFFSET));
                read++;
            }
            return read;
        }

        private void closeQueue() {
            if (queue != null) {
                tailer.close();
                queue.close();
                queue = null;
            }
        }

        @Override
        public void close() {
            closeQueue();
        }
    }
}
