package io.ringbus.transport.stream;

import io.ringbus.core.os.FileDescriptors;
import io.ringbus.core.os.LockFile;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bridge's side of {@code fifo:DIR}: named pipes in a directory.
 *
 * <p>The constructor makes the directory (0700) or checks it ({@code SharedFiles.ensureDirectory}), takes
 * {@code DIR/bridge.lock} (an open-file-description lock: one bridge per directory, and a dead one's lock
 * is gone with it), removes the FIFOs that clients which died mid-connect left behind, and creates
 * {@code DIR/bridge.fifo} (0600), replacing a stale one. It reads that rendezvous FIFO opened read-write,
 * so it never sees end of file. Every client makes its own pair of FIFOs, so only the rendezvous FIFO has
 * several writers, and a CONNECT frame (at most {@code PIPE_BUF} bytes, written in one {@code write})
 * arrives whole or not at all.
 *
 * <pre>
 *  client ({@link FifoConnector})                      bridge (this class)
 *  mkfifo c-PID-HEX.up, c-PID-HEX.down (0600)
 *  open .down O_RDONLY, .up O_RDWR then O_WRONLY
 *  CONNECT "c-PID-HEX" ──────────── bridge.fifo ───▶ check the name
 *                                                    open .down O_WRONLY, .up O_RDONLY
 *                                                    check: FIFOs owned by our uid
 *                                                    unlink both names
 *        ◀────────────────────────── .down ──────── ACCEPT (no payload)
 *  close the O_RDWR descriptor of .up
 *  stream: read .down, write .up                     stream: read .up, write .down
 * </pre>
 *
 * <p>The client opens {@code .up} for writing before it sends CONNECT (read-write first, which a FIFO
 * allows without a reader, then write-only, which that reader lets succeed): opened after ACCEPT, the
 * bridge's read end would see end of file before the client arrived, and the bridge could not remove the
 * names. Once ACCEPT is in, the client drops its read-write descriptor, so each direction has one reader
 * and one writer, and a peer's death shows as end of file or {@code EPIPE}.
 *
 * <p>{@link #accept} skips anything else on the rendezvous FIFO, with one line on standard error: a frame
 * of another type or an implausible length makes it drop every byte it has read (writers write whole
 * frames atomically, so the next read starts at a frame again); a client name other than
 * {@code c-PID-HEX16} is refused; a client that left before its turn is passed over. One thread at a time
 * may call {@code accept}; {@link #close()} from any thread wakes it.
 */
public final class FifoAcceptor implements StreamAcceptor {
    /** The rendezvous FIFO in the directory. */
    public static final String RENDEZVOUS_NAME = "bridge.fifo";
    /** The lock file in the directory, held by the serving bridge. */
    public static final String LOCK_NAME = "bridge.lock";

    /** {@code c-PID-HEX}: the base name of a client's FIFO pair. */
    static final Pattern CLIENT_NAME = Pattern.compile("c-([1-9][0-9]{0,9})-[0-9a-f]{16}");
    private static final Pattern CLIENT_FIFO = Pattern.compile("(c-([1-9][0-9]{0,9})-[0-9a-f]{16})\\.(up|down)");
    /** Longest CONNECT payload taken: a client name is about 30 bytes. */
    static final int MAX_NAME_LENGTH = 64;
    /** A pipe's default capacity: one read takes all a writer could have queued. */
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int LOGGED_BYTES = 60;
    private static final int DRAIN_READS = 16;

    private final TransportUri uri;
    private final Path dir;
    private final Path rendezvous;
    private final LockFile lock;
    private final int rendezvousFd;
    private final int wakeFd;
    private final CloseGuard guard = new CloseGuard(this::release);
    private final MemorySegment buffer = Arena.ofAuto().allocate(BUFFER_BYTES);
    private final MemorySegment acceptFrame = Arena.ofAuto().allocate(FrameDescriptor.HEADER_LENGTH);
    private final ArrayDeque<String> pending = new ArrayDeque<>();
    /** Bytes of a frame kept from the previous read, at the start of {@link #buffer}. */
    private int carried;

    /**
     * Serves {@code fifo:DIR}.
     *
     * @throws TransportException another bridge serves the directory, or the directory or its files cannot
     *     be made or are not safe (wrong owner, mode or type); the message says what to do
     */
    public FifoAcceptor(TransportUri uri) {
        if (uri.kind() != TransportUri.Kind.FIFO) {
            throw new IllegalArgumentException("A FIFO acceptor serves fifo:DIR, not " + uri);
        }
        this.uri = uri;
        this.dir = uri.path();
        this.rendezvous = dir.resolve(RENDEZVOUS_NAME);
        acceptFrame.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
            FrameDescriptor.LENGTH_OFFSET, 0);
        acceptFrame.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
            FrameDescriptor.TYPE_OFFSET, FrameDescriptor.ACCEPT);
        LockFile taken = null;
        int fifo = -1;
        try {
            SharedFiles.ensureDirectory(dir);
            Path lockPath = dir.resolve(LOCK_NAME);
            taken = LockFile.tryLock(lockPath);
            if (taken == null) {
                long pid = LockFile.holderPid(lockPath);
                throw new TransportException("Another bridge serves " + uri + (pid > 0 ? " (pid " + pid + ")" : "")
                    + ". Connect to it, stop it first, or serve another directory.");
            }
            sweepDeadClients();
            int removed = FileDescriptors.unlink(rendezvous);
            if (removed < 0 && removed != -FileDescriptors.ENOENT) {
                throw new TransportException("Cannot remove the stale " + rendezvous + ": "
                    + FileDescriptors.describeError(removed) + ". Remove it by hand.");
            }
            fifo = FileDescriptors.createFifo(rendezvous, SharedFiles.FILE_MODE);
            this.wakeFd = FileDescriptors.newWakeFd();
        } catch (SharedFileException e) {
            cleanUpFailedStart(taken, fifo);
            throw new TransportException("Cannot serve " + uri + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            cleanUpFailedStart(taken, fifo);
            throw e;
        }
        this.lock = taken;
        this.rendezvousFd = fifo;
    }

    /** Serves the directory {@code dir} ({@code fifo:DIR}). */
    public FifoAcceptor(Path dir) {
        this(new TransportUri(TransportUri.Kind.FIFO, dir.toAbsolutePath().normalize(), null, -1));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The stream reads the client's {@code .up} FIFO and writes its {@code .down} FIFO; both names are
     * gone from the directory by then. A timeout of 0 or less checks without waiting;
     * {@code Long.MAX_VALUE} waits without limit.
     */
    @Override
    public ByteStream accept(long timeoutNanos) {
        if (!guard.enter()) {
            return null;
        }
        try {
            long start = System.nanoTime();
            while (true) {
                String name = pending.poll();
                if (name != null) {
                    ByteStream stream = open(name);
                    if (stream != null) {
                        return stream;
                    }
                    continue;
                }
                if (readRendezvous()) {
                    continue;
                }
                long remaining = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE
                    : timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    return null;
                }
                int events = FileDescriptors.poll(rendezvousFd, FileDescriptors.POLL_IN, wakeFd, remaining);
                if (events < 0) {
                    throw new TransportException("Cannot wait on " + rendezvous + ": "
                        + FileDescriptors.describeError(events));
                }
                if ((events & FileDescriptors.POLL_WOKEN) != 0) {
                    return null;
                }
            }
        } finally {
            guard.exit();
        }
    }

    @Override
    public TransportUri uri() {
        return uri;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Clients whose CONNECT arrived but were not accepted see the connection end at once. The lock is
     * released last, so a new bridge never finds this one's rendezvous FIFO.
     */
    @Override
    public void close() {
        guard.closeAndWake(wakeFd);
    }

    @Override
    public String toString() {
        return "FifoAcceptor[" + uri + "]";
    }

    /** Reads what the rendezvous FIFO holds and queues the client names in it; false when it held nothing. */
    private boolean readRendezvous() {
        long read = FileDescriptors.read(rendezvousFd, buffer.asSlice(carried));
        if (read == -FileDescriptors.EAGAIN || read == 0) {
            return false; // 0 cannot happen: this descriptor is a writer too
        }
        if (read < 0) {
            throw new TransportException("Cannot read " + rendezvous + ": "
                + FileDescriptors.describeError((int) read));
        }
        int available = carried + (int) read;
        boolean full = available == BUFFER_BYTES;
        int offset = 0;
        carried = 0;
        while (available - offset >= FrameDescriptor.HEADER_LENGTH) {
            int length = intAt(offset + FrameDescriptor.LENGTH_OFFSET);
            int type = intAt(offset + FrameDescriptor.TYPE_OFFSET);
            if (type != FrameDescriptor.CONNECT) {
                log("discarded " + (available - offset) + " bytes: a frame of type " + FrameDescriptor.typeName(type)
                    + " where only CONNECT frames belong");
                return true;
            }
            if (length <= 0 || length > MAX_NAME_LENGTH) {
                log("discarded " + (available - offset) + " bytes: a CONNECT frame of length " + length
                    + " (a client name has 1 to " + MAX_NAME_LENGTH + " bytes)");
                return true;
            }
            if (available - offset - FrameDescriptor.HEADER_LENGTH < length) {
                break;
            }
            queue(buffer.asSlice(offset + FrameDescriptor.HEADER_LENGTH, length));
            offset += FrameDescriptor.HEADER_LENGTH + length;
        }
        int left = available - offset;
        if (left > 0 && full) {
            // The pipe may hold the rest of this frame: keep its start.
            MemorySegment.copy(buffer, offset, buffer, 0, left);
            carried = left;
        } else if (left > 0) {
            log("discarded " + left + " bytes: a partial frame (no client writes one)");
        }
        return true;
    }

    private void queue(MemorySegment payload) {
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().decode(payload.asByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            log("refused a CONNECT frame whose " + payload.byteSize() + "-byte name is not UTF-8");
            return;
        }
        if (!CLIENT_NAME.matcher(name).matches()) {
            log("refused a CONNECT frame with client name \"" + printable(name) + "\" (expected c-PID-HEX16)");
            return;
        }
        pending.add(name);
    }

    /** Opens a client's FIFO pair and answers ACCEPT; null (logged) when the client is gone or its files are bad. */
    private ByteStream open(String name) {
        Path down = dir.resolve(name + ".down");
        Path up = dir.resolve(name + ".up");
        int downFd = -1;
        int upFd = -1;
        try {
            downFd = FileDescriptors.openFifo(down, true);
            if (downFd < 0) {
                log("passed over client " + name + ": it left before it was accepted ("
                    + FileDescriptors.describeError(downFd) + " on " + down.getFileName() + ")");
                FileDescriptors.unlink(up);
                FileDescriptors.unlink(down);
                return null;
            }
            upFd = FileDescriptors.openFifo(up, false);
            if (upFd < 0) {
                log("passed over client " + name + ": " + FileDescriptors.describeError(upFd) + " on "
                    + up.getFileName());
                FileDescriptors.unlink(down);
                closeAll(downFd);
                return null;
            }
        } catch (SharedFileException e) {
            log("passed over client " + name + ": " + e.getMessage());
            closeAll(downFd, upFd);
            return null;
        }
        FileDescriptors.unlink(down);
        FileDescriptors.unlink(up);
        long written = FileDescriptors.write(downFd, acceptFrame);
        if (written != FrameDescriptor.HEADER_LENGTH) {
            log("passed over client " + name + ": it left before it was accepted ("
                + (written < 0 ? FileDescriptors.describeError((int) written) : "short write") + ")");
            closeAll(downFd, upFd);
            return null;
        }
        return FdStream.adopt(upFd, downFd, uri + " client " + name + " (fds " + upFd + "/" + downFd + ")");
    }

    /**
     * Removes client FIFOs whose process is gone (it died between making them and being accepted). A
     * pid from another PID namespace is not recognised; its client is mid-connect only for an instant.
     */
    private void sweepDeadClients() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "c-*")) {
            for (Path entry : entries) {
                Matcher matcher = CLIENT_FIFO.matcher(entry.getFileName().toString());
                if (matcher.matches() && !Processes.exists(Long.parseLong(matcher.group(2)))) {
                    FileDescriptors.unlink(entry);
                }
            }
        } catch (IOException e) {
            log("could not look for stale client FIFOs: " + e);
        }
    }

    private void release() {
        FileDescriptors.unlink(rendezvous);
        // Clients queued or still in the rendezvous FIFO: open their .down and close it, so that they read
        // end of file at once instead of waiting out their timeout.
        try {
            for (int reads = 0; reads < DRAIN_READS && readRendezvous(); reads++) {
                // Queues the names.
            }
        } catch (TransportException ignored) {
            // Closing anyway.
        }
        for (String name : pending) {
            Path down = dir.resolve(name + ".down");
            try {
                closeAll(FileDescriptors.openFifo(down, true));
            } catch (SharedFileException ignored) {
                // Not a FIFO of ours: nothing to tell.
            }
            FileDescriptors.unlink(down);
            FileDescriptors.unlink(dir.resolve(name + ".up"));
        }
        pending.clear();
        closeAll(rendezvousFd, wakeFd);
        lock.close();
    }

    private void cleanUpFailedStart(LockFile taken, int fifo) {
        if (fifo >= 0) {
            FileDescriptors.close(fifo);
            FileDescriptors.unlink(rendezvous);
        }
        if (taken != null) {
            taken.close();
        }
    }

    private int intAt(long offset) {
        return buffer.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), offset);
    }

    private void log(String message) {
        System.err.println("ringbus " + uri + ": " + message);
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < LOGGED_BYTES; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7F && c != '"' ? c : '?');
        }
        return text.length() > LOGGED_BYTES ? out + "..." : out.toString();
    }

    private static void closeAll(int... fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                FileDescriptors.close(fd);
            }
        }
    }

    /** The payload of a CONNECT frame for {@code name} (for the connector). */
    static ByteBuffer connectFrame(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocateDirect(FrameDescriptor.HEADER_LENGTH + bytes.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(FrameDescriptor.LENGTH_OFFSET, bytes.length);
        frame.putInt(FrameDescriptor.TYPE_OFFSET, FrameDescriptor.CONNECT);
        frame.put(FrameDescriptor.HEADER_LENGTH, bytes);
        return frame;
    }
}
