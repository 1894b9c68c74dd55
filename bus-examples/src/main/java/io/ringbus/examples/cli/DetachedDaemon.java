package io.ringbus.examples.cli;

import io.ringbus.core.RingBusException;
import io.ringbus.core.os.IoErrors;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.transport.TransportUri;
import io.ringbus.stress.common.JvmLauncher;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bus daemon --detach}: a JVM cannot fork, so this starts the daemon as a child JVM (the same
 * java and class path, native access enabled, the {@code ringbus.*} properties passed on) with
 * standard input from /dev/null, output appended to the log file and working directory /; the child
 * calls {@code setsid()} and sets umask 077 itself. This process waits until the child's pid is in
 * the pid file, which the child writes once every listener is bound, then prints what the child
 * printed (one line per listener and its pid) and returns 0. If the child exits first, its output
 * since it started (the error) is printed and the result is non-zero.
 */
final class DetachedDaemon {
    private static final long READY_TIMEOUT_SECONDS = 60;

    private final Path directory;
    private final List<TransportUri> listen;
    private final boolean allowRemote;
    private final Path pidFile;
    private final Path logFile;
    private final List<String> threadOptions;

    /** @param threadOptions the daemon's thread options as given ({@code --event-loops N} and so on), passed on */
    DetachedDaemon(Path directory, List<TransportUri> listen, boolean allowRemote, Path pidFile, Path logFile,
        List<String> threadOptions) {
        this.threadOptions = threadOptions;
        this.directory = directory;
        this.listen = listen;
        this.allowRemote = allowRemote;
        this.pidFile = pidFile;
        this.logFile = logFile;
    }

    int launch(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        boolean directoryExisted = Files.exists(directory, LinkOption.NOFOLLOW_LINKS);
        boolean logExisted = Files.exists(logFile, LinkOption.NOFOLLOW_LINKS);
        SharedFiles.ensureDirectory(directory);
        long logStart;
        Process child;
        try {
            PidFile.checkNotRunning(pidFile);
            logStart = prepareLog();
            child = new ProcessBuilder(command())
                .directory(new File("/"))
                .redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectErrorStream(true)
                .start();
        } catch (IOException | RuntimeException e) {
            // Refused before a daemon ran: leave nothing behind that this launch made.
            if (!logExisted) {
                deleteQuietly(logFile);
            }
            if (!directoryExisted) {
                deleteQuietly(directory); // only if empty
            }
            throw e;
        }
        child.getOutputStream().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        while (PidFile.read(pidFile) != child.pid()) {
            if (child.waitFor(50, TimeUnit.MILLISECONDS)) {
                String output = logSince(logStart).strip();
                // Its error, without the listener lines it may have printed before failing.
                List<String> errors = output.lines().filter(line -> line.startsWith("bus daemon: ")).toList();
                err.println(output.isEmpty() ? "bus daemon: the daemon exited with status " + child.exitValue()
                    + " before it was ready, and wrote nothing to its log " + logFile + silentLogReason()
                    : errors.isEmpty() ? output : String.join(System.lineSeparator(), errors));
                err.flush();
                if (!directoryExisted) {
                    deleteQuietly(directory); // only if empty: the log, when it is there, says what happened
                }
                return child.exitValue() != 0 ? child.exitValue() : 1;
            }
            if (System.nanoTime() - deadline > 0) {
                child.destroy();
                throw new RingBusException("the daemon (pid " + child.pid() + ") did not get ready within "
                    + READY_TIMEOUT_SECONDS + " s and was stopped; see " + logFile);
            }
        }
        awaitStartupLines(logStart, child);
        for (String line : logSince(logStart).lines().toList()) {
            if (line.startsWith(DaemonCommand.LISTENING) || line.startsWith("daemon pid ")) {
                out.println(line);
            }
        }
        out.println("started daemon pid " + child.pid() + "; stop it with: kill " + child.pid());
        out.flush();
        return 0;
    }

    /** The child prints its last startup line right after it writes the pid file: wait for it a little. */
    private void awaitStartupLines(long logStart, Process child) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!logSince(logStart).contains("daemon pid " + child.pid()) && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
    }

    private List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow(
            () -> new RingBusException("cannot tell which java runs this process, to start the daemon with it")));
        command.add("--enable-native-access=ALL-UNNAMED");
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("ringbus.")) {
                command.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        command.add("-cp");
        command.add(JvmLauncher.classPath()); // absolute: the daemon runs in /
        command.add(BusCommand.class.getName());
        command.add("daemon");
        command.add("--dir");
        command.add(directory.toString());
        for (TransportUri uri : listen) {
            command.add("--listen");
            command.add(uri.toString());
        }
        if (allowRemote) {
            command.add("--allow-remote");
        }
        command.addAll(threadOptions);
        command.add("--pid-file");
        command.add(pidFile.toString());
        command.add("--log");
        command.add(logFile.toString());
        command.add(DaemonCommand.DETACHED_CHILD_OPTION);
        return command;
    }

    /**
     * Creates the log file (mode 0600) if needed and writes a first line for this start, so that a log the
     * daemon could not write to (a full file system) is an error here, naming it, rather than an empty log
     * to look at later. Returns the log's size after that line, where the daemon's output begins.
     */
    private long prepareLog() {
        try {
            Files.createFile(logFile,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isRegularFile(logFile, LinkOption.NOFOLLOW_LINKS)) {
                throw new RingBusException("log file " + logFile + " is not a regular file; give another --log");
            }
        } catch (IOException e) {
            throw new RingBusException("cannot create the daemon's log " + logFile + ": " + IoErrors.reason(e) + ". "
                + IoErrors.advice(e, logFile) + " --log FILE puts it elsewhere.", e);
        }
        try {
            Files.writeString(logFile, DaemonCommand.timestamp() + " starting a detached daemon for bus " + directory
                + "\n", StandardOpenOption.APPEND);
            return Files.size(logFile);
        } catch (IOException e) {
            throw new RingBusException("cannot write the daemon's log " + logFile + ": " + IoErrors.reason(e) + ". "
                + IoErrors.advice(e, logFile) + " --log FILE puts it elsewhere.", e);
        }
    }

    /** Why a daemon that failed may have written nothing: its log's file system is full. */
    private String silentLogReason() {
        try {
            if (Files.getFileStore(logFile).getUsableSpace() == 0) {
                return ": its file system is full (df " + logFile.getParent() + "). Free space there, or use"
                    + " --log FILE elsewhere";
            }
        } catch (IOException ignored) {
            // No more to say than the log is empty.
        }
        return "";
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // A directory that is not empty stays; anything else is left as it was.
        }
    }

    private String logSince(long start) throws IOException {
        try (InputStream in = Files.newInputStream(logFile)) {
            in.skipNBytes(start);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
