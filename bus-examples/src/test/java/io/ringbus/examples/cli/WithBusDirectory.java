package io.ringbus.examples.cli;

import io.ringbus.core.os.MessageQueues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every test that runs a daemon and its clients as processes starts from: a fresh bus directory in
 * /dev/shm ({@link Cli#newBusDirectory()}) and the processes the test starts, all killed and the directory
 * (with whatever the daemon left beside it: sockets, FIFOs, and message queues named after it) removed after
 * each test.
 */
abstract class WithBusDirectory {
    /** The test's own directory: the bus directory's parent, where sockets and FIFOs go. */
    protected Path work;
    /** The bus directory inside {@link #work}. */
    protected Path directory;
    /** The processes the test started; killed, descendants first, after each test. */
    protected final ChildProcesses children = new ChildProcesses();

    @BeforeEach
    void createBusDirectory() throws Exception {
        directory = Cli.newBusDirectory();
        work = directory.getParent();
    }

    @AfterEach
    void killChildrenAndRemoveDirectory() throws Exception {
        children.close();
        removeQueuesNamedAfterWork();
        Cli.deleteTree(work);
    }

    /**
     * A daemon killed on {@code mq:/NAME} leaves its request queue, and a client killed in its handshake its
     * queue pair ({@code NAME.c-...}); the kernel keeps them after every process is gone and counts them
     * against RLIMIT_MSGQUEUE, so a later run's mq tests would fail with EMFILE. These tests name their
     * queues after {@link #work}. The pairs can be listed only where the mqueue file system is mounted.
     */
    private void removeQueuesNamedAfterWork() throws IOException {
        String name = work.getFileName().toString();
        MessageQueues.unlink("/" + name);
        if (MessageQueues.listable()) {
            try (Stream<Path> queues = Files.list(MessageQueues.MOUNT_POINT)) {
                queues.map(queue -> queue.getFileName().toString())
                    .filter(queue -> queue.startsWith(name + "."))
                    .forEach(queue -> MessageQueues.unlink("/" + queue));
            }
        }
    }
}
