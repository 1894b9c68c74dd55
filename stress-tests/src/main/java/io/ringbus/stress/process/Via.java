package io.ringbus.stress.process;

import io.ringbus.core.BusContext;
import io.ringbus.core.os.FileDescriptors;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.TransportContext;
import io.ringbus.transport.client.StreamBusClient;
import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.stream.FdStream;
import io.ringbus.transport.stream.PipeConnector;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The path the stress processes take to the bus. Every child gets its publisher or subscriber from
 * {@link BusClients#open} ({@code shm:}, or the URI of the bridge the harness hosts for the stream
 * paths), except on {@code pipe}: a child's standard input and output carry the harness's protocol,
 * so its one endpoint goes over a FIFO pair it makes in the work directory, which the harness's bridge
 * serves as it serves the pipes of {@code ./bus run} ({@code PIPE NAME}, then {@code Bridge.serve}).
 * On {@code aeron} every child is on shared memory, but on one of two buses: the publishers on bus A,
 * the subscribers on bus B, which two gateways join over loopback UDP ({@link StressGateways}).
 */
public enum Via {
    /** The shared-memory bus itself. */
    SHM,
    /** Pipes to a bridge (a FIFO pair per child: its stdin and stdout carry the harness's protocol). */
    PIPE,
    /** Named pipes in a bridge's directory. */
    FIFO,
    /** A Unix socket served by a bridge. */
    UNIX,
    /** A loopback TCP socket served by a bridge. */
    TCP,
    /** POSIX message queues served by a bridge (a request queue, a pair of queues per client). */
    MQ,
    /** Shared memory on two buses joined by two gateway processes over Aeron (loopback UDP). */
    AERON;

    /** How long a pipe child waits for the harness to serve its FIFO pair. */
    private static final Duration PIPE_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final int FIFO_MODE = 0600;

    /** The lower-case name used on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the harness can run over this path (every path can now). */
    public boolean available() {
        return true;
    }

    /** Whether this path goes through the harness's bridge as a byte stream. */
    public boolean stream() {
        return this != SHM && this != AERON;
    }

    /** Whether the subscribers read a second bus that gateways fill from the publishers' bus. */
    public boolean gateway() {
        return this == AERON;
    }

    /** Parses {@code shm}, {@code pipe}, ... (any case). */
    public static Via parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--via '" + text + "' must be one of shm, pipe, fifo, unix, tcp, mq,"
                + " aeron");
        }
    }

    /** Kept for callers that checked before every path existed: every path is available. */
    public void checkAvailable() {
        // Every path exists.
    }

    /**
     * A client of the bus: {@code shm:} on {@code directory}, else the bridge at {@code uri}; on
     * {@code pipe}, a FIFO pair named in {@code pipeDir} (announced with a {@code PIPE NAME} line).
     */
    BusClient open(Path directory, String uri, Path pipeDir) {
        if (this == PIPE) {
            return openPipe(pipeDir);
        }
        TransportContext context = new TransportContext()
            .uri(this == SHM || this == AERON ? "shm:" : uri)
            .busContext(new BusContext().directory(directory));
        return BusClients.open(context);
    }

    /**
     * The pipe path's endpoint: mkfifo NAME.up and NAME.down, held read-write (so neither open blocks
     * nor sees end of file before the bridge has its ends); open our ends; say {@code PIPE NAME}; the
     * handshake then waits for the harness to serve the pair. The names go once the endpoint exists
     * ({@link PipeClient#connected}).
     */
    private static BusClient openPipe(Path pipeDir) {
        String name = "p" + ProcessHandle.current().pid();
        Path up = pipeDir.resolve(name + ".up");
        Path down = pipeDir.resolve(name + ".down");
        int upHold = FileDescriptors.createFifo(up, FIFO_MODE);
        int downHold = FileDescriptors.createFifo(down, FIFO_MODE);
        int downRead = opened(FileDescriptors.openFifo(down, false), down);
        int upWrite = opened(FileDescriptors.openFifo(up, true), up);
        FdStream stream = FdStream.adopt(downRead, upWrite, "pipe pair " + name);
        BusClient client = new StreamBusClient(new TransportContext().uri("pipe:")
            .connectTimeout(PIPE_CONNECT_TIMEOUT), new PipeConnector(() -> stream));
        ChildArgs.say("PIPE " + name);
        PipeClient.holds = new int[] {upHold, downHold};
        PipeClient.names = new Path[] {up, down};
        return client;
    }

    private static int opened(int fd, Path path) {
        if (fd < 0) {
            throw new IllegalStateException("cannot open " + path + ": " + FileDescriptors.describeError(-fd));
        }
        return fd;
    }

    /** The FIFO holds of this process's pipe endpoint, released once it is connected. */
    static final class PipeClient {
        private static int[] holds;
        private static Path[] names;

        private PipeClient() {
        }

        /** Closes the read-write holds and removes the FIFO names (after the handshake). */
        static void connected() {
            if (holds == null) {
                return;
            }
            for (int hold : holds) {
                FileDescriptors.close(hold);
            }
            for (Path name : names) {
                FileDescriptors.unlink(name);
            }
            holds = null;
        }
    }

    /** The harness's side of a child's {@code PIPE NAME}: opens the bridge's ends of the pair. */
    static FdStream servePipe(Path pipeDir, String name) {
        Path up = pipeDir.resolve(name + ".up");
        Path down = pipeDir.resolve(name + ".down");
        int upRead = opened(FileDescriptors.openFifo(up, false), up);
        int downWrite = FileDescriptors.openFifo(down, true);
        if (downWrite < 0) {
            FileDescriptors.close(upRead);
            opened(downWrite, down);
        }
        return FdStream.adopt(upRead, downWrite, "pipe pair " + name);
    }

    /**
     * The most a bridge may have taken off the ring for one stream subscriber without the subscriber
     * having handled it: the bridge's frame buffer, the kernel's buffers of the path (both ends), and the
     * client's frame buffer. A durable stream subscriber killed -9 may lose that much (its cursor is the
     * bridge's); anything beyond is a loss.
     */
    long forwardingWindowBytes(int maxMessage) {
        long frameBuffers = 2L * Math.max(64 * 1024, 2 * (FrameDescriptor.HEADER_LENGTH + maxMessage));
        // Nothing in ringbus sets SO_SNDBUF, SO_RCVBUF or F_SETPIPE_SZ: the kernel's defaults hold.
        long kernel = switch (this) {
            case SHM, AERON -> 0;
            // A Unix stream socket queues what is written at the receiver, charged to the sender's buffer.
            case UNIX -> proc("/proc/sys/net/core/wmem_default", 0, 212_992);
            // TCP buffers grow by themselves, up to these limits, at either end.
            case TCP -> proc("/proc/sys/net/ipv4/tcp_wmem", 2, 4 << 20) + proc("/proc/sys/net/ipv4/tcp_rmem", 2,
                6 << 20);
            // A pipe holds 16 pages unless resized.
            case PIPE, FIFO -> 64 * 1024;
            // Each queue holds maxmsg messages of msgsize; the reading stream may hold as much again read ahead.
            case MQ -> 2L * mqQueueBytes();
        };
        return frameBuffers + kernel;
    }

    private static long mqQueueBytes() {
        int[] shape = io.ringbus.transport.stream.MqConnector.queueShape();
        return (long) (shape[0] + 2) * shape[1];
    }

    private static long proc(String file, int field, long fallback) {
        // Read as a stream: procfs reports size 0, and a read sized by the file's length stops short.
        try (BufferedReader in = Files.newBufferedReader(Path.of(file))) {
            String[] words = in.readLine().trim().split("\\s+");
            return Long.parseLong(words[field]);
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }
}
