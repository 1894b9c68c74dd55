package io.ringbus.stress.process;

import java.util.ArrayList;
import java.util.List;

/**
 * Errors found during a run that are not message figures: a child that failed or hung, a hostile
 * fault that crashed a process or got an untyped error, a full file system that lost data. Each
 * becomes a line of the report and makes the run fail. Thread-safe.
 */
final class Findings {
    private static final int KEPT = 50;

    private final List<String> errors = new ArrayList<>();
    private int count;

    synchronized void error(String what) {
        count++;
        if (errors.size() < KEPT) {
            errors.add(what);
        }
    }

    synchronized int count() {
        return count;
    }

    synchronized List<String> errors() {
        return List.copyOf(errors);
    }
}
