package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Subscriber;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code bus clean} removes what dead processes left, and nothing a live one uses. */
class CleanCommandTest {
    private Path directory;
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void createDirectory() throws Exception {
        directory = Cli.newBusDirectory();
        Bus.open(new BusContext().directory(directory)).close();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process child : children) {
            Cli.crash(child);
        }
        Cli.deleteTree(directory.getParent());
    }

    private Process startSubscriber(String topic, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("sub", topic, "--dir", directory.toString()));
        args.addAll(List.of(more));
        Process child = Cli.start(args.toArray(String[]::new));
        children.add(child);
        return child;
    }

    private void awaitJoined(String topic, Process child) throws InterruptedException {
        Cli.awaitTopic(directory, topic, t -> t.subscribers().stream().anyMatch(s -> s.pid() == child.pid()));
    }

    private Cli.Result clean(String... more) {
        List<String> args = new ArrayList<>(List.of("clean", "--dir", directory.toString()));
        args.addAll(List.of(more));
        Cli.Result result = Cli.run("", args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.err());
        return result;
    }

    private boolean exists(String topic) {
        return Files.exists(directory.resolve(topic + ".topic"));
    }

    @Test
    void removesTopicsOnlyDeadProcessesHeldFreesDeadSlotsAndNeverTouchesALiveTopic() throws Exception {
        Process deadOwner = startSubscriber("dead");
        Process liveOwner = startSubscriber("live", "--count", "1");
        Process crashed = startSubscriber("live");
        awaitJoined("dead", deadOwner);
        awaitJoined("live", liveOwner);
        awaitJoined("live", crashed);
        int crashedSlot = Cli.awaitTopic(directory, "live", t -> true).subscribers().stream()
            .filter(s -> s.pid() == crashed.pid()).findFirst().orElseThrow().slot();
        assertEquals(0, Cli.run("old\n", "pub", "closed", "--dir", directory.toString()).exitCode());
        Cli.crash(deadOwner);
        Cli.crash(crashed);

        Cli.Result dryRun = clean("--dry-run");
        assertTrue(dryRun.out().contains("would remove topic dead ("), dryRun.out());
        assertTrue(dryRun.out().contains("would remove topic closed ("), dryRun.out());
        assertTrue(dryRun.out().contains("would free subscriber slot " + crashedSlot + " of topic live (dead pid "
            + crashed.pid()),
            dryRun.out());
        assertFalse(dryRun.out().contains("remove topic live"), dryRun.out());
        assertTrue(exists("dead") && exists("closed") && exists("live"));
        assertEquals(2, Cli.awaitTopic(directory, "live", t -> true).subscribers().size());

        Cli.Result cleaned = clean();
        assertTrue(cleaned.out().contains("removed topic dead ("), cleaned.out());
        assertTrue(cleaned.out().contains("removed topic closed ("), cleaned.out());
        assertTrue(cleaned.out().contains("freed subscriber slot " + crashedSlot + " of topic live (dead pid "
            + crashed.pid()),
            cleaned.out());
        assertFalse(exists("dead"));
        assertFalse(exists("closed"));
        assertTrue(exists("live"));
        assertFalse(cleaned.out().contains("remove topic live"), cleaned.out());
        TopicSnapshot live = Cli.awaitTopic(directory, "live", t -> true);
        assertEquals(List.of(liveOwner.pid()), live.subscribers().stream().map(s -> (long) s.pid()).toList());

        // The live subscriber still works: it receives the next message and exits.
        assertEquals(0, Cli.run("still here\n", "pub", "live", "--dir", directory.toString()).exitCode());
        assertEquals(0, Cli.await(liveOwner, 60));
        assertEquals("still here\n", new String(liveOwner.getInputStream().readAllBytes(), StandardCharsets.UTF_8));

        // Now that its last subscriber has exited, the topic is dead too.
        assertTrue(clean().out().startsWith("removed topic live ("));
        assertTrue(clean().out().startsWith("nothing to clean"), "a last clean finds nothing");
    }

    @Test
    void aDeadDurableSubscriberIsKeptUnlessAskedAndThenItsPositionGoes() throws Exception {
        Process durable = startSubscriber("audited", "--name", "audit");
        // Its name as well as its pid: a kill between the two (under load) left a plain dead subscriber, whose
        // topic clean then rightly removed.
        Cli.awaitTopic(directory, "audited", t -> t.subscribers().stream()
            .anyMatch(s -> s.pid() == durable.pid() && s.durable()));
        Cli.crash(durable);

        Cli.Result kept = clean();
        assertTrue(kept.out().contains("kept topic audited"), kept.out());
        assertTrue(exists("audited"));

        Cli.Result removed = clean("--durable");
        assertTrue(removed.out().contains("removed topic audited"), removed.out());
        assertFalse(exists("audited"));
    }

    @Test
    void inALiveTopicADeadDurableSlotIsFreedOnlyWithDurable() throws Exception {
        try (Bus bus = Bus.open(new BusContext().directory(directory));
             Subscriber live = bus.newSubscriber("mixed")) {
            Process durable = startSubscriber("mixed", "--name", "audit");
            Cli.awaitTopic(directory, "mixed", t -> t.subscribers().stream()
                .anyMatch(s -> s.pid() == durable.pid() && s.parked()));
            Cli.crash(durable); // while parked: its parked flag stays set

            assertFalse(clean().out().contains("audit"));
            TopicSnapshot kept = Cli.awaitTopic(directory, "mixed", t -> true);
            assertEquals(2, kept.subscribers().size());
            assertFalse(kept.subscribers().get(1).parked(), "clean cleared the dead subscriber's parked flag");

            Cli.Result freed = clean("--durable");
            assertTrue(freed.out().contains("freed subscriber slot 1 of topic mixed (dead pid " + durable.pid()
                + ", durable 'audit'"), freed.out());
            TopicSnapshot after = Cli.awaitTopic(directory, "mixed", t -> true);
            assertEquals(1, after.subscribers().size());
            assertTrue(after.subscribers().get(0).alive());
            assertNotNull(live);
        }
    }

    @Test
    void temporaryFilesAreRemovedOnlyWhenTheirCreatorIsDeadAndTheyAreOld() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long deadPid = gone.pid();
        long livePid = ProcessHandle.current().pid();
        Path deadAndOld = touch(".creating-t.x." + deadPid + ".1a2b", true);
        Path liveAndOld = touch(".creating-t." + livePid + ".1a2b", true);
        Path deadButNew = touch(".creating-u." + deadPid + ".3c4d", false);

        Cli.Result dryRun = clean("--dry-run");
        assertTrue(dryRun.out().contains("would remove " + deadAndOld + " (temporary file of dead pid " + deadPid),
            dryRun.out());
        assertTrue(Files.exists(deadAndOld));

        Cli.Result cleaned = clean();
        assertTrue(cleaned.out().contains("removed " + deadAndOld), cleaned.out());
        assertFalse(Files.exists(deadAndOld));
        assertTrue(Files.exists(liveAndOld), "its creator is alive");
        assertTrue(Files.exists(deadButNew), "too young: its creator may be in another pid namespace");
    }

    private Path touch(String name, boolean old) throws Exception {
        Path file = Files.writeString(directory.resolve(name), "partial");
        if (old) {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
        }
        return file;
    }
}
