package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A zero-copy writer (stores through {@code Publisher.buffer()}) publishing flat out, compiled by C2,
 * has its topic truncated by this process. Its stores are its own code, and HotSpot raises their
 * fault asynchronously; it gets the typed error by catching {@code InternalError} around its loop and
 * throwing {@code LostPages.typed(fault)}, as the Javadoc says: a {@code CorruptRingException} naming
 * the file and its sizes, whether the catch is inside the bus's try-with-resources or outside it (the
 * topic closed by then). Episodes vary where the catch is and how much of the file is left.
 */
class ZeroCopyTruncationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long[] NEW_SIZES = {0, 4096, 40_000, 0};

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    @Timeout(120)
    void theDocumentedCatchTurnsEveryLostPageIntoATypedErrorNamingTheFile() throws Exception {
        List<String> failures = new ArrayList<>();
        for (int episode = 0; episode < NEW_SIZES.length; episode++) {
            String where = episode % 2 == 0 ? "inside" : "outside";
            String topic = "zc" + episode;
            ChildJvm writer = fixture.start("writer-" + episode, ZeroCopyPublisherMain.class, "--dir",
                fixture.busDir().toString(), "--topic", topic, "--catch", where);
            writer.awaitLine("READY", TIMEOUT);
            LockSupport.parkNanos(Duration.ofMillis(1_200).toNanos()); // the loop is C2 code by then
            Path path = fixture.topicPath(topic);
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.setLength(NEW_SIZES[episode]);
            }
            int exit = writer.awaitExit(TIMEOUT);
            String error = writer.lines().stream()
                .filter(line -> line.startsWith("ERROR") || line.startsWith("UNTYPED"))
                .findFirst().orElse("(no error line)");
            String outcome = "episode " + episode + " (catch " + where + ", truncated to " + NEW_SIZES[episode]
                + "): exit " + exit + ", " + error;
            System.out.println(outcome);
            String expected = "ERROR io.ringbus.core.CorruptRingException: Topic file " + path + " is "
                + NEW_SIZES[episode] + " bytes now but was ";
            if (exit != ChildSupport.TYPED_ERROR_EXIT || !error.startsWith(expected)
                || !error.contains("another process truncated it")) {
                failures.add(outcome);
            }
        }
        assertEquals(List.of(), failures, fixture.describeChildren());
    }
}
