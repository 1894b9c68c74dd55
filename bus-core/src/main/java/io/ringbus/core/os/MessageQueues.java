package io.ringbus.core.os;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * POSIX message queues ({@code mq_overview(7)}) for bus-transport's {@code mq:} path: created exclusively
 * with mode 0600, opened with their owner and mode checked, non-blocking sends and receives without
 * allocation, and the kernel's limits. On Linux a queue descriptor is a file descriptor: it can be
 * {@link PollSet polled} (readable while the queue holds a message, writable while it has room) and is
 * closed with {@link FileDescriptors#close}.
 *
 * <p>Conventions as in {@link FileDescriptors}: the calls made per message return a count or -errno;
 * creation throws typed exceptions ({@link FileExistsException}, {@link FilePermissionException},
 * {@link MessageQueueLimitException}, ...) whose message names the limit or sysctl and what to do.
 *
 * <p>Memory. Buffers go straight to the C library: memory of this process, never a mapped topic file.
 */
public final class MessageQueues {
    /** Nothing to receive, or no room to send, on a non-blocking queue (11). */
    public static final int EAGAIN = Errno.EAGAIN;
    /** No queue of that name (2). */
    public static final int ENOENT = Errno.ENOENT;
    /** A receive buffer under the queue's message size (90). */
    public static final int EMSGSIZE = Errno.EMSGSIZE;
    /** No process with that pid (3). */
    public static final int ESRCH = Errno.ESRCH;
    /** What the kernel charges per message slot beyond its bytes: a {@code msg_msg} and a tree node. */
    public static final int SLOT_OVERHEAD = 96;
    /** Where Linux shows the queues when the {@code mqueue} file system is mounted. */
    public static final Path MOUNT_POINT = Path.of("/dev/mqueue");

    private static final Pattern NAME = Pattern.compile("/[A-Za-z0-9._-]{1,250}");
    private static final Path SYSCTL = Path.of("/proc/sys/fs/mqueue");
    private static final int OPEN_FLAGS = PosixBindings.O_NONBLOCK | PosixBindings.O_CLOEXEC;

    /**
     * The kernel's limits on queues, as this process sees them.
     *
     * @param msgMax         {@code fs.mqueue.msg_max}: most messages a queue may hold (without CAP_SYS_RESOURCE)
     * @param msgsizeMax     {@code fs.mqueue.msgsize_max}: largest message size a queue may have
     * @param queuesMax      {@code fs.mqueue.queues_max}: most queues in the system
     * @param msgDefault     {@code fs.mqueue.msg_default}
     * @param msgsizeDefault {@code fs.mqueue.msgsize_default}
     * @param userBytes      this process's {@code RLIMIT_MSGQUEUE} (soft): bytes all queues of the user may take;
     *                       -1 for unlimited or unknown
     */
    public record Limits(long msgMax, long msgsizeMax, long queuesMax, long msgDefault, long msgsizeDefault,
        long userBytes) {
        /** One line for messages and {@code ./bus stat}. */
        public String describe() {
            return "msg_max " + msgMax + ", msgsize_max " + msgsizeMax + ", queues_max " + queuesMax
                + " (/proc/sys/fs/mqueue); RLIMIT_MSGQUEUE " + (userBytes < 0 ? "unlimited" : userBytes + " bytes")
                + " per user (ulimit -q)";
        }
    }

    /**
     * A queue's attributes ({@code mq_getattr}).
     *
     * @param maxMessages     how many messages it holds at most
     * @param messageSize     the largest message, in bytes; a receive buffer must have at least this
     * @param currentMessages how many it holds now
     */
    public record Attributes(long maxMessages, long messageSize, long currentMessages) {
    }

    private MessageQueues() {
    }

    /** The kernel's limits ({@code /proc/sys/fs/mqueue} and {@code /proc/self/limits}); -1 for what is unknown. */
    public static Limits limits() {
        return new Limits(sysctl("msg_max"), sysctl("msgsize_max"), sysctl("queues_max"), sysctl("msg_default"),
            sysctl("msgsize_default"), processLimit("Max msgqueue size"));
    }

    /** What a queue of this shape takes from the user's {@code RLIMIT_MSGQUEUE}, in bytes. */
    public static long cost(long maxMessages, long messageSize) {
        return maxMessages * (messageSize + SLOT_OVERHEAD);
    }

    /**
     * Checks a queue name: a slash, then 1 to 250 of {@code A-Z a-z 0-9 . _ -}.
     *
     * @throws IllegalArgumentException otherwise, saying what a name looks like
     */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a message queue name: a slash, then 1 to 250"
                + " letters, digits, '.', '_' or '-', such as /ringbus");
        }
        return name;
    }

    /**
     * Creates a queue exclusively ({@code O_CREAT | O_EXCL}, mode 0600, non-blocking, close-on-exec), opened
     * for reading ({@code forWriting} false) or writing, and checks that it is ours and mode 0600.
     *
     * @return the queue descriptor
     * @throws FileExistsException         a queue of that name exists
     * @throws FilePermissionException     the system refused (EACCES), or the umask took the owner's bits
     * @throws MessageQueueLimitException  {@code RLIMIT_MSGQUEUE}, {@code fs.mqueue.queues_max},
     *                                     {@code msg_max} or {@code msgsize_max} refused it
     * @throws SharedFileException         other failures
     */
    public static int create(String name, int maxMessages, int messageSize, boolean forWriting) {
        return create(name, maxMessages, messageSize, forWriting, SharedFiles.FILE_MODE, false);
    }

    /**
     * {@link #create} with a descriptor in blocking mode: {@link #send} and {@link #receive} then wait in
     * the kernel (for a plain peer, such as a benchmark's raw channel).
     */
    public static int createBlocking(String name, int maxMessages, int messageSize, boolean forWriting) {
        return create(name, maxMessages, messageSize, forWriting, SharedFiles.FILE_MODE, true);
    }

    static int create(String name, int maxMessages, int messageSize, boolean forWriting, int mode,
        boolean blocking) {
        checkName(name);
        if (maxMessages < 1 || messageSize < 1) {
            throw new IllegalArgumentException("A queue holds at least one message of at least one byte, not "
                + maxMessages + " of " + messageSize);
        }
        int access = forWriting ? PosixBindings.O_WRONLY : PosixBindings.O_RDONLY;
        int flags = (blocking ? PosixBindings.O_CLOEXEC : OPEN_FLAGS) | PosixBindings.O_CREAT | PosixBindings.O_EXCL;
        int mqd = PosixBindings.mqOpen(name, access | flags, mode, maxMessages, messageSize);
        if (mqd < 0) {
            throw failure("create", name, -mqd, maxMessages, messageSize);
        }
        try {
            checkOwnerAndMode(mqd, name);
            return mqd;
        } catch (RuntimeException | Error e) {
            PosixBindings.close(mqd);
            PosixBindings.mqUnlink(name);
            throw e;
        }
    }

    /**
     * Opens an existing queue (non-blocking, close-on-exec) and checks that it belongs to this process's
     * effective uid and has mode 0600.
     *
     * @return the descriptor, or {@code -ENOENT} when there is no such queue
     * @throws FilePermissionException another user's queue, a mode other than 0600, or EACCES
     * @throws SharedFileException     other failures (out of descriptors, ...)
     */
    public static int open(String name, boolean forWriting) {
        return open(name, forWriting, false);
    }

    /** {@link #open(String, boolean)}, in blocking mode when {@code blocking}. */
    public static int open(String name, boolean forWriting, boolean blocking) {
        checkName(name);
        int access = forWriting ? PosixBindings.O_WRONLY : PosixBindings.O_RDONLY;
        int mqd = PosixBindings.mqOpen(name, access | (blocking ? PosixBindings.O_CLOEXEC : OPEN_FLAGS), 0, 0, 0);
        if (mqd == -Errno.ENOENT) {
            return mqd;
        }
        if (mqd < 0) {
            throw failure("open", name, -mqd, 0, 0);
        }
        try {
            checkOwnerAndMode(mqd, name);
            return mqd;
        } catch (RuntimeException | Error e) {
            PosixBindings.close(mqd);
            throw e;
        }
    }

    /**
     * Removes a queue's name; the queue itself lives on until its last descriptor is closed.
     *
     * @return 0, or -errno ({@code -ENOENT}: no such queue)
     */
    public static int unlink(String name) {
        checkName(name);
        return PosixBindings.mqUnlink(name);
    }

    /**
     * A queue's attributes.
     *
     * @throws SharedFileException the descriptor is not a queue
     */
    public static Attributes attributes(int mqd) {
        int[] errno = new int[1];
        long[] values = PosixBindings.mqGetattr(mqd, errno);
        if (values == null) {
            throw Failures.ofDescriptor("read the attributes of message queue descriptor " + mqd, errno[0]);
        }
        return new Attributes(values[0], values[1], values[2]);
    }

    /**
     * Sends {@code length} bytes of {@code buffer} from {@code offset} as one message of priority 0 (bounds
     * checked; no allocation). {@code EINTR} is retried.
     *
     * @return 0, or -errno ({@code -EAGAIN}: the queue is full; {@code -EMSGSIZE}: over its message size)
     */
    public static int send(int mqd, MemorySegment buffer, long offset, long length) {
        int result;
        do {
            result = PosixBindings.mqSend(mqd, buffer, offset, length, 0);
        } while (result == -Errno.EINTR);
        return result;
    }

    /**
     * Receives the oldest message into {@code buffer} at {@code offset}; {@code capacity} must be at least
     * the queue's message size. {@code EINTR} is retried.
     *
     * @return the message's length (0 for an empty message), or -errno ({@code -EAGAIN}: empty)
     */
    public static long receive(int mqd, MemorySegment buffer, long offset, long capacity) {
        long result;
        do {
            result = PosixBindings.mqReceive(mqd, buffer, offset, capacity);
        } while (result == -Errno.EINTR);
        return result;
    }

    /**
     * A descriptor that becomes readable when process {@code pid} exits ({@code pidfd_open(2)}, Linux 5.3):
     * a peer's death seen by {@code poll}, without a timer, and never confused with a later process that
     * reuses the pid.
     *
     * @return the descriptor (close-on-exec), or -errno ({@code -ESRCH}: no such process in this PID
     *     namespace; {@code -ENOSYS}: an older kernel)
     */
    public static int watchProcess(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            return -Errno.ESRCH;
        }
        return PosixBindings.pidfdOpen((int) pid);
    }

    /** Whether the {@code mqueue} file system is mounted at {@link #MOUNT_POINT}, which lists every queue. */
    public static boolean listable() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .anyMatch(line -> line.startsWith("mqueue " + MOUNT_POINT + " ") || line.contains(" " + MOUNT_POINT
                    + " mqueue "));
        } catch (IOException e) {
            return false;
        }
    }

    private static void checkOwnerAndMode(int mqd, String name) {
        Path shown = MOUNT_POINT.resolve(name.substring(1));
        FileStat stat = PosixBindings.fstat(mqd);
        if (stat.errno() != 0) {
            throw Failures.of("inspect message queue", shown, stat.errno());
        }
        int euid = PosixBindings.geteuid();
        if (stat.uid() != euid) {
            throw new FilePermissionException("Message queue " + name + " is owned by uid "
                + Integer.toUnsignedString(stat.uid()) + ", not by this process's uid " + Integer.toUnsignedString(euid)
                + ": ringbus never uses another user's queue (it could read or inject messages). Run as that user,"
                + " or use another name.", shown, 0);
        }
        int permissions = stat.mode() & 07777;
        if (permissions != SharedFiles.FILE_MODE) {
            throw new FilePermissionException("Message queue " + name + " has mode " + Failures.octal(permissions)
                + ", not 0600" + (permissions == 0 || (permissions & 0600) != 0600
                    ? " (a umask that removes the owner's bits?)" : "")
                + ": other users could use it. Remove it (./bus clean, or mq_unlink) and run with umask 077.",
                shown, 0);
        }
    }

    /** The typed exception for a failed {@code mq_open}: what happened, the limit in the way, what to do. */
    static SharedFileException failure(String action, String name, int errno, long maxMessages, long messageSize) {
        Path shown = MOUNT_POINT.resolve(name.substring(1));
        String head = "Cannot " + action + " message queue " + name + ": " + Errno.describe(errno) + ". ";
        Limits limits = limits();
        return switch (errno) {
            case Errno.EEXIST -> new FileExistsException(head + "A queue of that name exists: a live process uses it"
                + " (choose another name), or a process that died left it (./bus clean removes a dead bridge's"
                + " queue).", shown, errno);
            case Errno.ENOENT -> new FileMissingException(head + "No queue has that name: start the process that"
                + " creates it (./bus daemon --listen mq:" + name + ").", shown, errno);
            case Errno.EACCES, Errno.EPERM -> new FilePermissionException(head + "The queue belongs to another user or"
                + " its mode refuses this one: run as its owner, or use another name.", shown, errno);
            case Errno.ENOSPC -> new MessageQueueLimitException(head + "The system holds fs.mqueue.queues_max ("
                + limits.queuesMax() + ") queues already. Remove leftover queues (./bus clean), or raise the limit as"
                + " root: sysctl -w fs.mqueue.queues_max=N.", shown, errno, "fs.mqueue.queues_max");
            case Errno.EMFILE -> outOfQueueBytesOrDescriptors(head, shown, limits, maxMessages, messageSize);
            case Errno.EINVAL -> overSize(head, shown, limits, maxMessages, messageSize);
            case Errno.ENFILE -> new SharedFileException(head + "The system is out of open files: close some, or"
                + " raise fs.file-max.", shown, errno);
            case Errno.ENOMEM -> new SharedFileException(head + "The kernel is out of memory for the queue: free"
                + " memory, or use smaller queues.", shown, errno);
            default -> new SharedFileException(head + "This is a system error ringbus cannot fix; check the system"
                + " log.", shown, errno);
        };
    }

    private static SharedFileException outOfQueueBytesOrDescriptors(String head, Path shown, Limits limits,
        long maxMessages, long messageSize) {
        long openFiles = processLimit("Max open files");
        long open = openDescriptors();
        if (openFiles > 0 && open >= openFiles - 1) {
            return new SharedFileException(head + "This process has " + open + " descriptors open, its limit (ulimit"
                + " -n): close unused streams, or raise it.", shown, Errno.EMFILE);
        }
        return new MessageQueueLimitException(head + "The queues of this user would take more than RLIMIT_MSGQUEUE ("
            + (limits.userBytes() < 0 ? "?" : limits.userBytes()) + " bytes, ulimit -q)"
            + (maxMessages > 0 ? "; this one needs " + cost(maxMessages, messageSize) + " (" + maxMessages
                + " messages of " + messageSize + " bytes, plus " + SLOT_OVERHEAD + " each)" : "")
            + ". Close other mq: connections, remove leftover queues (./bus clean), use smaller queues"
            + " (-Dringbus.mq.msgsize, -Dringbus.mq.maxmsg), or raise the limit (ulimit -q; beyond the hard limit"
            + " needs CAP_SYS_RESOURCE).", shown, Errno.EMFILE, "RLIMIT_MSGQUEUE");
    }

    private static SharedFileException overSize(String head, Path shown, Limits limits, long maxMessages,
        long messageSize) {
        if (limits.msgsizeMax() > 0 && messageSize > limits.msgsizeMax()) {
            return new MessageQueueLimitException(head + "A message size of " + messageSize + " bytes is over"
                + " fs.mqueue.msgsize_max (" + limits.msgsizeMax() + ", /proc/sys/fs/mqueue/msgsize_max). Use at most"
                + " that (-Dringbus.mq.msgsize), or raise it as root: sysctl -w fs.mqueue.msgsize_max=" + messageSize
                + " (beyond it a process needs CAP_SYS_RESOURCE).", shown, Errno.EINVAL, "fs.mqueue.msgsize_max");
        }
        if (limits.msgMax() > 0 && maxMessages > limits.msgMax()) {
            return new MessageQueueLimitException(head + "A queue of " + maxMessages + " messages is over"
                + " fs.mqueue.msg_max (" + limits.msgMax() + ", /proc/sys/fs/mqueue/msg_max). Use at most that"
                + " (-Dringbus.mq.maxmsg), or raise it as root: sysctl -w fs.mqueue.msg_max=" + maxMessages
                + " (beyond it a process needs CAP_SYS_RESOURCE).", shown, Errno.EINVAL, "fs.mqueue.msg_max");
        }
        return new SharedFileException(head + "The kernel refused the name or the attributes (" + maxMessages
            + " messages of " + messageSize + " bytes; limits: " + limits.describe() + ").", shown, Errno.EINVAL);
    }

    private static long sysctl(String name) {
        try {
            // Not Files.readString: it sizes its read by the file's size, which /proc reports wrongly.
            return Long.parseLong(Files.readAllLines(SYSCTL.resolve(name)).getFirst().strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The soft value of a line of {@code /proc/self/limits}, -1 for unlimited or unknown. */
    private static long processLimit(String label) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith(label)) {
                    String soft = line.substring(label.length()).strip().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static long openDescriptors() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
