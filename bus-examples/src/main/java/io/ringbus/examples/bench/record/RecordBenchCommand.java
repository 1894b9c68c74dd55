package io.ringbus.examples.bench.record;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.transport.record.Entry;
import io.ringbus.transport.record.EntryDescriptor;
import io.ringbus.transport.record.Recording;
import io.ringbus.transport.record.Replayer;
import io.ringbus.transport.record.TopicRecorder;
import io.ringbus.examples.support.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bus bench record}: recording and replay throughput, beside a bare Chronicle Queue appender measured in
 * the same run, interleaved (each run measures every row once, in the same order).
 *
 * <pre>
 *   bare-append:    one thread --appender.writingDocument(): 32-byte entry header + payload--> queue
 *   record:         publisher thread --offer--> [ topic, 4 MiB ] --durable subscriber--> TopicRecorder --> queue
 *   replay-read:    queue --Replayer.next(): header checked, payload copied--> (nothing)
 *   replay-publish: queue --Replayer--> publisher --offer--> [ topic ] --> subscriber thread (counts)
 * </pre>
 *
 * <p>Everything in /dev/shm (queues and topics), so the disk is out of it: these are the software's figures.
 * {@code record / bare-append} is what the ring, the durable subscriber and its explicit commits add to
 * Chronicle's own appending. Two threads share the machine's cores with whatever else runs: on a 2-core VM
 * the figures are noisy; the ratio of two rows of one run is steadier than either.
 */
@Command(name = "record", mixinStandardHelpOptions = true,
    description = {"Recording throughput (bus record's TopicRecorder fed by a publisher thread) beside a bare Chronicle"
            + " Queue appender writing the same entries, and replay throughput (reading a recording; replaying it"
            + " into a topic that a subscriber thread drains), interleaved in each run; medians and the ratio"
            + " record / bare-append.",
        "Queues and topics live in a fresh directory under /dev/shm, removed at the end. --quick: 2 runs of"
            + " 200,000 messages (a few seconds); the default: 5 runs of 1,000,000."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":measured", "1:a failure the one-line message explains", ExitCodes.USAGE},
    footer = {"", "Examples:", "  ./bus bench record --quick", "  ./bus bench record --runs 7 --size 256"})
public final class RecordBenchCommand implements Callable<Integer> {
    /** Printed before the result table, so that {@code bench all} can take the table from a child's output. */
    public static final String TABLE_MARK = "== bench record results ==";
    private static final int CAPACITY = 4 * 1024 * 1024;
    private static final String[] ROWS = {"bare-append", "record", "replay-read", "replay-publish"};

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "2 runs of 200,000 messages.")
    boolean quick;

    @Option(names = "--runs", paramLabel = "N", description = "Measured runs (default 5, --quick 2).")
    Integer runs;

    @Option(names = "--messages", paramLabel = "N", description = "Messages per row and run (default 1,000,000,"
        + " --quick 200,000).")
    Integer messages;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64",
        description = "Payload bytes per message (default: ${DEFAULT-VALUE}).")
    int size;

    private Path root;
    private byte[] payload;

    /** {@code bus bench record} on its own, for a child JVM given the Chronicle flags ({@code bench all}'s). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new RecordBenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        int runCount = runs != null ? runs : quick ? 2 : 5;
        int count = messages != null ? messages : quick ? 200_000 : 1_000_000;
        if (runCount < 1 || count < 1 || size < 1 || size > CAPACITY / 8) {
            throw new ParameterException(spec.commandLine(), "--runs and --messages must be at least 1, --size"
                + " between 1 and " + CAPACITY / 8);
        }
        PrintWriter out = spec.commandLine().getOut();
        payload = new byte[size];
        Arrays.fill(payload, (byte) 'r');
        root = Files.createTempDirectory(Path.of("/dev/shm"), "ringbus-bench-record-");
        double[][] rates = new double[ROWS.length][runCount + 1];
        try {
            out.printf("bench record: %d B payloads, %,d messages per row, 1 warm-up run + %d measured, in %s%n",
                size, count, runCount, root);
            for (int run = 0; run <= runCount; run++) {
                Path dir = Files.createDirectory(root.resolve("run" + run));
                rates[0][run] = bareAppend(dir.resolve("bare"), count);
                rates[1][run] = record(dir, count);
                rates[2][run] = replayRead(dir, count);
                rates[3][run] = replayPublish(dir, count);
                out.printf("%s %d: bare-append %s  record %s  replay-read %s  replay-publish %s%n",
                    run == 0 ? "warm-up" : "run", run, rate(rates[0][run]), rate(rates[1][run]), rate(rates[2][run]),
                    rate(rates[3][run]));
                out.flush();
                delete(dir);
            }
            printTable(out, rates, runCount);
        } finally {
            delete(root);
        }
        return 0;
    }

    /** The same entries TopicRecorder appends (header, payload), by one thread, as fast as Chronicle takes them. */
    private double bareAppend(Path directory, int count) {
        try (Recording recording = Recording.openForAppend(directory.getParent(), directory.getFileName().toString(),
            "daily"); ExcerptAppender appender = recording.queue().createAppender()) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                try (DocumentContext document = appender.writingDocument()) {
                    Bytes<?> bytes = document.wire().bytes();
                    bytes.writeByte(EntryDescriptor.MESSAGE);
                    bytes.writeByte((byte) 0);
                    bytes.writeShort((short) 0);
                    bytes.writeInt(0);
                    bytes.writeLong(i * 96L);
                    bytes.writeLong(start);
                    bytes.writeInt(size);
                    bytes.writeInt(0);
                    bytes.write(payload);
                }
            }
            return count / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** A publisher thread offers {@code count} messages; a TopicRecorder records them; timed until the last is in. */
    private double record(Path directory, int count) throws InterruptedException {
        try (Bus bus = Bus.open(new BusContext().directory(directory.resolve("bus")));
             Recording recording = Recording.openForAppend(directory.resolve("rec"), "t", "daily")) {
            TopicConfig topic = new TopicConfig().capacity(CAPACITY);
            Publisher publisher = bus.newPublisher("t", topic);
            TopicRecorder recorder = new TopicRecorder(recording, 0, count);
            Thread feeder = Thread.ofPlatform().name("bench-record-publisher").unstarted(() -> offerAll(publisher,
                count));
            long[] started = new long[1];
            try {
                recorder.run(listener -> {
                    Subscriber subscriber = bus.newSubscriber("t", topic, TopicRecorder.durable(
                        new SubscriberConfig().start(StartPosition.EARLIEST).wakeup(WakeupMode.BLOCKING), "recorder",
                        listener));
                    started[0] = System.nanoTime();
                    feeder.start();
                    return subscriber;
                }, () -> false);
            } finally {
                recorder.close();
            }
            double rate = count / ((System.nanoTime() - started[0]) / 1e9);
            feeder.join();
            if (recorder.recorded() != count) {
                throw new IllegalStateException("recorded " + recorder.recorded() + " of " + count);
            }
            return rate;
        }
    }

    private void offerAll(Publisher publisher, int count) {
        for (int i = 0; i < count; i++) {
            while (publisher.offer(payload) < 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** Reads the recording {@link #record} made, entry by entry (each checked and its payload copied). */
    private double replayRead(Path directory, int count) {
        try (Recording recording = Recording.openForRead(directory.resolve("rec"), "t");
             Replayer replayer = new Replayer(recording)) {
            long start = System.nanoTime();
            long read = 0;
            for (Entry entry = replayer.next(); entry != null; entry = replayer.next()) {
                read += entry.isMessage() ? 1 : 0;
            }
            double rate = read / ((System.nanoTime() - start) / 1e9);
            if (read != count) {
                throw new IllegalStateException("read " + read + " of " + count);
            }
            return rate;
        }
    }

    /** Replays the recording into a fresh topic that a subscriber thread drains; timed until it has them all. */
    private double replayPublish(Path directory, int count) throws InterruptedException {
        try (Bus bus = Bus.open(new BusContext().directory(directory.resolve("replay-bus")));
             Recording recording = Recording.openForRead(directory.resolve("rec"), "t");
             Replayer replayer = new Replayer(recording)) {
            TopicConfig topic = new TopicConfig().capacity(CAPACITY);
            Subscriber subscriber = bus.newSubscriber("copy", topic, new SubscriberConfig()
                .start(StartPosition.EARLIEST).wakeup(WakeupMode.SPIN));
            Publisher publisher = bus.newPublisher("copy", topic);
            AtomicLong received = new AtomicLong();
            Thread drain = Thread.ofPlatform().name("bench-replay-subscriber").start(() -> {
                long got = 0;
                while (got < count) {
                    got += subscriber.poll((type, buffer, offset, length) -> { }, 256);
                }
                received.set(got);
            });
            long start = System.nanoTime();
            for (Entry entry = replayer.next(); entry != null; entry = replayer.next()) {
                while (publisher.offer(entry.payload(), 0, entry.length()) < 0) {
                    Thread.onSpinWait();
                }
            }
            drain.join();
            double rate = count / ((System.nanoTime() - start) / 1e9);
            if (received.get() != count) {
                throw new IllegalStateException("replayed " + received.get() + " of " + count);
            }
            return rate;
        }
    }

    private static void printTable(PrintWriter out, double[][] rates, int runCount) {
        out.println();
        out.println(TABLE_MARK);
        out.printf("%-16s %16s %16s %16s%n", "row", "median msg/s", "min msg/s", "max msg/s");
        double[] medians = new double[ROWS.length];
        for (int row = 0; row < ROWS.length; row++) {
            double[] measured = Arrays.copyOfRange(rates[row], 1, runCount + 1);
            Arrays.sort(measured);
            medians[row] = median(measured);
            out.printf("%-16s %16s %16s %16s%n", ROWS[row], rate(medians[row]), rate(measured[0]),
                rate(measured[measured.length - 1]));
        }
        List<Double> ratios = new ArrayList<>();
        for (int run = 1; run <= runCount; run++) {
            ratios.add(rates[1][run] / rates[0][run]);
        }
        ratios.sort(Comparator.naturalOrder());
        double[] sorted = ratios.stream().mapToDouble(Double::doubleValue).toArray();
        out.printf("record / bare-append: %.2f (median of the per-run ratios; 1.00 = recording costs no more than"
            + " Chronicle's own appending)%n", median(sorted));
        out.flush();
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String rate(double perSecond) {
        return String.format("%,.0f", perSecond);
    }

    private static void delete(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
