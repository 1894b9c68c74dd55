package io.ringbus.transport.stream;

import io.ringbus.core.BusContext;
import io.ringbus.core.os.FileDescriptors;
import io.ringbus.core.os.LockFile;
import io.ringbus.core.os.MessageQueues;
import io.ringbus.core.os.PollSet;
import io.ringbus.core.os.Processes;
import io.ringbus.core.os.SharedFileException;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.frame.FrameDescriptor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bridge's side of {@code mq:/NAME}: POSIX message queues.
 *
 * <pre>
 *  client ({@link MqConnector})                         bridge (this class)
 *                                                       lock .mq-bridges/NAME.lock, create /NAME (0600, O_EXCL)
 *  create /NAME.c-PID-HEX16.up and .down (0600, O_EXCL)
 *  CONNECT "c-PID-HEX16" ──────────── /NAME ──────────▶ check the name
 *                                                       open .up (read) and .down (write): ours, mode 0600?
 *                                                       unlink both names; watch PID (pidfd)
 *        ◀──────────────────────────── .down ────────── ACCEPT, payload: the bridge's pid (int64)
 *  watch the bridge's pid (pidfd)
 *  stream: read .down, write .up                        stream: read .up, write .down ({@link MqStream})
 * </pre>
 *
 * <p>Every message on the request queue is one whole CONNECT frame (a queue keeps messages whole, so
 * any number of clients may write it). The request queue holds {@code min(10, msg_max)} messages of
 * {@link #REQUEST_MESSAGE_SIZE} bytes. The lock file {@code /dev/shm/ringbus-$USER/.mq-bridges/NAME.lock}
 * says which process serves {@code /NAME}: the kernel drops its lock when that process dies, so a request
 * queue left by a dead bridge is recognised (replaced at start, removed by {@code ./bus clean}).
 *
 * <p>{@link #accept} logs and passes over anything else on the request queue: a message that is not a
 * CONNECT frame, a client name other than {@code c-PID-HEX16}, a client whose queues are gone (it gave
 * up), are not ours, or are not mode 0600. One thread at a time may call {@code accept}; {@link #close()}
 * from any thread wakes it.
 */
public final class MqAcceptor implements StreamAcceptor {
    /** Size of a request queue message: a CONNECT frame with a client name of up to 64 bytes fits. */
    public static final int REQUEST_MESSAGE_SIZE = 128;
    /** Messages the request queue holds at most (fewer when {@code fs.mqueue.msg_max} is lower). */
    public static final int REQUEST_MAX_MESSAGES = 10;
    /** Length of the ACCEPT frame: header and the bridge's pid. */
    static final int ACCEPT_LENGTH = FrameDescriptor.HEADER_LENGTH + Long.BYTES;
    /** {@code c-PID-HEX16}: a client's name in CONNECT. */
    static final Pattern CLIENT_NAME = Pattern.compile("c-([1-9][0-9]{0,9})-[0-9a-f]{16}");
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final TransportUri uri;
    private final String queue;
    private final Consumer<String> log;
    private final LockFile lock;
    private final int requestMq;
    private final int wakeFd;
    private final PollSet poll = new PollSet(2);
    private final CloseGuard guard = new CloseGuard(this::release);
    private final MemorySegment request = Arena.ofAuto().allocate(REQUEST_MESSAGE_SIZE);
    private final MemorySegment accept = Arena.ofAuto().allocate(ACCEPT_LENGTH);

    /**
     * Serves {@code mq:/NAME}.
     *
     * @param log where passed-over requests are reported (a bridge's log)
     * @throws TransportException another bridge serves the name, or the request queue cannot be made; the
     *     message names the limit or what to do
     */
    public MqAcceptor(TransportUri uri, Consumer<String> log) {
        if (uri.kind() != TransportUri.Kind.MQ) {
            throw new IllegalArgumentException("A message queue acceptor serves mq:/NAME, not " + uri);
        }
        this.uri = uri;
        this.queue = uri.queueName();
        this.log = log;
        accept.set(INT, FrameDescriptor.LENGTH_OFFSET, Long.BYTES);
        accept.set(INT, FrameDescriptor.TYPE_OFFSET, FrameDescriptor.ACCEPT);
        accept.set(LONG, FrameDescriptor.HEADER_LENGTH, Processes.currentPid());
        LockFile taken = null;
        int mq = -1;
        try {
            Path registry = registry();
            SharedFiles.ensureDirectory(registry.getParent());
            SharedFiles.ensureDirectory(registry);
            Path lockPath = lockFile(queue);
            taken = LockFile.tryLock(lockPath);
            if (taken == null) {
                long pid = LockFile.holderPid(lockPath);
                throw new TransportException("Another bridge serves " + uri + (pid > 0 ? " (pid " + pid + ")" : "")
                    + ". Connect to it, stop it first, or serve another name.");
            }
            MessageQueues.unlink(queue); // a dead bridge's: its lock was free
            sweepDeadClients(queue, false, line -> log.accept(line));
            MessageQueues.Limits limits = MessageQueues.limits();
            int maxMessages = (int) Math.min(REQUEST_MAX_MESSAGES, limits.msgMax() > 0 ? limits.msgMax() : 10);
            mq = MessageQueues.create(queue, maxMessages, REQUEST_MESSAGE_SIZE, false);
            this.wakeFd = FileDescriptors.newWakeFd();
        } catch (SharedFileException e) {
            cleanUpFailedStart(taken, mq);
            throw new TransportException("Cannot serve " + uri + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            cleanUpFailedStart(taken, mq);
            throw e;
        }
        this.lock = taken;
        this.requestMq = mq;
        poll.set(0, requestMq, FileDescriptors.POLL_IN);
        poll.set(1, wakeFd, FileDescriptors.POLL_IN);
    }

    /** Where bridges serving message queues keep their lock files: {@code /dev/shm/ringbus-$USER/.mq-bridges}. */
    public static Path registry() {
        return BusContext.defaultDirectory("x").getParent().resolve(".mq-bridges");
    }

    /** The lock file of the bridge serving request queue {@code queue} ({@code /NAME}). */
    public static Path lockFile(String queue) {
        return registry().resolve(queue.substring(1) + ".lock");
    }

    /**
     * The request queues whose bridge is gone: lock files in {@link #registry()} that no process holds.
     * Each is removed with its queue unless {@code dryRun}; returns their names ({@code /NAME}).
     */
    public static List<String> removeDeadBridges(boolean dryRun) {
        List<String> dead = new ArrayList<>();
        Path registry = registry();
        if (!Files.isDirectory(registry)) {
            return dead;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(registry, "*.lock")) {
            for (Path entry : entries) {
                String file = entry.getFileName().toString();
                String name = "/" + file.substring(0, file.length() - ".lock".length());
                if (dryRun) {
                    long pid = LockFile.holderPid(entry);
                    if (pid <= 0 || !Processes.exists(pid)) {
                        dead.add(name); // a dry run takes no lock: taking it would remove the file
                    }
                    continue;
                }
                LockFile held = LockFile.tryLock(entry);
                if (held == null) {
                    continue; // a live bridge
                }
                try (held) { // closing removes the lock file
                    dead.add(name);
                    MessageQueues.unlink(MessageQueues.checkName(name));
                } catch (IllegalArgumentException ignored) {
                    // Not a name of ours; the lock file goes anyway.
                }
            }
        } catch (IOException e) {
            throw new TransportException("Cannot list " + registry + ": " + e.getMessage(), e);
        }
        return dead;
    }

    /** The live bridges' request queues and pids, from {@link #registry()}. */
    public static List<String> liveBridges() {
        List<String> live = new ArrayList<>();
        Path registry = registry();
        if (!Files.isDirectory(registry)) {
            return live;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(registry, "*.lock")) {
            for (Path entry : entries) {
                long pid = LockFile.holderPid(entry);
                if (pid > 0 && Processes.exists(pid)) {
                    String file = entry.getFileName().toString();
                    live.add("mq:/" + file.substring(0, file.length() - ".lock".length()) + " (pid " + pid + ")");
                }
            }
        } catch (IOException e) {
            return live;
        }
        return live;
    }

    /**
     * Removes the client queues {@code QUEUE.c-PID-HEX16.up/.down} of processes that are gone (they died
     * between creating them and being accepted). Possible only where the queues are listed
     * ({@link MessageQueues#listable()}, {@code /dev/mqueue} mounted); elsewhere the names cannot be
     * found, and nothing is done. A pid of another PID namespace is not recognised.
     *
     * @param queue  the request queue ({@code /NAME}), or null for every bridge's clients
     * @param report told of each queue removed (or that would be, with {@code dryRun})
     * @return whether the queues could be listed
     */
    public static boolean sweepDeadClients(String queue, boolean dryRun, Consumer<String> report) {
        if (!MessageQueues.listable()) {
            return false;
        }
        Pattern pattern = Pattern.compile((queue == null ? "[A-Za-z0-9._-]+" : Pattern.quote(queue.substring(1)))
            + "\\.c-([1-9][0-9]{0,9})-[0-9a-f]{16}\\.(up|down)");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(MessageQueues.MOUNT_POINT)) {
            for (Path entry : entries) {
                Matcher matcher = pattern.matcher(entry.getFileName().toString());
                if (matcher.matches() && !Processes.exists(Long.parseLong(matcher.group(1)))) {
                    String name = "/" + entry.getFileName();
                    if (!dryRun) {
                        MessageQueues.unlink(name);
                    }
                    report.accept((dryRun ? "would remove" : "removed") + " message queue " + name
                        + " (a client that died mid-connect)");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The stream reads the client's {@code .up} queue and writes its {@code .down} queue; both names are
     * removed by then. A timeout of 0 or less checks without waiting; {@code Long.MAX_VALUE} waits without
     * limit.
     */
    @Override
    public ByteStream accept(long timeoutNanos) {
        if (!guard.enter()) {
            return null;
        }
        try {
            long start = System.nanoTime();
            while (true) {
                long received = MessageQueues.receive(requestMq, request, 0, REQUEST_MESSAGE_SIZE);
                if (received >= 0) {
                    String name = clientName((int) received);
                    ByteStream stream = name == null ? null : open(name);
                    if (stream != null) {
                        return stream;
                    }
                    continue;
                }
                if (received != -MessageQueues.EAGAIN) {
                    throw new TransportException("Cannot read the request queue " + queue + ": "
                        + FileDescriptors.describeError((int) -received));
                }
                long remaining = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE
                    : timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    return null;
                }
                int events = poll.poll(remaining);
                if (events < 0) {
                    throw new TransportException("Cannot wait on " + queue + ": "
                        + FileDescriptors.describeError(events));
                }
                if (poll.events(1) != 0) {
                    return null;
                }
            }
        } finally {
            guard.exit();
        }
    }

    /** The client name of a CONNECT frame of {@code length} bytes in {@link #request}, or null (logged). */
    private String clientName(int length) {
        if (length < FrameDescriptor.HEADER_LENGTH) {
            log("passed over a " + length + "-byte message on " + queue + ": not a CONNECT frame");
            return null;
        }
        int payload = request.get(INT, FrameDescriptor.LENGTH_OFFSET);
        int type = request.get(INT, FrameDescriptor.TYPE_OFFSET);
        if (type != FrameDescriptor.CONNECT || payload != length - FrameDescriptor.HEADER_LENGTH) {
            log("passed over a message on " + queue + ": a frame of type " + FrameDescriptor.typeName(type)
                + " and length " + payload + " in " + length + " bytes, where only whole CONNECT frames belong");
            return null;
        }
        byte[] bytes = request.asSlice(FrameDescriptor.HEADER_LENGTH, payload).toArray(ValueLayout.JAVA_BYTE);
        String name = new String(bytes, StandardCharsets.US_ASCII);
        if (!CLIENT_NAME.matcher(name).matches()) {
            log("refused a CONNECT on " + queue + " with client name \"" + name.replaceAll("[^ -~]", "?")
                + "\" (expected c-PID-HEX16)");
            return null;
        }
        return name;
    }

    /** Opens a client's queue pair and answers ACCEPT; null (logged) when the client is gone or its queues are bad. */
    private ByteStream open(String name) {
        String up = queue + "." + name + ".up";
        String down = queue + "." + name + ".down";
        int upMq = -1;
        int downMq = -1;
        try {
            upMq = MessageQueues.open(up, false);
            downMq = upMq < 0 ? -1 : MessageQueues.open(down, true);
            if (upMq < 0 || downMq < 0) {
                log("passed over client " + name + ": it left before it was accepted (its queues are gone)");
                closeAll(upMq, downMq);
                return null;
            }
        } catch (SharedFileException e) {
            log("passed over client " + name + ": " + e.getMessage());
            closeAll(upMq, downMq);
            return null;
        }
        MessageQueues.unlink(up);
        MessageQueues.unlink(down);
        int sent = MessageQueues.send(downMq, accept, 0, ACCEPT_LENGTH);
        if (sent != 0) {
            log("passed over client " + name + ": cannot send ACCEPT (" + FileDescriptors.describeError(sent) + ")");
            closeAll(upMq, downMq);
            return null;
        }
        Matcher matcher = CLIENT_NAME.matcher(name);
        long pid = matcher.matches() ? Long.parseLong(matcher.group(1)) : 0;
        return MqStream.adopt(upMq, downMq, pid, uri + " client " + name);
    }

    @Override
    public TransportUri uri() {
        return uri;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Removes the request queue; clients whose CONNECT was not taken get a close marker at once instead
     * of waiting out their timeout. The lock is released last.
     */
    @Override
    public void close() {
        guard.closeAndWake(wakeFd);
    }

    @Override
    public String toString() {
        return "MqAcceptor[" + uri + "]";
    }

    private void release() {
        MessageQueues.unlink(queue);
        while (true) {
            long received = MessageQueues.receive(requestMq, request, 0, REQUEST_MESSAGE_SIZE);
            if (received < 0) {
                break;
            }
            String name = clientName((int) received);
            if (name == null) {
                continue;
            }
            try {
                int downMq = MessageQueues.open(queue + "." + name + ".down", true);
                if (downMq >= 0) {
                    MessageQueues.send(downMq, accept, 0, 0); // the close marker: no bridge
                    FileDescriptors.close(downMq);
                }
            } catch (SharedFileException ignored) {
                // Not a queue of ours: nothing to tell.
            }
        }
        closeAll(requestMq, wakeFd);
        lock.close();
    }

    private void cleanUpFailedStart(LockFile taken, int mq) {
        if (mq >= 0) {
            FileDescriptors.close(mq);
            MessageQueues.unlink(queue);
        }
        if (taken != null) {
            taken.close();
        }
    }

    private void log(String line) {
        log.accept(uri + ": " + line);
    }

    private static void closeAll(int... fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                FileDescriptors.close(fd);
            }
        }
    }
}
