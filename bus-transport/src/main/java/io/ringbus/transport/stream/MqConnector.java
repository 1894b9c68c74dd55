package io.ringbus.transport.stream;

import io.ringbus.core.os.FileDescriptors;
import io.ringbus.core.os.MessageQueueLimitException;
import io.ringbus.core.os.MessageQueues;
import io.ringbus.core.os.PollSet;
import io.ringbus.core.os.Processes;
import io.ringbus.core.os.SharedFileException;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.frame.FrameDescriptor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The client's side of {@code mq:/NAME}: creates its pair of queues {@code /NAME.c-PID-HEX16.up} and
 * {@code .down} (mode 0600, {@code O_EXCL}), sends CONNECT on the bridge's request queue {@code /NAME}
 * and waits for ACCEPT on {@code .down} (the rendezvous is drawn at {@link MqAcceptor}). On any failure
 * both queues are removed and every descriptor closed. Connectors are stateless: any number of threads
 * may connect at once.
 *
 * <p><b>Queue shape.</b> Each queue holds {@code min(10, fs.mqueue.msg_max)} messages of
 * {@code min(4096, fs.mqueue.msgsize_max)} bytes, or what the properties {@value #MESSAGE_SIZE_PROPERTY}
 * and {@value #MAX_MESSAGES_PROPERTY} say. A connection then takes {@code 2 × maxmsg × (msgsize + 96)}
 * bytes of the user's {@code RLIMIT_MSGQUEUE} (83,840 bytes at the defaults: 9 connections in the usual
 * 800 KiB). While that budget is used up, {@code connect} waits for it (the queues of connections
 * that just closed are freed once their bridge sessions end) up to its timeout, then throws the typed
 * error naming {@code RLIMIT_MSGQUEUE}. Frames of any length travel whatever the message size
 * ({@link MqStream} cuts and joins); a larger size only means fewer system calls.
 */
public final class MqConnector implements StreamConnector {
    /** Property: the message size of a client's queues, in bytes (at most {@code fs.mqueue.msgsize_max}). */
    public static final String MESSAGE_SIZE_PROPERTY = "ringbus.mq.msgsize";
    /** Property: how many messages a client's queues hold (at most {@code fs.mqueue.msg_max}). */
    public static final String MAX_MESSAGES_PROPERTY = "ringbus.mq.maxmsg";
    /** The message size without the property (or {@code msgsize_max} when lower). */
    public static final int DEFAULT_MESSAGE_SIZE = 4096;
    /** The queue length without the property (or {@code msg_max} when lower). */
    public static final int DEFAULT_MAX_MESSAGES = 10;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final TransportUri uri;
    private final String queue;

    /** Connects to the bridge serving {@code uri} ({@code mq:/NAME}). */
    public MqConnector(TransportUri uri) {
        if (uri.kind() != TransportUri.Kind.MQ) {
            throw new IllegalArgumentException("A message queue connector connects to mq:/NAME, not " + uri);
        }
        this.uri = uri;
        this.queue = uri.queueName();
    }

    /**
     * The shape of a client's queues: {maxmsg, msgsize}, from the properties or the defaults capped by the
     * kernel's limits.
     *
     * @throws IllegalArgumentException a property is not a positive number
     */
    public static int[] queueShape() {
        MessageQueues.Limits limits = MessageQueues.limits();
        int maxMessages = property(MAX_MESSAGES_PROPERTY,
            (int) Math.min(DEFAULT_MAX_MESSAGES, limits.msgMax() > 0 ? limits.msgMax() : DEFAULT_MAX_MESSAGES));
        int messageSize = property(MESSAGE_SIZE_PROPERTY,
            (int) Math.min(DEFAULT_MESSAGE_SIZE, limits.msgsizeMax() > 0 ? limits.msgsizeMax() : DEFAULT_MESSAGE_SIZE));
        return new int[] {maxMessages, messageSize};
    }

    private static int property(String name, int fallback) {
        String text = System.getProperty(name);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // Said below.
        }
        throw new IllegalArgumentException("-D" + name + "=" + text + " must be a positive number");
    }

    /**
     * {@inheritDoc}
     *
     * @throws TransportException no bridge serves the name (the message says how to start one), a kernel
     *     limit refused the queues (the message names it, with a {@link SharedFileException} cause), or
     *     the bridge did not answer in time or closed the connection
     */
    @Override
    public ByteStream connect(long timeoutNanos) {
        long start = System.nanoTime();
        String name = "c-" + Processes.currentPid() + "-" + HexFormat.of().toHexDigits(RANDOM.nextLong());
        String up = queue + "." + name + ".up";
        String down = queue + "." + name + ".down";
        int requestMq = -1;
        int downMq = -1;
        int upMq = -1;
        boolean connected = false;
        try (Arena arena = Arena.ofConfined()) {
            requestMq = MessageQueues.open(queue, true);
            if (requestMq == -MessageQueues.ENOENT) {
                throw noBridge("there is no request queue " + queue);
            }
            int[] shape = queueShape();
            downMq = createWaiting(down, shape, false, start, timeoutNanos);
            upMq = createWaiting(up, shape, true, start, timeoutNanos);
            long lockedBy = ConnectFailures.bridgePid(MqAcceptor.lockFile(queue));
            sendConnect(requestMq, name, lockedBy, arena, start, timeoutNanos);
            long bridgePid = awaitAccept(downMq, lockedBy, arena, shape[1], start, timeoutNanos);
            MqStream stream = MqStream.adopt(downMq, upMq, bridgePid, uri + " as " + name);
            connected = true;
            return stream;
        } catch (SharedFileException e) {
            throw new TransportException("Cannot connect to " + uri + ": " + e.getMessage(), e);
        } finally {
            if (requestMq >= 0) {
                FileDescriptors.close(requestMq);
            }
            if (!connected) {
                if (downMq >= 0) {
                    FileDescriptors.close(downMq);
                    MessageQueues.unlink(down);
                }
                if (upMq >= 0) {
                    FileDescriptors.close(upMq);
                    MessageQueues.unlink(up);
                }
            }
        }
    }

    @Override
    public TransportUri uri() {
        return uri;
    }

    @Override
    public String toString() {
        return "MqConnector[" + uri + "]";
    }

    /**
     * Creates a queue, waiting while the user's RLIMIT_MSGQUEUE is used up: the queues of connections that
     * just closed are freed once their bridge sessions have ended, a moment later. Once the timeout has
     * passed, the limit's typed error is thrown.
     */
    private static int createWaiting(String name, int[] shape, boolean forWriting, long start, long timeoutNanos) {
        long pause = TimeUnit.MILLISECONDS.toNanos(1);
        while (true) {
            try {
                return MessageQueues.create(name, shape[0], shape[1], forWriting);
            } catch (MessageQueueLimitException e) {
                if (!e.limit().equals("RLIMIT_MSGQUEUE") || remaining(start, timeoutNanos) < pause) {
                    throw e;
                }
                LockSupport.parkNanos(pause);
                pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    /**
     * Sends the CONNECT frame as one message, waiting while the request queue is full (and the bridge
     * {@code lockedBy}, from its lock file, lives: a dead bridge's queue stays full).
     */
    private void sendConnect(int requestMq, String name, long lockedBy, Arena arena, long start,
        long timeoutNanos) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment frame = arena.allocate(FrameDescriptor.HEADER_LENGTH + bytes.length);
        frame.set(INT, FrameDescriptor.LENGTH_OFFSET, bytes.length);
        frame.set(INT, FrameDescriptor.TYPE_OFFSET, FrameDescriptor.CONNECT);
        MemorySegment.copy(bytes, 0, frame, ValueLayout.JAVA_BYTE, FrameDescriptor.HEADER_LENGTH, bytes.length);
        PollSet poll = new PollSet(1);
        poll.set(0, requestMq, FileDescriptors.POLL_OUT);
        while (true) {
            int sent = MessageQueues.send(requestMq, frame, 0, frame.byteSize());
            if (sent == 0) {
                return;
            }
            if (sent != -MessageQueues.EAGAIN) {
                throw new TransportException("Cannot send CONNECT on " + queue + ": "
                    + FileDescriptors.describeError(sent) + ". Is " + queue + " a ringbus bridge's request queue?");
            }
            int polled = poll.poll(Math.min(remaining(start, timeoutNanos), ConnectFailures.BRIDGE_CHECK_NANOS));
            if (polled <= 0) {
                ConnectFailures.checkBridgeAlive(uri, lockedBy);
                if (polled < 0 || remaining(start, timeoutNanos) <= 0) {
                    throw timedOut("its request queue " + queue + " stayed full");
                }
            }
        }
    }

    /**
     * Receives the ACCEPT message: the bridge's pid. The bridge {@code lockedBy} (from its lock file) is
     * looked at every {@link ConnectFailures#BRIDGE_CHECK_NANOS}: one that died after it took the CONNECT
     * never answers, and its queue gives no sign.
     */
    private long awaitAccept(int downMq, long lockedBy, Arena arena, int messageSize, long start,
        long timeoutNanos) {
        MemorySegment reply = arena.allocate(messageSize);
        PollSet poll = new PollSet(1);
        poll.set(0, downMq, FileDescriptors.POLL_IN);
        while (true) {
            long received = MessageQueues.receive(downMq, reply, 0, messageSize);
            if (received == 0) {
                throw new TransportException("The bridge serving " + uri + " closed before accepting the connection"
                    + " (it is stopping). Retry, or check the bridge.");
            }
            if (received > 0) {
                int length = reply.get(INT, FrameDescriptor.LENGTH_OFFSET);
                int type = received >= FrameDescriptor.HEADER_LENGTH ? reply.get(INT, FrameDescriptor.TYPE_OFFSET) : 0;
                if (received != MqAcceptor.ACCEPT_LENGTH || type != FrameDescriptor.ACCEPT || length != Long.BYTES) {
                    throw new TransportException("The process serving " + uri + " answered "
                        + FrameDescriptor.typeName(type) + " in " + received + " bytes instead of ACCEPT: it is not a"
                        + " ringbus bridge of this version.");
                }
                return reply.get(LONG, FrameDescriptor.HEADER_LENGTH);
            }
            if (received != -MessageQueues.EAGAIN) {
                throw new TransportException("Cannot receive from " + queue + "." + "c-...down: "
                    + FileDescriptors.describeError((int) -received));
            }
            int polled = poll.poll(Math.min(remaining(start, timeoutNanos), ConnectFailures.BRIDGE_CHECK_NANOS));
            if (polled <= 0) {
                ConnectFailures.checkBridgeAlive(uri, lockedBy);
                if (polled < 0 || remaining(start, timeoutNanos) <= 0) {
                    throw timedOut("it did not accept the connection (a bridge that died leaves its request queue:"
                        + " ./bus clean removes it)");
                }
            }
        }
    }

    private TransportException noBridge(String why) {
        return ConnectFailures.noBridge(uri, why);
    }

    private TransportException timedOut(String what) {
        return ConnectFailures.timedOut(uri, what);
    }

    private static long remaining(long start, long timeoutNanos) {
        return ConnectFailures.remaining(start, timeoutNanos);
    }
}
