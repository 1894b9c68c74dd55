package io.ringbus.core.os;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child JVM of {@link DaemonsTest}: starts a new session and prints "ok" when it leads it, then checks
 * that a second {@link Daemons#newSession()} is refused (a session leader leads its process group).
 */
public final class SessionPeer {
    private SessionPeer() {
    }

    /** Prints "ok" or what went wrong. */
    public static void main(String[] args) throws Exception {
        long pid = ProcessHandle.current().pid();
        long session = Daemons.newSession();
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long kernelSession = Long.parseLong(fields[6 - 3]);
        boolean refused = false;
        try {
            Daemons.newSession();
        } catch (IllegalStateException expected) {
            refused = expected.getMessage().contains("EPERM");
        }
        System.out.println(session == pid && kernelSession == pid && refused
            ? "ok" : "session " + session + " kernel " + kernelSession + " pid " + pid + " refused " + refused);
    }
}
