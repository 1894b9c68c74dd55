package io.ringbus.stress.process;

/**
 * Where a run is, for a progress display.
 *
 * @param elapsedSeconds seconds since the publishers started
 * @param totalSeconds the run's length in seconds, or 0 when it runs to a message count
 * @param committed messages committed so far
 * @param targetCount the message count it runs to, or 0
 * @param messagesPerSecond the recent rate of committed messages
 * @param faults faults injected so far
 * @param errors errors found so far (gaps, repeats, disorder, torn messages, failed processes, crashes)
 */
public record Progress(double elapsedSeconds, double totalSeconds, long committed, long targetCount,
    double messagesPerSecond, long faults, long errors) {
}
