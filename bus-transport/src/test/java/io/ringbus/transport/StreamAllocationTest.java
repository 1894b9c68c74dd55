package io.ringbus.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.bridge.BridgeContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stream paths allocate nothing per message in steady state: not the client's publisher and
 * subscriber (measured on the test thread, which does both) and not the bridge's session threads;
 * with explicit commits ({@code unix+commit}: a durable subscriber that commits after each batch, so
 * COMMIT frames go to the bridge) neither.
 *
 * <p>The bound per side: {@value #FIXED_BOUND_BYTES} bytes plus {@value #PER_WAKEUP_BOUND_BYTES} per
 * batch of {@value #BATCH} messages, because each batch ends in blocking waits (a selector or a futex
 * park), where the JDK may allocate a little per wakeup. One 16-byte object per message would add
 * 3,200,000 bytes for {@value #MESSAGES} messages, ten times the whole bound.
 */
class StreamAllocationTest implements MessageHandler {
    private static final int MESSAGES = 200_000;
    private static final int BATCH = 100;
    private static final long FIXED_BOUND_BYTES = 64 * 1024;
    private static final long PER_WAKEUP_BOUND_BYTES = 128;
    private static final long BOUND_BYTES = FIXED_BOUND_BYTES + PER_WAKEUP_BOUND_BYTES * (MESSAGES / BATCH);

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long received;
    private long checksum;

    @TempDir
    Path dir;

    @Override
    public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
        received++;
        checksum += buffer.get(ValueLayout.JAVA_BYTE, offset + length - 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp", "fifo", "unix+commit"})
    void publishAndPollAllocateNothingInSteadyState(String variant) throws Exception {
        String path = variant.replace("+commit", "");
        boolean commits = variant.endsWith("+commit");
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "this JVM does not count allocated bytes per thread");
        Path busDir = Files.createDirectory(dir.resolve("bus"), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        String listen = switch (path) {
            case "unix" -> "unix:" + dir.resolve("sock/bus.sock");
            case "tcp" -> "tcp://127.0.0.1:0";
            default -> "fifo:" + dir.resolve("fifos");
        };
        try (Bridge bridge = Bridge.start(new BridgeContext().busContext(new BusContext().directory(busDir))
                .listen(listen));
             BusClient client = BusClients.open(bridge.listening().get(0).toString())) {
            SubscriberConfig config = new SubscriberConfig().start(StartPosition.EARLIEST);
            if (commits) {
                config.durableName("alloc").explicitCommit(true);
            }
            Subscriber subscriber = client.newSubscriber("alloc", new TopicConfig(), config);
            Publisher publisher = client.newPublisher("alloc", new TopicConfig());
            byte[] message = new byte[64];
            exchange(publisher, subscriber, message, MESSAGES);
            long[] sessionThreads = sessionThreadIds();
            assertEquals(2, sessionThreads.length, "one bridge session per endpoint");
            long clientBefore = threads.getThreadAllocatedBytes(Thread.currentThread().threadId());
            long bridgeBefore = Arrays.stream(threads.getThreadAllocatedBytes(sessionThreads)).sum();
            exchange(publisher, subscriber, message, MESSAGES);
            long clientSide = threads.getThreadAllocatedBytes(Thread.currentThread().threadId()) - clientBefore;
            long bridgeSide = Arrays.stream(threads.getThreadAllocatedBytes(sessionThreads)).sum() - bridgeBefore;
            assertTrue(clientSide <= BOUND_BYTES, variant + ": the client allocated " + clientSide + " bytes for "
                + MESSAGES
                + " messages");
            assertTrue(bridgeSide <= BOUND_BYTES, variant + ": the bridge sessions allocated " + bridgeSide
                + " bytes for " + MESSAGES + " messages");
            assertEquals(2L * MESSAGES, received);
        }
    }

    private void exchange(Publisher publisher, Subscriber subscriber, byte[] message, int count) {
        long expected = received;
        for (int sent = 0; sent < count; sent += BATCH) {
            for (int i = 0; i < BATCH; i++) {
                message[message.length - 1] = (byte) i;
                while (publisher.offer(message, 0, message.length) < 0) {
                    subscriber.poll(this, BATCH);
                }
            }
            expected += BATCH;
            while (received < expected) {
                subscriber.await(this, BATCH, 1_000_000_000L);
            }
            subscriber.commit(); // nothing to do without explicit commits
        }
    }

    private long[] sessionThreadIds() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.getName().startsWith("ringbus-bridge-session-"))
            .mapToLong(Thread::threadId).toArray();
    }
}
