package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.RecordDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file format is documented well enough for another language: {@code src/test/c/ringbus_dump.c},
 * written from {@code bus-core/FORMAT.md} alone, compiled with gcc and run against live topic files.
 * It must print exactly the messages a Java publisher committed, at their positions, from the oldest
 * intact record to the tail; and, with a publisher lapping the ring while it reads, only intact
 * messages (it holds no cursor, so it validates each copy as the format says). Skipped, with the
 * reason, where gcc is missing.
 */
class ReferenceReaderTest {
    private static final int CAPACITY = 4096;
    private static final Path SOURCE = Path.of("src/test/c/ringbus_dump.c");
    private static Path binary;

    @TempDir
    Path scratch;

    @BeforeAll
    static void compile() throws Exception {
        boolean gcc;
        try {
            gcc = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            gcc = false;
        }
        assumeTrue(gcc, "gcc is not installed (apt-get install gcc): the C reference reader is not checked");
        binary = Path.of("target", "ringbus_dump").toAbsolutePath();
        Files.createDirectories(binary.getParent());
        Process build = new ProcessBuilder("gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-o",
            binary.toString(), SOURCE.toString()).redirectErrorStream(true).start();
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, build.waitFor(), "gcc failed on " + SOURCE + ":\n" + output);
    }

    private record Dump(List<long[]> positionsAndLengths, List<String> payloads, List<Long> publishTimes,
        String stderr, int exit) {
    }

    private Dump dump(Path topicFile) throws Exception {
        Process process = new ProcessBuilder(binary.toString(), topicFile.toString()).start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "ringbus_dump did not finish");
        List<long[]> records = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        List<Long> publishTimes = new ArrayList<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split(" ", -1);
            assertTrue(fields.length == 4 || fields.length == 5, "line '" + line + "'");
            if (fields.length == 5) {
                publishTimes.add(Long.parseLong(fields[4]));
            }
            records.add(new long[] {Long.parseLong(fields[0]), Integer.parseInt(fields[1]),
                Integer.parseInt(fields[2])});
            payloads.add(new String(HexFormat.of().parseHex(fields[3]), StandardCharsets.UTF_8));
        }
        return new Dump(records, payloads, publishTimes, err, process.exitValue());
    }

    private static String message(long seq) {
        return "m" + seq + "-" + "x".repeat((int) (seq * 7 % 90));
    }

    /** On a timestamped topic the reader strips the publish time off each message and prints it. */
    @Test
    void readsThePublishTimesOfATimestampedTopic() throws Exception {
        try (Bus bus = Bus.open(new BusContext().directory(scratch.resolve("bus")))) {
            TopicConfig config = new TopicConfig().capacity(CAPACITY).timestamps(true);
            Subscriber subscriber = bus.newSubscriber("stamped", config, new SubscriberConfig());
            Publisher publisher = bus.newPublisher("stamped", config);
            List<String> sent = new ArrayList<>();
            for (int seq = 0; seq < 50; seq++) {
                sent.add(message(seq));
                assertTrue(publisher.offer(message(seq).getBytes(StandardCharsets.UTF_8)) >= 0);
            }
            List<Long> times = new ArrayList<>();
            while (subscriber.poll((type, buffer, offset, length) -> times.add(subscriber.publishTime()), 100) > 0) {
                // until empty
            }
            Dump dump = dump(scratch.resolve("bus").resolve("stamped.topic"));
            assertEquals(0, dump.exit(), dump.stderr());
            assertEquals(sent, dump.payloads());
            assertEquals(times, dump.publishTimes(), "the times subscribers read");
            for (int i = 0; i < sent.size(); i++) {
                assertEquals(sent.get(i).length(), dump.positionsAndLengths().get(i)[2], "length without the time");
            }
        }
    }

    @Test
    void printsExactlyTheCommittedMessagesFromTheOldestIntactRecordToTheTail() throws Exception {
        Map<Long, String> published = new ConcurrentHashMap<>();
        long tail;
        long last;
        try (Bus bus = Bus.open(new BusContext().directory(scratch.resolve("bus")));
             Publisher publisher = bus.newPublisher("fmt", new TopicConfig().capacity(CAPACITY))) {
            long seq = 0;
            long position = 0;
            while (position < 3L * CAPACITY + 100) {
                String text = message(seq++);
                position = publisher.offer(text.getBytes(StandardCharsets.UTF_8));
                assertTrue(position >= 0, "offer refused: " + position);
                published.put(position, text);
            }
            last = position;
            tail = position + RecordDescriptor.recordLength(message(seq - 1).length());
            Dump dump = dump(scratch.resolve("bus").resolve("fmt.topic"));
            assertEquals(0, dump.exit(), dump.stderr());
            assertEquals("", dump.stderr());
            List<Long> expected = published.keySet().stream().filter(p -> p >= tail - CAPACITY).sorted().toList();
            List<Long> positions = dump.positionsAndLengths().stream().map(r -> r[0]).toList();
            assertEquals(expected, positions, "every record from the oldest intact one to the tail, in order");
            for (int i = 0; i < positions.size(); i++) {
                long[] record = dump.positionsAndLengths().get(i);
                assertEquals(0, record[1], "type");
                assertEquals(published.get(positions.get(i)), dump.payloads().get(i), "payload at " + positions.get(i));
                assertEquals(dump.payloads().get(i).length(), record[2], "length");
            }
            assertEquals(last, positions.get(positions.size() - 1));
        }
    }

    @Test
    void whileAPublisherLapsTheRingItPrintsOnlyIntactMessagesInOrder() throws Exception {
        Map<Long, String> published = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (Bus bus = Bus.open(new BusContext().directory(scratch.resolve("bus")));
             Publisher publisher = bus.newPublisher("live", new TopicConfig().capacity(CAPACITY))) {
            Thread writer = new Thread(() -> {
                long seq = 0;
                while (!stop.get()) {
                    String text = message(seq);
                    long position = publisher.offer(text.getBytes(StandardCharsets.UTF_8));
                    if (position >= 0) {
                        published.put(position, text);
                        seq++;
                    }
                }
            });
            writer.start();
            List<Dump> dumps = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    dumps.add(dump(scratch.resolve("bus").resolve("live.topic")));
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            int printed = 0;
            for (Dump dump : dumps) {
                assertEquals(0, dump.exit(), dump.stderr());
                long previous = -1;
                for (int i = 0; i < dump.payloads().size(); i++) {
                    long position = dump.positionsAndLengths().get(i)[0];
                    assertEquals(published.get(position), dump.payloads().get(i), "intact message at " + position);
                    assertTrue(position > previous, "in position order");
                    previous = position;
                    printed++;
                }
            }
            assertTrue(printed > 0, "the dumps printed something");
            System.out.println("ringbus_dump beside a lapping publisher: " + printed + " intact messages in 20 dumps");
        }
    }
}
