package io.ringbus.transport.stream;

import io.ringbus.core.os.FileDescriptors;
import io.ringbus.core.os.Processes;
import io.ringbus.core.os.SharedFileException;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.frame.FrameDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The client's side of {@code fifo:DIR}: makes a pair of FIFOs {@code DIR/c-PID-HEX16.up} and
 * {@code .down}, asks the bridge through {@code DIR/bridge.fifo} to take them, and waits for its ACCEPT
 * (the rendezvous is described at {@link FifoAcceptor}). The stream reads {@code .down} and writes
 * {@code .up}; both names are removed by then. On any failure the FIFOs are removed and every descriptor
 * closed. Connectors are stateless: any number of threads may connect at once.
 */
public final class FifoConnector implements StreamConnector {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TransportUri uri;
    private final Path dir;

    /** Connects to the bridge serving {@code uri} ({@code fifo:DIR}). */
    public FifoConnector(TransportUri uri) {
        if (uri.kind() != TransportUri.Kind.FIFO) {
            throw new IllegalArgumentException("A FIFO connector connects to fifo:DIR, not " + uri);
        }
        this.uri = uri;
        this.dir = uri.path();
    }

    /** Connects to the bridge serving the directory {@code dir}. */
    public FifoConnector(Path dir) {
        this(new TransportUri(TransportUri.Kind.FIFO, dir.toAbsolutePath().normalize(), null, -1));
    }

    /**
     * {@inheritDoc}
     *
     * @throws TransportException no bridge serves the directory (the message says how to start one), the
     *     bridge did not answer in time or closed the connection, or the FIFOs could not be made
     */
    @Override
    public ByteStream connect(long timeoutNanos) {
        long start = System.nanoTime();
        String name = "c-" + Processes.currentPid() + "-" + HexFormat.of().toHexDigits(RANDOM.nextLong());
        Path down = dir.resolve(name + ".down");
        Path up = dir.resolve(name + ".up");
        int downFd = -1;
        int upReadWriteFd = -1;
        int upFd = -1;
        boolean madeDown = false;
        boolean madeUp = false;
        FdStream stream = null;
        boolean connected = false;
        try {
            FileDescriptors.close(FileDescriptors.createFifo(down, SharedFiles.FILE_MODE));
            madeDown = true;
            upReadWriteFd = FileDescriptors.createFifo(up, SharedFiles.FILE_MODE);
            madeUp = true;
            downFd = opened(FileDescriptors.openFifo(down, false), down);
            upFd = opened(FileDescriptors.openFifo(up, true), up);
            stream = FdStream.adopt(downFd, upFd, uri + " as " + name + " (fds " + downFd + "/" + upFd + ")");
            downFd = -1;
            upFd = -1;
            long bridgePid = ConnectFailures.bridgePid(dir.resolve(FifoAcceptor.LOCK_NAME));
            sendConnect(name, start, timeoutNanos);
            awaitAccept(stream, bridgePid, start, timeoutNanos);
            connected = true;
            return stream;
        } catch (SharedFileException e) {
            if (!madeDown && e.errno() == FileDescriptors.ENOENT) {
                throw noBridge("its directory does not exist");
            }
            throw new TransportException("Cannot connect to " + uri + ": " + e.getMessage(), e);
        } finally {
            closeQuietly(upReadWriteFd);
            if (!connected) {
                closeQuietly(downFd);
                closeQuietly(upFd);
                if (stream != null) {
                    stream.close();
                }
            }
            // On success the bridge removed both names already.
            if (!connected && madeDown) {
                FileDescriptors.unlink(down);
            }
            if (!connected && madeUp) {
                FileDescriptors.unlink(up);
            }
        }
    }

    @Override
    public TransportUri uri() {
        return uri;
    }

    @Override
    public String toString() {
        return "FifoConnector[" + uri + "]";
    }

    /** Writes the CONNECT frame in one write (atomic: it is under PIPE_BUF), waiting while the FIFO is full. */
    private void sendConnect(String name, long start, long timeoutNanos) {
        Path rendezvous = dir.resolve(FifoAcceptor.RENDEZVOUS_NAME);
        int fd = FileDescriptors.openFifo(rendezvous, true);
        if (fd == -FileDescriptors.ENOENT) {
            throw noBridge(rendezvous.getFileName() + " does not exist");
        }
        if (fd == -FileDescriptors.ENXIO) {
            throw noBridge(rendezvous.getFileName() + " is stale: no process reads it");
        }
        try (FdStream rendezvousStream = FdStream.adopt(fd, fd, uri + " rendezvous")) {
            ByteBuffer frame = FifoAcceptor.connectFrame(name);
            while (true) {
                int written = rendezvousStream.write(frame);
                if (written == frame.capacity()) {
                    return;
                }
                if (written != 0) {
                    throw new TransportException("Cannot connect to " + uri + ": a write of " + frame.capacity()
                        + " bytes to " + rendezvous + " was split, which a FIFO never does under PIPE_BUF bytes.");
                }
                if (!rendezvousStream.awaitWritable(remaining(start, timeoutNanos))) {
                    throw timedOut("its rendezvous FIFO stayed full");
                }
            }
        } catch (StreamClosedException e) {
            throw noBridge("it closed " + rendezvous.getFileName() + " (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads exactly the 8 bytes of ACCEPT: anything the bridge sends after it belongs to the stream. A
     * bridge that dies before it opened {@code .down} gives no end of file (there was never a writer), so
     * its pid ({@code bridgePid}, from its lock file) is looked at every {@link ConnectFailures#BRIDGE_CHECK_NANOS}.
     */
    private void awaitAccept(FdStream stream, long bridgePid, long start, long timeoutNanos) {
        ByteBuffer reply = ByteBuffer.allocateDirect(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        while (reply.hasRemaining()) {
            // Poll before reading: until the bridge opens .down, a read would say end of file.
            long left = remaining(start, timeoutNanos);
            if (!stream.awaitReadable(Math.min(left, ConnectFailures.BRIDGE_CHECK_NANOS))) {
                ConnectFailures.checkBridgeAlive(uri, bridgePid);
                if (remaining(start, timeoutNanos) <= 0) {
                    throw timedOut("it did not accept the connection");
                }
                continue;
            }
            if (stream.read(reply) < 0) {
                throw new TransportException("The bridge serving " + uri + " closed the connection before accepting"
                    + " it (it is stopping, or refused the client FIFOs; its standard error says why). Retry, or"
                    + " check the bridge.");
            }
        }
        int length = reply.getInt(FrameDescriptor.LENGTH_OFFSET);
        int type = reply.getInt(FrameDescriptor.TYPE_OFFSET);
        if (type != FrameDescriptor.ACCEPT || length != 0) {
            throw new TransportException("The process serving " + uri + " answered " + FrameDescriptor.typeName(type)
                + " of length " + length + " instead of ACCEPT: it is not a ringbus bridge of this version.");
        }
    }

    private int opened(int fd, Path path) {
        if (fd < 0) {
            throw new TransportException("Cannot open " + path + ", which this process just made: "
                + FileDescriptors.describeError(fd) + ". Another program is removing files in " + dir + ".");
        }
        return fd;
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

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            FileDescriptors.close(fd);
        }
    }
}
