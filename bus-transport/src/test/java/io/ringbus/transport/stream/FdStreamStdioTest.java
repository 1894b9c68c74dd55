package io.ringbus.transport.stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link FdStream#takeStandardStreams()} in a child JVM ({@link StdioPeer}): the frame bytes cross the
 * child's standard input and output intact while its {@code System.out.println} lands on standard error.
 */
class FdStreamStdioTest {
    private final Path dir = FdTestSupport.newDirectory();

    @AfterEach
    void cleanUp() {
        FdTestSupport.deleteTree(dir);
    }

    @Test
    void childFramesArriveIntactAndItsPrintlnGoesToStandardError() throws Exception {
        Path stderr = dir.resolve("child.err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
            "-cp", System.getProperty("java.class.path"), StdioPeer.class.getName())
            .redirectError(stderr.toFile())
            .start();
        try {
            byte[] payload = new byte[300_000]; // more than a pipe holds: the child waits for room
            new Random(7).nextBytes(payload);
            ByteBuffer frame = ByteBuffer.allocate(8 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
            frame.putInt(payload.length).putInt(41).put(payload);
            try (OutputStream in = child.getOutputStream()) {
                in.write(frame.array());
            }
            byte[] received;
            try (InputStream out = child.getInputStream()) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                out.transferTo(all);
                received = all.toByteArray();
            }
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not exit");
            String errors = Files.readString(stderr);
            assertEquals(0, child.exitValue(), errors);

            byte[] status = "second take refused".getBytes();
            assertEquals(8 + payload.length + 8 + status.length, received.length, "exactly the frames: " + errors);
            ByteBuffer got = ByteBuffer.wrap(received).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(payload.length, got.getInt());
            assertEquals(42, got.getInt());
            byte[] echoed = new byte[payload.length];
            got.get(echoed);
            assertArrayEquals(payload, echoed);
            assertEquals(status.length, got.getInt());
            assertEquals(0, got.getInt());
            byte[] text = new byte[status.length];
            got.get(text);
            assertEquals("second take refused", new String(text));

            assertTrue(errors.contains("stray line from System.out"), errors);
            assertTrue(errors.contains("peer done"), errors);
        } finally {
            child.destroyForcibly();
        }
    }
}
