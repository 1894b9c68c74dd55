package io.ringbus.transport.stream;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** {@link FdStream} over a {@link PipePair}: data both ways, end of stream, flow control, waits, closing. */
class FdStreamTest {
    private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void bytesGoBothWaysWithDirectAndHeapBuffers() {
        try (PipePair pair = FdStream.pipePair()) {
            byte[] payload = new byte[200_000];
            new Random(42).nextBytes(payload);
            for (boolean direct : new boolean[] {true, false}) {
                ByteBuffer out = buffer(payload.length, direct).put(payload).flip();
                ByteBuffer in = buffer(payload.length, !direct);
                Thread writer = Thread.ofPlatform().start(() -> FdTestSupport.writeFully(pair.a(), out));
                FdTestSupport.readFully(pair.b(), in);
                join(writer);
                assertArrayEquals(payload, bytes(in.flip()));

                ByteBuffer back = buffer(7, direct).put("goodbye".getBytes()).flip();
                FdTestSupport.writeFully(pair.b(), back);
                ByteBuffer got = buffer(7, direct);
                FdTestSupport.readFully(pair.a(), got);
                assertEquals("goodbye", new String(bytes(got.flip())));
            }
        }
    }

    @Test
    void readOnlyAndSlicedBuffersMoveTheRightBytes() {
        try (PipePair pair = FdStream.pipePair()) {
            ByteBuffer source = ByteBuffer.wrap("xxHELLOyy".getBytes()).position(2).limit(7).asReadOnlyBuffer();
            assertEquals(5, pair.a().write(source));
            assertEquals(7, source.position());
            ByteBuffer direct = ByteBuffer.allocateDirect(16).position(3);
            FdTestSupport.readFully(pair.b(), direct.limit(8));
            assertEquals("HELLO", new String(bytes(direct.position(3))));
            assertThrows(java.nio.ReadOnlyBufferException.class,
                () -> pair.b().read(ByteBuffer.allocate(4).asReadOnlyBuffer()));
            assertEquals(0, pair.a().write(ByteBuffer.allocate(0)));
            assertEquals(0, pair.b().read(ByteBuffer.allocate(0)));
        }
    }

    @Test
    void readReturnsZeroWhenEmptyAndMinusOneWhenThePeerCloses() {
        try (PipePair pair = FdStream.pipePair()) {
            ByteBuffer buffer = ByteBuffer.allocate(16);
            assertEquals(0, pair.b().read(buffer));
            pair.a().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            pair.a().close();
            assertTrue(pair.b().awaitReadable(MILLI * 1000));
            assertEquals(3, pair.b().read(buffer));
            assertEquals(-1, pair.b().read(buffer));
            assertTrue(pair.b().awaitReadable(0), "end of stream is readable");
            assertEquals(-1, pair.b().read(buffer));
        }
    }

    @Test
    void writeToAPipeWhoseReaderClosedThrowsTheTypedExceptionAndTheJvmLives() {
        try (PipePair pair = FdStream.pipePair()) {
            pair.b().close();
            assertTrue(pair.a().awaitWritable(MILLI * 1000), "a gone reader counts as writable");
            StreamClosedException e = assertThrows(StreamClosedException.class,
                () -> pair.a().write(ByteBuffer.wrap(new byte[] {1})));
            assertTrue(e.getMessage().contains("EPIPE"), e.getMessage());
            assertTrue(e.getMessage().contains(pair.a().describe()), e.getMessage());
        }
        assertTrue(Runtime.getRuntime().availableProcessors() > 0, "still running after SIGPIPE was raised");
    }

    @Test
    void writeReturnsZeroWhenThePipeIsFullAndResumesWhenDrained() {
        try (PipePair pair = FdStream.pipePair()) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(4096);
            long total = 0;
            int written;
            while ((written = pair.a().write(chunk.clear())) > 0) {
                total += written;
                assertTrue(total < 64L << 20, "a pipe holds far less than 64 MiB");
            }
            assertEquals(0, written);
            assertTrue(total >= 4096, "filled " + total);
            assertFalse(pair.a().awaitWritable(10 * MILLI), "a full pipe is not writable");

            ByteBuffer drain = ByteBuffer.allocateDirect(64 * 1024);
            long read = 0;
            while (read < total) {
                int n = pair.b().read(drain.clear());
                assertTrue(n > 0);
                read += n;
            }
            assertEquals(total, read);
            assertTrue(pair.a().awaitWritable(MILLI * 1000));
            assertTrue(pair.a().write(chunk.clear()) > 0);
        }
    }

    @Test
    void awaitReadableTimesOut() {
        try (PipePair pair = FdStream.pipePair()) {
            long start = System.nanoTime();
            assertFalse(pair.b().awaitReadable(50 * MILLI));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= 45 * MILLI, "waited only " + waited / MILLI + " ms");
            assertFalse(pair.b().awaitReadable(0));
            assertFalse(pair.b().awaitReadable(-5));
        }
    }

    @Test
    void awaitReadableReturnsWhenDataArrives() throws Exception {
        try (PipePair pair = FdStream.pipePair()) {
            AtomicReference<Boolean> result = new AtomicReference<>();
            Thread waiter = Thread.ofPlatform().start(() -> result.set(pair.b().awaitReadable(Long.MAX_VALUE)));
            Thread.sleep(50);
            pair.a().write(ByteBuffer.wrap(new byte[] {9}));
            waiter.join(5000);
            assertEquals(Boolean.TRUE, result.get());
        }
    }

    @Test
    void closeWakesAThreadWaitingToReadWithin100Milliseconds() throws Exception {
        PipePair pair = FdStream.pipePair();
        try {
            assertClosingWakes(pair.b(), () -> pair.b().awaitReadable(Long.MAX_VALUE));
        } finally {
            pair.close();
        }
    }

    @Test
    void closeWakesAThreadWaitingToWriteWithin100Milliseconds() throws Exception {
        PipePair pair = FdStream.pipePair();
        try {
            ByteBuffer chunk = ByteBuffer.allocateDirect(4096);
            while (pair.a().write(chunk.clear()) > 0) {
                // fill the pipe
            }
            assertClosingWakes(pair.a(), () -> pair.a().awaitWritable(TimeUnit.SECONDS.toNanos(30)));
        } finally {
            pair.close();
        }
    }

    private static void assertClosingWakes(FdStream stream, java.util.function.BooleanSupplier wait) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicLong returnedAt = new AtomicLong();
        AtomicReference<Boolean> result = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            started.countDown();
            result.set(wait.getAsBoolean());
            returnedAt.set(System.nanoTime());
        });
        started.await();
        Thread.sleep(200); // let it reach poll
        assertTrue(waiter.isAlive(), "the waiter returned before close");
        long closedAt = System.nanoTime();
        stream.close();
        waiter.join(5000);
        assertFalse(waiter.isAlive());
        assertEquals(Boolean.FALSE, result.get(), "a closed stream is not ready");
        long latency = returnedAt.get() - closedAt;
        assertTrue(latency < 100 * MILLI, "woke after " + latency / MILLI + " ms");
    }

    @Test
    void aClosedStreamRefusesCallsAndReleasesEveryDescriptorOnce() throws Exception {
        long before = FdTestSupport.openFds();
        PipePair pair = FdStream.pipePair();
        assertEquals(before + 6, FdTestSupport.openFds(), "two pipes and two eventfds");
        pair.a().close();
        pair.a().close();
        assertTrue(pair.a().isClosed());
        assertThrows(StreamClosedException.class, () -> pair.a().read(ByteBuffer.allocate(1)));
        assertThrows(StreamClosedException.class, () -> pair.a().write(ByteBuffer.allocate(1)));
        assertFalse(pair.a().awaitReadable(MILLI));
        assertFalse(pair.a().awaitWritable(MILLI));
        assertEquals(before + 3, FdTestSupport.openFds());
        pair.close();
        assertEquals(before, FdTestSupport.openFds());
    }

    @Test
    void closingWhileOtherThreadsReadAndWaitNeverClosesADescriptorTwice() throws Exception {
        long before = FdTestSupport.openFds();
        for (int round = 0; round < 200; round++) {
            PipePair pair = FdStream.pipePair();
            CountDownLatch running = new CountDownLatch(2);
            Runnable reader = () -> {
                ByteBuffer buffer = ByteBuffer.allocateDirect(64);
                running.countDown();
                try {
                    while (true) {
                        if (pair.b().read(buffer.clear()) == 0 && !pair.b().awaitReadable(MILLI)) {
                            if (pair.b().isClosed()) {
                                return;
                            }
                        }
                    }
                } catch (StreamClosedException expected) {
                    // closed under us: the one allowed outcome
                }
            };
            Thread first = Thread.ofPlatform().start(reader);
            Thread second = Thread.ofPlatform().start(() -> {
                running.countDown();
                while (pair.b().awaitReadable(TimeUnit.SECONDS.toNanos(10))) {
                    Thread.onSpinWait();
                }
            });
            running.await();
            pair.b().close();
            join(first);
            join(second);
            pair.a().close();
        }
        FdTestSupport.assertFdsBackTo(before, 3);
    }

    @Test
    void describeNamesTheDescriptors() {
        try (PipePair pair = FdStream.pipePair()) {
            assertTrue(pair.a().describe().matches("pipe fds \\d+/\\d+"), pair.a().describe());
            assertNotEquals(pair.a().describe(), pair.b().describe());
        }
    }

    private static ByteBuffer buffer(int size, boolean direct) {
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static void join(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertFalse(thread.isAlive(), "thread " + thread + " did not finish");
    }
}
