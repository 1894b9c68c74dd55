package io.ringbus.examples.bench.transport;

import io.ringbus.core.os.FileDescriptors;
import io.ringbus.core.os.MessageQueues;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.stream.MqConnector;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A pair of plain POSIX message queues as a {@link RawChannel}: what an application would do with
 * {@code mq_send}/{@code mq_receive} itself (through FFM, as ringbus does). For {@code mq:/NAME} the
 * accepting side creates {@code /NAME.up} (it reads) and {@code /NAME.down} (it writes), of the shape a
 * ringbus client's queues have ({@link MqConnector#queueShape()}), replies {@code LISTENING}, and removes
 * the names once the peer has said hello (one message). Bytes are cut into messages of at most the
 * message size, as ringbus's stream does.
 *
 * <p>Waiting: blocking descriptors wait in {@code mq_receive}/{@code mq_send}; spinning ones are
 * non-blocking and the caller spins.
 */
final class RawMqChannel implements RawChannel {
    private static final long HELLO_PATIENCE_NANOS = 60_000_000_000L;

    private final int readMq;
    private final int writeMq;
    private final int messageSize;
    private final boolean spin;
    private final MemorySegment inbox;
    private final MemorySegment outbox;
    private int inboxStart;
    private int inboxEnd;

    private RawMqChannel(int readMq, int writeMq, int messageSize, TransportWait wait) {
        this.readMq = readMq;
        this.writeMq = writeMq;
        this.messageSize = messageSize;
        this.spin = !wait.blockingChannels();
        this.inbox = Arena.ofAuto().allocate(messageSize);
        this.outbox = Arena.ofAuto().allocate(messageSize);
    }

    /** Creates the pair, replies {@code LISTENING}, waits for the peer's hello, removes the names. */
    static RawMqChannel accept(String uri, TransportWait wait) {
        String base = TransportUri.parse(uri).queueName();
        int[] shape = MqConnector.queueShape();
        boolean blocking = wait.blockingChannels();
        MessageQueues.unlink(base + ".up");
        MessageQueues.unlink(base + ".down");
        int up = blocking ? MessageQueues.createBlocking(base + ".up", shape[0], shape[1], false)
            : MessageQueues.create(base + ".up", shape[0], shape[1], false);
        int down = blocking ? MessageQueues.createBlocking(base + ".down", shape[0], shape[1], true)
            : MessageQueues.create(base + ".down", shape[0], shape[1], true);
        ChildRunner.reply("LISTENING " + uri);
        RawMqChannel channel = new RawMqChannel(up, down, shape[1], wait);
        ByteBuffer hello = ByteBuffer.allocateDirect(1);
        long deadline = System.nanoTime() + HELLO_PATIENCE_NANOS;
        while (channel.read(hello) == 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no raw peer opened " + base + ".up/.down within 60 s");
            }
            Thread.onSpinWait();
        }
        MessageQueues.unlink(base + ".up");
        MessageQueues.unlink(base + ".down");
        return channel;
    }

    /** Opens the pair the accepting side made (writes up, reads down) and says hello. */
    static RawMqChannel connect(String uri, TransportWait wait) {
        String base = TransportUri.parse(uri).queueName();
        boolean blocking = wait.blockingChannels();
        int up = MessageQueues.open(base + ".up", true, blocking);
        int down = MessageQueues.open(base + ".down", false, blocking);
        if (up < 0 || down < 0) {
            throw new IllegalStateException("raw queues " + base + ".up/.down are missing");
        }
        RawMqChannel channel = new RawMqChannel(down, up, (int) MessageQueues.attributes(up).messageSize(), wait);
        int sent;
        do {
            sent = MessageQueues.send(channel.writeMq, channel.outbox, 0, 1); // the hello
        } while (sent == -MessageQueues.EAGAIN);
        return channel;
    }

    @Override
    public int read(ByteBuffer buffer) {
        if (inboxStart == inboxEnd) {
            long received = MessageQueues.receive(readMq, inbox, 0, messageSize);
            if (received == -MessageQueues.EAGAIN) {
                return 0;
            }
            if (received <= 0) {
                throw new IllegalStateException("raw mq_receive failed: "
                    + FileDescriptors.describeError((int) -received));
            }
            inboxStart = 0;
            inboxEnd = (int) received;
        }
        int count = Math.min(buffer.remaining(), inboxEnd - inboxStart);
        MemorySegment.copy(inbox, inboxStart, MemorySegment.ofBuffer(buffer), 0, count);
        buffer.position(buffer.position() + count);
        inboxStart += count;
        return count;
    }

    @Override
    public void writeFully(ByteBuffer buffer, SpinGuard guard) {
        while (buffer.hasRemaining()) {
            int chunk = Math.min(buffer.remaining(), messageSize);
            MemorySegment.copy(MemorySegment.ofBuffer(buffer), 0, outbox, 0, chunk);
            int sent = MessageQueues.send(writeMq, outbox, 0, chunk);
            if (sent == 0) {
                buffer.position(buffer.position() + chunk);
            } else if (sent == -MessageQueues.EAGAIN) {
                guard.spin();
            } else {
                throw new IllegalStateException("raw mq_send failed: " + FileDescriptors.describeError(sent));
            }
        }
    }

    @Override
    public void close() {
        FileDescriptors.close(readMq);
        FileDescriptors.close(writeMq);
    }
}
