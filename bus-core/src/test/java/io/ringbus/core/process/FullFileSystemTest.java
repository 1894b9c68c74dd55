package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.os.FileSystemFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bus on a full file system (a 1 MiB tmpfs mounted for the test; skipped with the reason when
 * mounting is not allowed): creating a topic bigger than the space left fails with
 * FileSystemFullException and leaves no file behind, and a topic already there keeps working,
 * within this process and for a subscriber process, through several laps of its ring (every page
 * of it was reserved at creation, so no SIGBUS).
 */
class FullFileSystemTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final ProcessFixture fixture = new ProcessFixture();
    private Path mountPoint;
    private boolean mounted;

    @BeforeEach
    void mount() throws Exception {
        mountPoint = Files.createTempDirectory(Path.of("/tmp"), "ringbus-proctest-fs-");
        String failure = run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mountPoint.toString());
        mounted = failure == null;
        if (!mounted) {
            System.out.println("FullFileSystemTest skipped: cannot mount a 1 MiB tmpfs (needs root or"
                + " CAP_SYS_ADMIN): " + failure);
            Assumptions.abort("cannot mount a 1 MiB tmpfs: " + failure);
        }
    }

    @AfterEach
    void unmount() throws Exception {
        try {
            fixture.close();
        } finally {
            if (mounted) {
                String failure = run("umount", mountPoint.toString());
                if (failure != null) {
                    assertNull(run("umount", "-l", mountPoint.toString()), "lazy unmount after: " + failure);
                }
            }
            ProcessFixture.deleteTree(mountPoint);
        }
    }

    /** Runs a command; returns null on success, else its output and exit code. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "timed out";
        }
        String output = new String(process.getInputStream().readAllBytes()).strip();
        return process.exitValue() == 0 ? null : output + " (exit " + process.exitValue() + ")";
    }

    @Test
    @Timeout(120)
    void topicTooBigIsATypedErrorAndTheExistingTopicKeepsWorking() throws Exception {
        Path busDir = mountPoint.resolve("bus");
        try (Bus bus = Bus.open(new BusContext().directory(busDir))) {
            TopicConfig small = new TopicConfig().capacity(1 << 16);
            Subscriber local = bus.newSubscriber("small", small, new SubscriberConfig());
            Publisher publisher = bus.newPublisher("small", small);
            ChildJvm remote = fixture.start("subscriber", SubscriberMain.class, "--dir", busDir.toString(),
                "--topic", "small", "--expect", "2000");
            remote.awaitLine("READY", TIMEOUT);

            FileSystemFullException e = assertThrows(FileSystemFullException.class,
                () -> bus.newPublisher("big", new TopicConfig().capacity(1 << 21)));
            System.out.println("full file system: " + e.getMessage());
            assertTrue(e.getMessage().contains(busDir.toString()), "names the path: " + e.getMessage());
            assertTrue(e.getMessage().contains("ENOSPC"), e.getMessage());
            assertEquals(List.of("small.topic"), entries(busDir), "nothing left behind by the failed creation");
            assertThrows(FileSystemFullException.class,
                () -> bus.newSubscriber("big", new TopicConfig().capacity(1 << 21), new SubscriberConfig()));
            assertEquals(List.of("small.topic"), entries(busDir));

            // About 190 KB through a 64 KiB ring: three laps, touching every page of it.
            List<String> received = new ArrayList<>();
            for (int seq = 0; seq < 2000; seq++) {
                byte[] message = Messages.encode(9, seq, 100);
                long result;
                while ((result = publisher.offer(message)) < 0) {
                    assertEquals(Result.BACK_PRESSURED, result);
                    local.poll((type, buffer, offset, length) -> received.add(Messages.verify(buffer, offset,
                        length)), 100);
                    Thread.onSpinWait();
                }
            }
            while (received.size() < 2000) {
                local.poll((type, buffer, offset, length) -> received.add(Messages.verify(buffer, offset, length)),
                    100);
            }
            for (int seq = 0; seq < 2000; seq++) {
                assertEquals("M 9 " + seq, received.get(seq));
            }
            assertEquals("DONE received=2000 bad=0", remote.awaitLine("DONE", TIMEOUT), remote.describe());
        }
    }

    private static List<String> entries(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
