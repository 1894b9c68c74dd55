package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.TopicConfig;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Another process truncates a topic file while a process opens it (issue 11: an {@code InternalError} out
 * of {@code RingDescriptor.validate}). Opening checks the file's size on its descriptor, maps it, then
 * reads the header and the ring's layout: a truncation between the map and those reads makes them fault.
 * The test cuts the file (to nothing, a page, or into the ring) and writes it back, thousands of times,
 * while {@link OpenLoopMain} opens it as publisher and subscriber in a loop: every open must succeed or
 * throw a typed error, whichever moment the cut lands at. Before the fix the opener died within about a
 * second with an {@code InternalError} out of {@code RingDescriptor.validate}.
 */
class TruncationWhileOpeningTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long OPENING_MILLIS = 4_000;

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    @Timeout(120)
    void everyOpenEndsOpenedOrWithATypedError() throws Exception {
        try (Bus bus = Bus.open(new BusContext().directory(fixture.busDir()))) {
            bus.newPublisher("cut", new TopicConfig().capacity(1 << 16)).close();
        }
        Path path = fixture.topicPath("cut");
        byte[] image = Files.readAllBytes(path);
        long[] sizes = {0, 4096, 8192, image.length / 2, image.length - 4096};
        ChildJvm opener = fixture.start("opener", OpenLoopMain.class, "--dir", fixture.busDir().toString(),
            "--topic", "cut", "--millis", Long.toString(OPENING_MILLIS));
        opener.awaitLine("READY", TIMEOUT);
        Random random = new Random(11);
        long cuts = 0;
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.WRITE)) {
            while (opener.isAlive() && opener.lines("DONE").isEmpty()) {
                file.truncate(sizes[random.nextInt(sizes.length)]);
                LockSupport.parkNanos(random.nextInt(200_000));
                file.write(ByteBuffer.wrap(image), 0);
                cuts++;
                LockSupport.parkNanos(random.nextInt(400_000));
            }
        }
        int exit = opener.awaitExit(TIMEOUT);
        System.out.println(cuts + " cuts; " + String.join("; ", opener.lines()));
        assertEquals(List.of(), opener.lines("UNTYPED"), opener.describe());
        assertEquals(0, exit, opener.describe());
        // About 150 to 180 opens per run meet a cut that lands between the map and the reads (measured):
        // the race this test is after happened.
        assertTrue(opener.lines().stream().anyMatch(line -> line.startsWith("TYPED CorruptRingException(fault) ")),
            "some opens faulted on a page cut off after the size check:\n" + opener.describe());
    }
}
