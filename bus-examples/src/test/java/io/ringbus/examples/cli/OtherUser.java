package io.ringbus.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Runs {@code bus} as user {@code nobody} (uid and gid 65534, through {@code setpriv}), for the tests of
 * what another user meets: a directory it cannot list, a socket it cannot reach, a daemon that refuses
 * its uid. Root bypasses permission bits, so those cases need a second user; only root can switch to
 * it. The class path is copied once per test JVM into a world-readable directory under /tmp (the local
 * Maven repository is usually under /root, which nobody cannot enter).
 */
final class OtherUser {
    static final int UID = 65534;

    private static String classPath;

    private OtherUser() {
    }

    /** Why the tests cannot run as another user here, or null when they can. */
    static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "switching to user nobody needs root (running as " + System.getProperty("user.name") + ")";
        }
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv")) && !Files.isExecutable(Path.of("/bin/setpriv"))) {
            return "setpriv (util-linux) is not installed";
        }
        return null;
    }

    /** Makes {@code path} and the directories above it, up to {@code top}, enterable by anyone. */
    static void openUpTo(Path top, Path path) throws IOException {
        for (Path p = path; p != null && p.startsWith(top); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** Runs {@code bus ARGS} as nobody, standard input empty; waits up to 120 s. */
    static Cli.Result run(String... args) throws IOException, InterruptedException {
        Process process = start(args);
        process.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        int code = Cli.await(process, 120);
        return new Cli.Result(code, out, err.join());
    }

    /** Starts {@code bus ARGS} as nobody; the caller reads its output and waits for it. */
    static Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + UID, "--regid=" + UID,
            "--clear-groups", ProcessHandle.current().info().command().orElseThrow(),
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Duser.name=nobody", "-cp", classPath(), BusCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(Path.of("/").toFile()).start();
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** This JVM's class path, copied where nobody can read it. */
    private static synchronized String classPath() throws IOException {
        if (classPath == null) {
            Path copy = Files.createTempDirectory(Path.of("/tmp"), "ringbus-cli-test-cp-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Cli.deleteTree(copy);
                } catch (IOException ignored) {
                    // A temporary directory left in /tmp.
                }
            }));
            int index = 0;
            List<String> entries = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path source = Path.of(entry);
                if (!Files.exists(source)) {
                    continue;
                }
                Path target = copy.resolve(index++ + (Files.isDirectory(source) ? "" : ".jar"));
                copyTree(source, target);
                entries.add(target.toString());
            }
            try (Stream<Path> files = Files.walk(copy)) {
                for (Path file : files.toList()) {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(Files.isDirectory(file)
                        ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            classPath = String.join(java.io.File.pathSeparator, entries);
        }
        return classPath;
    }

    private static void copyTree(Path source, Path target) throws IOException {
        if (!Files.isDirectory(source)) {
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path to = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
