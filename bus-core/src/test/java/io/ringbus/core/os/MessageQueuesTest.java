package io.ringbus.core.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** POSIX message queues: creation, sends and receives, the typed errors of the kernel's limits, pidfds. */
class MessageQueuesTest {
    private final String prefix = "/rb-mq-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final List<String> made = new ArrayList<>();
    private final List<Integer> open = new ArrayList<>();

    @AfterEach
    void removeQueues() {
        open.forEach(FileDescriptors::close);
        made.forEach(MessageQueues::unlink);
    }

    private String name(String suffix) {
        String name = prefix + "-" + suffix;
        made.add(name);
        return name;
    }

    private int kept(int mqd) {
        open.add(mqd);
        return mqd;
    }

    @Test
    void messagesTravelWholeAndInOrder() {
        String name = name("q");
        int reader = kept(MessageQueues.create(name, 4, 64, false));
        int writer = kept(MessageQueues.open(name, true));
        assertEquals(new MessageQueues.Attributes(4, 64, 0), MessageQueues.attributes(reader));
        MemorySegment buffer = Arena.ofAuto().allocate(64);
        for (int i = 0; i < 4; i++) {
            buffer.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) i);
            assertEquals(0, MessageQueues.send(writer, buffer, 0, i + 1));
        }
        assertEquals(-MessageQueues.EAGAIN, MessageQueues.send(writer, buffer, 0, 1), "a full queue refuses");
        for (int i = 0; i < 4; i++) {
            assertEquals(i + 1, MessageQueues.receive(reader, buffer, 0, 64));
            assertEquals((byte) i, buffer.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        }
        assertEquals(-MessageQueues.EAGAIN, MessageQueues.receive(reader, buffer, 0, 64), "an empty queue");
        assertEquals(0, MessageQueues.send(writer, buffer, 0, 1));
        assertEquals(-MessageQueues.EMSGSIZE, MessageQueues.receive(reader, buffer, 0, 63),
            "a buffer under the message size is refused");
    }

    @Test
    void aSecondCreateIsFileExists() {
        String name = name("twice");
        kept(MessageQueues.create(name, 1, 16, false));
        FileExistsException e = assertThrows(FileExistsException.class,
            () -> MessageQueues.create(name, 1, 16, false));
        assertTrue(e.getMessage().contains("./bus clean"), e.getMessage());
    }

    @Test
    void aMessageSizeOverTheSysctlNamesIt() {
        MessageQueues.Limits limits = MessageQueues.limits();
        MessageQueueLimitException e = assertThrows(MessageQueueLimitException.class,
            () -> MessageQueues.create(name("big"), 1, (int) limits.msgsizeMax() + 1, false));
        assertEquals("fs.mqueue.msgsize_max", e.limit());
        assertTrue(e.getMessage().contains("sysctl -w fs.mqueue.msgsize_max=") && e.getMessage().contains(
            Long.toString(limits.msgsizeMax())), e.getMessage());
        MessageQueueLimitException count = assertThrows(MessageQueueLimitException.class,
            () -> MessageQueues.create(name("long"), (int) limits.msgMax() + 1, 16, false));
        assertEquals("fs.mqueue.msg_max", count.limit());
    }

    @Test
    void theUsersQueueBytesRunOutAsRlimitMsgqueue() {
        MessageQueues.Limits limits = MessageQueues.limits();
        int size = (int) Math.min(8192, limits.msgsizeMax());
        int count = (int) Math.min(10, limits.msgMax());
        long each = MessageQueues.cost(count, size);
        int needed = limits.userBytes() < 0 ? 0 : (int) (limits.userBytes() / each) + 2;
        org.junit.jupiter.api.Assumptions.assumeTrue(needed > 0 && needed < 200,
            "RLIMIT_MSGQUEUE is unlimited or too large to exhaust here: " + limits.userBytes());
        MessageQueueLimitException e = assertThrows(MessageQueueLimitException.class, () -> {
            for (int i = 0; i < needed; i++) {
                kept(MessageQueues.create(name("fill" + i), count, size, false));
            }
        });
        assertEquals("RLIMIT_MSGQUEUE", e.limit());
        assertTrue(e.getMessage().contains("ulimit -q") && e.getMessage().contains(Long.toString(each)),
            e.getMessage());
    }

    @Test
    void aQueueOfAnotherModeIsRefused() {
        String name = name("mode");
        // Made around the checks of create, which refuses such a queue too (see below).
        int mqd = PosixBindings.mqOpen(name, PosixBindings.O_RDONLY | PosixBindings.O_CREAT | PosixBindings.O_EXCL
            | PosixBindings.O_CLOEXEC, 0644, 1, 16);
        assertTrue(mqd >= 0, FileDescriptors.describeError(mqd));
        kept(mqd);
        int old = PosixBindings.umask(0);
        try {
            assertThrows(FilePermissionException.class, () -> MessageQueues.create(name("mode2"), 1, 16, false,
                0644, false), "create checks what it made");
        } finally {
            PosixBindings.umask(old);
        }
        FilePermissionException e = assertThrows(FilePermissionException.class, () -> MessageQueues.open(name, true));
        assertTrue(e.getMessage().contains("0644"), e.getMessage());
    }

    @Test
    void refusalsAreTyped() {
        assertInstanceOf(FilePermissionException.class, MessageQueues.failure("open", "/x", Errno.EACCES, 0, 0));
        MessageQueueLimitException full = assertInstanceOf(MessageQueueLimitException.class,
            MessageQueues.failure("create", "/x", Errno.ENOSPC, 10, 4096));
        assertEquals("fs.mqueue.queues_max", full.limit());
        assertTrue(full.getMessage().contains("sysctl -w fs.mqueue.queues_max"), full.getMessage());
        assertEquals(-MessageQueues.ENOENT, MessageQueues.open(prefix + "-none", true));
        assertThrows(IllegalArgumentException.class, () -> MessageQueues.checkName("/a/b"));
    }

    @Test
    void aPidfdBecomesReadableWhenTheProcessExits() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        int pidfd = MessageQueues.watchProcess(sleeper.pid());
        assertTrue(pidfd >= 0, "pidfd_open: " + FileDescriptors.describeError(pidfd));
        open.add(pidfd);
        assertEquals(0, FileDescriptors.poll(pidfd, FileDescriptors.POLL_IN, -1, 0), "alive: not readable");
        sleeper.destroyForcibly().waitFor();
        assertTrue(FileDescriptors.poll(pidfd, FileDescriptors.POLL_IN, -1, 1_000_000_000L) > 0, "exited: readable");
        assertFalse(sleeper.isAlive());
    }
}
