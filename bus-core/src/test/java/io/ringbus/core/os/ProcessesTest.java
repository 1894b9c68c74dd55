package io.ringbus.core.os;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@link Processes}: pid, existence through kill(pid, 0), start time from /proc. */
class ProcessesTest {
    @Test
    void currentPidIsThisProcess() {
        assertEquals(ProcessHandle.current().pid(), Processes.currentPid());
        assertTrue(Processes.exists(Processes.currentPid()));
    }

    @Test
    void aStoppedProcessExistsAndAReapedOneDoesNot() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            long pid = sleeper.pid();
            assertTrue(Processes.exists(pid));
            assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor());
            assertTrue(Processes.exists(pid), "SIGSTOP does not end a process");
            OptionalLong started = Processes.startTime(pid);
            assertTrue(started.isPresent());
            assertTrue(started.getAsLong() >= Processes.startTime(Processes.currentPid()).orElseThrow(),
                "a child starts after its parent");
            sleeper.destroyForcibly();
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
            assertFalse(Processes.exists(pid));
            assertTrue(Processes.startTime(pid).isEmpty());
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void pidsThatWouldAddressGroupsAreNeverSignalled() {
        assertFalse(Processes.exists(0));
        assertFalse(Processes.exists(-1));
        assertFalse(Processes.exists(Long.MAX_VALUE));
        assertTrue(Processes.startTime(0).isEmpty());
    }

    @Test
    void startTimeIsField22OfProcStat() throws Exception {
        String self = Files.readString(Path.of("/proc/self/stat"));
        long expected = Long.parseLong(self.substring(self.lastIndexOf(')') + 2).split(" ")[19]);
        assertEquals(expected, Processes.parseStartTime(self));
        assertEquals(Processes.startTime(Processes.currentPid()).orElseThrow(),
            Processes.parseStartTime(Files.readString(Path.of("/proc/" + ProcessHandle.current().pid() + "/stat"))));
    }

    @Test
    void commandNamesWithSpacesAndParenthesesDoNotShiftFields() {
        String line = "4321 (evil) (name 1 2) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 424242 99 100\n";
        assertEquals(424242, Processes.parseStartTime(line));
        assertThrows(IllegalArgumentException.class, () -> Processes.parseStartTime("4321 (short) S 1 2"));
    }
}
