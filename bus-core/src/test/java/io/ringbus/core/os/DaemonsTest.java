package io.ringbus.core.os;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@link Daemons}: a new session (in a child JVM), the umask and the working directory. */
class DaemonsTest {
    private final Path dir = OsTestSupport.newDirectory("/tmp");

    @AfterEach
    void cleanUp() {
        OsTestSupport.deleteTree(dir);
    }

    @Test
    void aChildStartsItsOwnSession() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), SessionPeer.class.getName())
            .redirectErrorStream(true)
            .start();
        try {
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals("ok", output);
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void setUmaskReturnsThePreviousMask() {
        int old = Daemons.setUmask(0027);
        try {
            assertEquals(0027, Daemons.setUmask(0077));
        } finally {
            Daemons.setUmask(old);
        }
        assertThrows(IllegalArgumentException.class, () -> Daemons.setUmask(01000));
    }

    @Test
    void changeDirectoryMovesNativeRelativePathsAndNamesAMissingDirectory() {
        Path original = Path.of(System.getProperty("user.dir"));
        try {
            Daemons.changeDirectory(dir);
            assertEquals(0, PosixBindings.mkfifo("relative.fifo", 0600));
            assertEquals(0, PosixBindings.unlink(dir.resolve("relative.fifo").toString()),
                "a relative native path resolves in the new directory");
        } finally {
            Daemons.changeDirectory(original);
        }
        FileMissingException e = assertThrows(FileMissingException.class,
            () -> Daemons.changeDirectory(dir.resolve("missing")));
        assertTrue(e.getMessage().contains(dir.resolve("missing").toString()), e.getMessage());
    }
}
