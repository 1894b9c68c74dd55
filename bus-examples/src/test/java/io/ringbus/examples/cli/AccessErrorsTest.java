package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a command says when the system refuses it access: the path, the system's reason (errno text) and
 * what to do, never a bare path or a misleading "no socket file" or "Broken pipe". The cases a second
 * user meets run as user nobody (see {@link OtherUser}) and are skipped, with the reason, where the
 * tests cannot switch users.
 */
class AccessErrorsTest {
    private Path root;

    @BeforeEach
    void createRoot() throws Exception {
        root = Cli.newBusDirectory().getParent();
        // Enterable by nobody; what is under it decides what nobody can do.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void removeRoot() throws Exception {
        Cli.deleteTree(root);
    }

    private static void assumeOtherUser() {
        String reason = OtherUser.unavailable();
        assumeTrue(reason == null, reason);
    }

    private static void oneLine(Cli.Result result, int exitCode) {
        assertEquals(exitCode, result.exitCode(), "exit code; stderr: " + result.err());
        assertEquals(1, result.errLines().size(), "one line: " + result.err());
        assertEquals("", result.out());
    }

    @Test
    void statAndCleanOfADirectoryTheUserCannotListSayPermissionDeniedAndWhatToDo() throws Exception {
        assumeOtherUser();
        Path directory = Files.createDirectory(root.resolve("bus"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        for (String command : new String[] {"stat", "clean"}) {
            Cli.Result result = OtherUser.run(command, "--dir", directory.toString());
            oneLine(result, 1);
            assertTrue(result.err().startsWith("bus " + command + ": cannot list " + directory + ": Permission denied"),
                result.err());
            assertTrue(result.err().contains("ls -ld " + directory), result.err());
        }
    }

    @Test
    void statOfADirectoryBehindOneTheUserCannotEnterSaysSoNotThatItDoesNotExist() throws Exception {
        assumeOtherUser();
        Path closed = Files.createDirectory(root.resolve("closed"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path directory = Files.createDirectory(closed.resolve("bus"));
        Cli.Result result = OtherUser.run("stat", "--dir", directory.toString());
        oneLine(result, 1);
        assertTrue(result.err().startsWith("bus stat: cannot read " + directory + ": Permission denied"), result.err());
        assertFalse(result.err().contains("does not exist"), result.err());
    }

    @Test
    void aSocketPathThroughAFileSaysNotADirectory() throws Exception {
        Path file = Files.writeString(root.resolve("plain"), "not a directory");
        String uri = "unix:" + file.resolve("bus.sock");
        Cli.Result result = Cli.run("", "sub", "t", "--via", uri);
        oneLine(result, 1);
        assertTrue(result.err().startsWith("bus sub: Cannot reach the socket " + file.resolve("bus.sock")
            + ": Not a directory"), result.err());
        assertFalse(result.err().contains("there is no socket file"), result.err());
    }

    @Test
    void aSocketTheUserCannotReachSaysPermissionDeniedAndWhatToDo() throws Exception {
        assumeOtherUser();
        Path closed = Files.createDirectory(root.resolve("sockets"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path socket = closed.resolve("bus.sock");
        for (String command : new String[] {"sub", "pub"}) {
            Cli.Result result = OtherUser.run(command, "t", "--via", "unix:" + socket);
            oneLine(result, 1);
            assertTrue(result.err().startsWith("bus " + command + ": Cannot reach the socket " + socket
                + ": Permission denied"), result.err());
            assertTrue(result.err().contains("another user"), result.err());
            assertFalse(result.err().contains("there is no socket file"), result.err());
        }
    }

    @Test
    void aClientTheDaemonRefusesForItsUidIsToldWhy() throws Exception {
        assumeOtherUser();
        // The daemon runs as nobody, in nobody's directory; this JVM (root) is the refused client.
        Path home = Files.createDirectory(root.resolve("nobody"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        UserPrincipal nobody = home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(home, nobody);
        Path socket = home.resolve("bus.sock");
        Process daemon = OtherUser.start("daemon", "--dir", home.resolve("bus").toString(), "--listen",
            "unix:" + socket);
        try {
            daemon.getOutputStream().close();
            BufferedReader lines = new BufferedReader(new InputStreamReader(daemon.getInputStream(),
                StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null && !line.startsWith("daemon pid ")) {
                // the listener lines
            }
            if (line == null) {
                fail("the daemon did not start: " + new String(daemon.getErrorStream().readAllBytes(),
                    StandardCharsets.UTF_8));
            }
            // Several times: the daemon may close before or after the client's hello is written.
            for (int i = 0; i < 5; i++) {
                for (String command : new String[] {"sub", "pub"}) {
                    Cli.Result result = Cli.run("a\n", command, "t", "--via", "unix:" + socket);
                    oneLine(result, 1);
                    assertTrue(result.err().startsWith("bus " + command + ": The bridge at unix:" + socket
                        + " refused"), result.err());
                    assertTrue(result.err().contains("serves only user nobody"), result.err());
                    assertTrue(result.err().contains("you run as root"), result.err());
                    assertFalse(result.err().contains("Broken pipe"), result.err());
                }
            }
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor();
            }
        }
    }
}
