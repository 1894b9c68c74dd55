package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every failure is one line, {@code bus <command>: ...}, and a non-zero exit code: 1, or 2 for bad usage. */
class CommandErrorsTest {
    private Path root;
    private Path directory;

    @BeforeEach
    void createDirectory() throws Exception {
        directory = Cli.newBusDirectory();
        root = directory.getParent();
    }

    @AfterEach
    void removeDirectory() throws Exception {
        Cli.deleteTree(root);
    }

    private static Cli.Result fails(int exitCode, String expectedPrefix, String... args) {
        Cli.Result result = Cli.run("a\n", args);
        assertEquals(exitCode, result.exitCode(), "exit code; stderr: " + result.err());
        assertEquals(1, result.errLines().size(), "one line: " + result.err());
        assertTrue(result.err().startsWith(expectedPrefix), result.err());
        assertEquals("", result.out());
        return result;
    }

    @Test
    void aBadTopicNameIsAUsageErrorAndCreatesNothing() {
        String must = "topic name '%s' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit";
        for (String name : new String[] {"bad/name", "a/b", "..", "a b", "", "x".repeat(101), "x".repeat(300)}) {
            for (String command : new String[] {"pub", "sub", "tail"}) {
                Cli.Result result = fails(2, "bus " + command + ": Invalid value for positional parameter at index 0"
                    + " (TOPIC): " + must.formatted(name), command, name, "--dir", directory.toString());
                assertTrue(result.err().strip().endsWith("(see bus " + command + " --help)"), result.err());
            }
        }
        fails(2, "bus run: Invalid value for option '--pub': " + must.formatted("a/b"), "run", "--lines", "--pub",
            "a/b", "--dir", directory.toString(), "--", "cat");
        fails(2, "bus run: Invalid value for option '--sub': " + must.formatted(".."), "run", "--lines", "--sub",
            "..", "--dir", directory.toString(), "--", "cat");
        assertFalse(Files.exists(directory), "a refused command creates nothing, not even the bus directory");
    }

    @Test
    void aBadCapacityOrMaximumMessageIsAUsageErrorAndCreatesNothing() {
        String dir = directory.toString();
        fails(2, "bus pub: --capacity 1000 must be a power of two between 1024 (1 KiB) and 1073741824 (1 GiB)",
            "pub", "t", "--capacity", "1000", "--dir", dir);
        fails(2, "bus sub: --capacity 3000 must be a power of two between", "sub", "t", "--capacity", "3000",
            "--dir", dir);
        fails(2, "bus pub: --capacity 2147483647 must be a power of two", "pub", "t", "--capacity", "2147483647",
            "--dir", dir);
        fails(2, "bus pub: --max-message 0 must be at least 1 byte", "pub", "x0", "--max-message=0", "--dir", dir);
        fails(2, "bus pub: --max-message 0 must be at least 1 byte", "pub", "x1", "--max-message=0",
            "--capacity", "1g", "--dir", dir);
        fails(2, "bus pub: --max-message 8193 is more than capacity/8 = 8192 (--capacity 64 KiB); give a --capacity"
            + " of at least 128 KiB", "pub", "t", "--max-message", "8193", "--capacity", "64k", "--dir", dir);
        fails(2, "bus pub: --max-message 131073 is more than capacity/8 = 131072 (the default capacity, 1 MiB); give"
            + " a --capacity of at least 2 MiB", "pub", "t", "--max-message", "131073", "--dir", dir);
        fails(2, "bus demo: --capacity 1000 must be a power of two", "demo", "--capacity", "1000");
        fails(2, "bus demo: --seconds must be between 1 and 3600, not 0", "demo", "--seconds", "0");
        assertFalse(Files.exists(directory), "a refused command creates nothing, not even the bus directory");
    }

    @Test
    void aBadDurableNameOrBusNameIsAUsageErrorAndCreatesNothing() {
        String dir = directory.toString();
        fails(2, "bus sub: --name: durable name '" + "n".repeat(33) + "' must be 1 to 32 bytes of UTF-8", "sub", "t",
            "--name", "n".repeat(33), "--dir", dir);
        fails(2, "bus sub: --name: durable name '' must be 1 to 32 bytes of UTF-8", "sub", "t", "--name", "",
            "--dir", dir);
        assertFalse(Files.exists(directory), "a refused command creates nothing, not even the bus directory");
        fails(2, "bus pub: --bus: bus name 'a/b' must be 1-100 letters", "pub", "t", "--bus", "a/b");
        fails(2, "bus stat: --bus: bus name 'a b' must be 1-100 letters", "stat", "--bus", "a b");
        fails(2, "bus clean: --bus: bus name '' must be 1-100 letters", "clean", "--bus", "");
    }

    @Test
    void aDirectoryOthersCouldWriteIsRefused() throws Exception {
        Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
            "rwxr-xr-x")));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        Cli.Result result = fails(1, "bus pub: Directory " + directory + " has mode 0755, expected 0700", "pub", "t",
            "--dir", directory.toString());
        assertTrue(result.err().contains("chmod 700"), result.err());
        assertFalse(Files.exists(directory.resolve("t.topic")));
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to give a directory away");
        Files.createDirectory(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        UserPrincipal nobody = directory.getFileSystem().getUserPrincipalLookupService()
            .lookupPrincipalByName("nobody");
        Files.setOwner(directory, nobody);
        fails(1, "bus sub: Shared directory " + directory + " is owned by uid", "sub", "t", "--dir",
            directory.toString());
    }

    @Test
    void aDirectoryThatCannotBeMadeOrIsAFile() throws Exception {
        fails(1, "bus pub: Cannot create directory " + root.resolve("missing/bus"), "pub", "t",
            "--dir", root.resolve("missing/bus").toString());
        Path file = Files.writeString(root.resolve("plain"), "not a directory");
        fails(1, "bus pub: ", "pub", "t", "--dir", file.toString());
        fails(1, "bus stat: " + file + " is not a directory", "stat", "--dir", file.toString());
    }

    @Test
    void statAndCleanOfAMissingBus() {
        fails(1, "bus stat: " + directory + " does not exist", "stat", "--dir", directory.toString());
        fails(1, "bus clean: " + directory + " does not exist", "clean", "--dir", directory.toString());
        assertFalse(Files.exists(directory), "stat and clean create nothing");
    }

    @Test
    void aTopicThatExistsWithAnotherShape() {
        assertEquals(0, Cli.run("x\n", "pub", "t", "--dir", directory.toString()).exitCode());
        fails(1, "bus pub: Topic 't' at " + directory.resolve("t.topic") + " exists with another shape: capacity is"
            + " 1048576, required 65536", "pub", "t", "--capacity", "64k", "--dir", directory.toString());
        fails(2, "bus pub: --capacity 3000 must be a power of two", "pub", "u", "--capacity", "3000",
            "--dir", directory.toString());
        assertFalse(Files.exists(directory.resolve("u.topic")));
        fails(2, "bus pub: --max-message 0 must be at least 1 byte", "pub", "t", "--max-message", "0",
            "--dir", directory.toString());
    }

    @Test
    void aTopicFileOthersCouldReadIsUnreadableInStat() throws Exception {
        try (Bus bus = Bus.open(new BusContext().directory(directory))) {
            bus.newPublisher("open").close();
        }
        Files.setPosixFilePermissions(directory.resolve("open.topic"), PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result stat = Cli.run("", "stat", "--dir", directory.toString());
        assertEquals(0, stat.exitCode());
        assertTrue(stat.out().contains("topic open  unreadable: Shared file " + directory.resolve("open.topic")
            + " has mode 0644"), stat.out());
        Cli.Result clean = Cli.run("", "clean", "--dir", directory.toString());
        assertTrue(clean.out().contains("skipped topic open: "), clean.out());
        assertTrue(Files.exists(directory.resolve("open.topic")));
    }

    /**
     * A link, a FIFO and a directory by a topic's name (planted by another process, or left by a mistake) are
     * listed by stat as unreadable, saying what they are, and skipped by clean, which follows and removes
     * nothing. Before, stat left them out and the user could not tell where the topic went.
     */
    @Test
    void aLinkAFifoAndADirectoryByATopicsNameAreShownAndLeftAlone() throws Exception {
        try (Bus bus = Bus.open(new BusContext().directory(directory))) {
            bus.newPublisher("real").close(); // the bus directory, made as ringbus makes it
        }
        Path target = root.resolve("not-a-topic");
        Files.writeString(target, "precious");
        Files.createSymbolicLink(directory.resolve("link.topic"), target);
        Files.createDirectory(directory.resolve("dir.topic"));
        assertEquals(0, new ProcessBuilder("mkfifo", "-m", "600", directory.resolve("fifo.topic").toString())
            .start().waitFor());
        Cli.Result stat = Cli.run("", "stat", "--dir", directory.toString());
        assertEquals(0, stat.exitCode(), stat.err());
        assertTrue(stat.out().contains("topic link  unreadable: ") && stat.out().contains("symbolic link"), stat.out());
        assertTrue(stat.out().contains("topic fifo  unreadable: ") && stat.out().contains("FIFO"), stat.out());
        assertTrue(stat.out().contains("topic dir  unreadable: ") && stat.out().contains("EISDIR"), stat.out());
        Cli.Result clean = Cli.run("", "clean", "--dir", directory.toString());
        for (String name : List.of("link", "fifo", "dir")) {
            assertTrue(clean.out().contains("skipped topic " + name + ": "), clean.out());
            assertTrue(Files.exists(directory.resolve(name + ".topic"), LinkOption.NOFOLLOW_LINKS), name);
        }
        assertEquals("precious", Files.readString(target));
    }

    @Test
    void badUsageIsOneLineAndExitCodeTwo() {
        fails(2, "bus pub: Unknown option: '--bogus' (see bus pub --help)", "pub", "t", "--bogus");
        fails(2, "bus sub: Missing required parameter: 'TOPIC' (see bus sub --help)", "sub");
        fails(2, "bus sub: --from must be latest or earliest, not 'middle' (see bus sub --help)", "sub", "t",
            "--from", "middle", "--dir", directory.toString());
        fails(2, "bus sub: --count must be 0 or more", "sub", "t", "--count", "-1", "--dir", directory.toString());
        fails(2, "bus pub: Invalid value for option '--capacity'", "pub", "t", "--capacity", "lots");
        fails(2, "bus stat: give --dir or --bus, not both", "stat", "--dir", directory.toString(), "--bus", "b");
        fails(2, "bus: Unmatched arguments from index 0: 'publish', 't' (see bus --help)", "publish", "t");
    }

    @Test
    void aBadViaIsAUsageErrorNamingTheAcceptedForms() {
        String forms = "shm:, pipe:, fifo:/DIR, unix:/PATH/bus.sock, tcp://HOST:PORT or mq:/NAME";
        Cli.Result unknown = fails(2, "bus pub: --via: Unknown transport 'bogus' in 'bogus:x'; use one of " + forms,
            "pub", "t", "--via", "bogus:x");
        assertTrue(unknown.err().strip().endsWith("(see bus pub --help)"), unknown.err());
        Cli.Result noPath = fails(2, "bus sub: --via: 'unix:' names no path", "sub", "t", "--via", "unix:");
        assertTrue(noPath.err().contains("(accepted: " + forms + ")"), noPath.err());
        fails(2, "bus sub: --via: 'tcp://localhost' names no port", "sub", "t", "--via", "tcp://localhost");
        fails(2, "bus pub: --dir and --bus choose a shared-memory bus; with --via unix:/tmp/x.sock the bridge",
            "pub", "t", "--via", "unix:/tmp/x.sock", "--dir", directory.toString());
    }

    @Test
    void noBridgeAtTheViaPathIsOneLineSayingHowToStartOne() {
        Path socket = root.resolve("none/bus.sock");
        Cli.Result result = fails(1, "bus sub: No bridge serves unix:" + socket, "sub", "t", "--via", "unix:" + socket);
        assertTrue(result.err().contains("./bus daemon --listen unix:" + socket), result.err());
        fails(1, "bus pub: No bridge serves tcp://127.0.0.1:1 ", "pub", "t", "--via", "tcp://127.0.0.1:1");
    }
}
