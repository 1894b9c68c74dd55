package io.ringbus.core.os;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A futex word in a shared file works between two processes: a wake from this JVM reaches a waiter in
 * another, and back. It would fail if the ops were process-private (FUTEX_PRIVATE_FLAG keys a waiter by
 * address space, so a wake from another process finds nobody).
 */
class FutexProcessTest {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final Path dir = OsTestSupport.newDirectory("/dev/shm");
    private final Path log = dir.resolve("peer.log");

    @AfterEach
    void cleanUp() {
        OsTestSupport.deleteTree(dir);
    }

    @Test
    void wakesCrossProcessesBothWays() throws Exception {
        Path file = dir.resolve("topic");
        try (MappedFile mapped = SharedFiles.createExclusive(file, 4096, SharedFiles.FILE_MODE)) {
            MemorySegment segment = mapped.segment();
            Process peer = startPeer(file);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                awaitNonZero(segment, FutexPeer.READY, deadline, peer);
                // The GO word stays 0, so the peer only returns WOKEN through our wake: repeat until one lands.
                int woken = 0;
                while (woken == 0 && System.nanoTime() < deadline && peer.isAlive()) {
                    woken = Futex.wake(segment, FutexPeer.GO, 1);
                    Thread.sleep(1);
                }
                assertEquals(1, woken, "a wake from this process reached the peer's waiter");
                INT.setVolatile(segment, FutexPeer.GO, 1);
                Futex.wake(segment, FutexPeer.GO, 1);
                assertEquals(FutexPeer.WOKEN_BY_PEER, awaitNonZero(segment, FutexPeer.DONE, deadline, peer));
                assertTrue(peer.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, peer.exitValue(), output(peer));
            } finally {
                peer.destroyForcibly();
            }
        }
    }

    /** Waits with the futex (the peer wakes it) until the word is not zero; returns its value. */
    private int awaitNonZero(MemorySegment segment, long offset, long deadline, Process peer) throws Exception {
        int value;
        while ((value = (int) INT.getVolatile(segment, offset)) == 0) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for the peer at offset " + offset);
            assertTrue(peer.isAlive() || (int) INT.getVolatile(segment, offset) != 0,
                () -> "peer died: " + output(peer));
            Futex.wait(segment, offset, 0, TimeUnit.MILLISECONDS.toNanos(100));
        }
        return value;
    }

    private Process startPeer(Path file) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), FutexPeer.class.getName(), file.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    }

    private String output(Process peer) {
        try {
            return "peer output: " + Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no peer output: " + e + ")";
        }
    }
}
