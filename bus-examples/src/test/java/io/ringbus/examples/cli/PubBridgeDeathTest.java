package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bus pub --via} whose daemon is killed -9 and started again: it reconnects and goes on, but the
 * lines the dead daemon had taken and not yet published are gone, so it must not exit 0 ("every line of
 * standard input was published"). Once it did, after losing 14,658 of 3,000,000 lines
 * ({@code seq 1 3000000 | bus pub t --via unix:...}, the daemon killed -9 and restarted meanwhile).
 */
class PubBridgeDeathTest {
    private Path root;
    private Path directory;
    private Path socket;

    @BeforeEach
    void createDirectory() throws Exception {
        directory = Cli.newBusDirectory();
        root = directory.getParent();
        socket = root.resolve("sock/bus.sock");
    }

    @AfterEach
    void removeDirectory() throws Exception {
        Cli.deleteTree(root);
    }

    @Test
    void aPublisherWhoseBridgeDiedExitsOneAndSaysSo() throws Exception {
        String uri = "unix:" + socket;
        try (Daemons.Running first = Daemons.start("--dir", directory.toString(), "--listen", uri)) {
            Process pub = Cli.startFullyCompiling("pub", "t", "--via", uri);
            try {
                OutputStream input = pub.getOutputStream();
                write(input, 0, 1);
                long tail = Cli.awaitTopic(directory, "t", topic -> true).tail();
                write(input, 1, 2_000);
                // Lines published after that look: pub is connected (a kill before its WELCOME is another story).
                Cli.awaitTopic(directory, "t", topic -> topic.tail() > tail);
                Cli.crash(first.process());
                write(input, 2_000, 4_000); // the writes after the death break the connection
                try (Daemons.Running second = Daemons.start("--dir", directory.toString(), "--listen", uri)) {
                    write(input, 4_000, 4_010);
                    input.close();
                    int status = Cli.await(pub, 60);
                    String errors = new String(pub.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertEquals(1, status, "exit status; standard error: " + errors);
                    assertTrue(errors.contains("went away once while they were published"), errors);
                    assertTrue(errors.contains("reconnected"), errors);
                }
            } finally {
                Cli.crash(pub);
            }
        }
        assertTrue(Files.exists(directory.resolve("t.topic")));
    }

    private static void write(OutputStream input, int from, int to) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = from; i < to; i++) {
            lines.append("line ").append(i).append('\n');
        }
        input.write(lines.toString().getBytes(StandardCharsets.UTF_8));
        input.flush();
    }
}
