package io.ringbus.transport.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringbus.core.os.MessageQueues;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A message queue brings no end of stream from a peer that dies (a dead writer just sends nothing), so
 * {@link MqStream} watches the peer's process. A reader that only ever reads without waiting, as the
 * bridge's subscriber sessions do between deliveries, must still learn of the death: once, such a
 * session lived on for ever after its client's {@code kill -9} and kept its topic mapped
 * ({@code ./bus stress --via mq --seed 25662187818682}). A writer that only ever writes without waiting,
 * as a batching client publisher does, must learn it too: once, {@code ./bus pub --via mq:/NAME} whose
 * daemon was killed -9 found its queue full for ever, was told BACK_PRESSURED on every line, never said
 * it was disconnected and never reconnected to the restarted daemon.
 */
class MqStreamPeerDeathTest {
    private static final int MESSAGE_SIZE = 1024;

    /** A stream over two new queues of 4 messages (already unlinked), whose peer is {@code peer}. */
    private static MqStream streamWatching(Process peer) {
        String base = "/rb-death-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        int in = MessageQueues.create(base + "-in", 4, MESSAGE_SIZE, false);
        int out = MessageQueues.create(base + "-out", 4, MESSAGE_SIZE, true);
        MessageQueues.unlink(base + "-in");
        MessageQueues.unlink(base + "-out");
        return MqStream.adopt(in, out, peer.pid(), "test stream");
    }

    @Test
    void aReaderThatNeverWaitsLearnsThatItsPeerDied() throws Exception {
        Process peer = new ProcessBuilder("sleep", "60").start();
        try (MqStream stream = streamWatching(peer)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(MESSAGE_SIZE * 4);
            assertEquals(0, stream.read(buffer), "a live peer that sent nothing: nothing yet");
            peer.destroyForcibly();
            assertTrue(peer.waitFor(10, TimeUnit.SECONDS), "sleep did not die");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (stream.read(buffer) == 0) {
                if (System.nanoTime() - deadline > 0) {
                    fail("reads without waiting still said 'nothing yet' 5 s after the peer died");
                }
                Thread.onSpinWait();
            }
            assertEquals(-1, stream.read(buffer), "the end of the stream stays");
        } finally {
            peer.destroyForcibly();
        }
    }

    @Test
    void aWriterThatNeverWaitsLearnsThatItsPeerDied() throws Exception {
        Process peer = new ProcessBuilder("sleep", "60").start();
        try (MqStream stream = streamWatching(peer)) {
            ByteBuffer bytes = ByteBuffer.allocateDirect(MESSAGE_SIZE);
            int written = 0;
            while (stream.write(bytes.clear()) > 0) {
                written++; // the peer reads nothing: the queue fills
            }
            assertEquals(4, written, "a queue of 4 messages took " + written);
            peer.destroyForcibly();
            assertTrue(peer.waitFor(10, TimeUnit.SECONDS), "sleep did not die");
            long deadline = System.nanoTime() + 5_000_000_000L;
            StreamClosedException ended = null;
            while (ended == null) {
                try {
                    assertEquals(0, stream.write(bytes.clear()), "a dead peer's full queue took bytes");
                } catch (StreamClosedException e) {
                    ended = e;
                }
                if (ended == null && System.nanoTime() - deadline > 0) {
                    fail("writes without waiting still said 'queue full' 5 s after the peer died");
                }
                Thread.onSpinWait();
            }
            assertTrue(ended.getMessage().contains("exited"), ended.getMessage());
        } finally {
            peer.destroyForcibly();
        }
    }
}
