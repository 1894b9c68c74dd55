package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Four processes open-or-create the same topic at the same instant (each spins on a start file
 * after warming up, so their creations overlap): all succeed, exactly one topic file exists and no
 * temporary file is left, all see the same shape made by one of them, and messages flow between
 * all four. Three rounds, on three topics. Then a process requiring another shape gets
 * TopicMismatchException.
 */
class ConcurrentCreateTest {
    private static final int PROCESSES = 4;
    private static final int ROUNDS = 3;
    private static final int MESSAGES = 200;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    @Timeout(120)
    void racingCreatorsEndWithOneTopicTheyAllUse() throws Exception {
        Path go = fixture.root().resolve("go-");
        Path flow = fixture.root().resolve("flow-");
        List<ChildJvm> racers = new ArrayList<>();
        for (int p = 0; p < PROCESSES; p++) {
            racers.add(fixture.start("racer-" + p, CreateRaceMain.class, "--dir", fixture.busDir().toString(),
                "--warm", fixture.root().resolve("warm-" + p).toString(), "--id", Integer.toString(p),
                "--rounds", Integer.toString(ROUNDS), "--count", Integer.toString(MESSAGES),
                "--processes", Integer.toString(PROCESSES), "--go", go.toString(), "--flow", flow.toString()));
        }
        Set<String> pids = new HashSet<>();
        for (ChildJvm racer : racers) {
            racer.awaitLine("WAITING", TIMEOUT);
            pids.add(Long.toString(racer.pid()));
        }
        List<String> creators = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Files.createFile(Path.of(go.toString() + round));
            Set<String> shapes = new HashSet<>();
            for (ChildJvm racer : racers) {
                racer.awaitLine("JOINED " + round, TIMEOUT);
                shapes.add(racer.awaitLine("SHAPE " + round + " ", TIMEOUT));
            }
            assertEquals(1, shapes.size(), "all racers see the same topic: " + shapes);
            String shape = shapes.iterator().next();
            assertTrue(shape.contains("capacity=65536 maxMessageLength=1024 producerMode=MANY maxPublishers=8"
                + " maxSubscribers=8 wakeup=true"), shape);
            String creator = shape.substring(shape.indexOf("creator=") + "creator=".length());
            assertTrue(pids.contains(creator), "the topic was made by one of the racers: " + shape);
            creators.add(creator);
            assertEquals(List.of("race-" + round + ".topic"), topicDirectoryEntries(round),
                "exactly one file for the topic, no temporary file left");

            Files.createFile(Path.of(flow.toString() + round));
            for (ChildJvm racer : racers) {
                assertEquals("RECEIVED " + round + " " + (PROCESSES * MESSAGES) + " ok",
                    racer.awaitLine("RECEIVED " + round + " ", TIMEOUT), racer.describe());
            }
        }
        racers.forEach(racer -> racer.awaitLine("DONE", TIMEOUT));
        System.out.println("concurrent create: creators by round " + creators + " among racers " + pids);

        ChildJvm mismatched = fixture.start("mismatched", PublisherMain.class, "--dir", fixture.busDir().toString(),
            "--topic", "race-0", "--capacity", Integer.toString(1 << 17), "--count", "1");
        String error = mismatched.awaitLine("ERROR", TIMEOUT);
        assertTrue(error.startsWith("ERROR io.ringbus.core.TopicMismatchException: "), error);
        assertTrue(error.contains("capacity is 65536, required 131072"), error);
        assertTrue(error.contains(fixture.topicPath("race-0").toString()), error);
        assertEquals(ChildSupport.TYPED_ERROR_EXIT, mismatched.awaitExit(TIMEOUT));
    }

    /** The names in the bus directory that belong to round {@code round}'s topic, temporary ones included. */
    private List<String> topicDirectoryEntries(int round) throws Exception {
        try (Stream<Path> files = Files.list(fixture.busDir())) {
            return files.map(p -> p.getFileName().toString())
                .filter(name -> name.contains("race-" + round + ".")).sorted().toList();
        }
    }
}
