package io.ringbus.core.os;

import java.nio.file.Path;

/**
 * A POSIX message queue could not be created because a kernel limit stands in the way: the user's
 * {@code RLIMIT_MSGQUEUE} bytes ({@code ulimit -q}), the system's number of queues
 * ({@code fs.mqueue.queues_max}), or the largest message size or count a queue may have without
 * {@code CAP_SYS_RESOURCE} ({@code fs.mqueue.msgsize_max}, {@code fs.mqueue.msg_max}). The message
 * names the limit, its value and how to raise it.
 */
public class MessageQueueLimitException extends SharedFileException {
    private final String limit;

    /**
     * A refusal by {@code limit}.
     *
     * @param message what failed, the limit's value and what to do
     * @param path    the queue as it shows under {@code /dev/mqueue}
     * @param errno   the system error number (EMFILE, ENOSPC or EINVAL)
     * @param limit   the limit's name: {@code RLIMIT_MSGQUEUE} or a sysctl such as {@code fs.mqueue.msgsize_max}
     */
    public MessageQueueLimitException(String message, Path path, int errno, String limit) {
        super(message, path, errno);
        this.limit = limit;
    }

    /** The limit that refused: {@code RLIMIT_MSGQUEUE}, {@code fs.mqueue.queues_max}, ... */
    public String limit() {
        return limit;
    }
}
