package io.ringbus.examples.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The processes a test started: on close each is killed (SIGKILL), its descendants first, and waited for. */
final class ChildProcesses implements AutoCloseable {
    private final List<Process> started = new ArrayList<>();

    /** Starts {@code builder}'s process and keeps it for {@link #close()}. */
    Process start(ProcessBuilder builder) throws IOException {
        return add(builder.start());
    }

    /** Keeps a process started elsewhere for {@link #close()}. */
    Process add(Process process) {
        started.add(process);
        return process;
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
        }
        started.clear();
    }
}
