package io.ringbus.transport.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code bus replay DIR} and {@code bus stat --recordings DIR} show of one recording, read from its queue's
 * index and its first and last entries (not a scan: cheap on recordings of any size).
 *
 * @param topic      the recorded topic
 * @param entries    entries in the queue: messages, and gap entries of an evictable recorder
 * @param first      the first entry's time, nanoseconds since the epoch; {@link Long#MIN_VALUE} when empty
 * @param last       the last entry's time; {@link Long#MIN_VALUE} when empty
 * @param times      {@code publish} when the first and last entries hold publish times, {@code receive} when
 *                   both hold receive times, {@code mixed} otherwise, {@code -} when empty
 * @param fileBytes  the size of the queue's files (Chronicle creates them sparse: they take disk as they fill)
 */
public record RecordingSummary(String topic, long entries, long first, long last, String times, long fileBytes) {
    /** The summaries of every recording under {@code root}, by topic. */
    public static List<RecordingSummary> all(Path root) {
        List<RecordingSummary> summaries = new ArrayList<>();
        for (String topic : Recording.topics(root)) {
            summaries.add(of(root, topic));
        }
        return summaries;
    }

    /** The summary of the recording of {@code topic} under {@code root}. */
    public static RecordingSummary of(Path root, String topic) {
        try (Recording recording = Recording.openForRead(root, topic);
             Replayer head = new Replayer(recording)) {
            Entry first = head.next();
            long entries = recording.queue().entryCount();
            if (first == null || entries == 0) {
                return new RecordingSummary(topic, 0, Long.MIN_VALUE, Long.MIN_VALUE, "-",
                    fileBytes(recording.directory()));
            }
            long firstTime = first.epochNanos();
            boolean firstPublish = first.isPublishTime();
            try (Replayer tail = new Replayer(recording)) {
                Entry last = tail.fromIndex(recording.queue().lastIndex()).next();
                long lastTime = last == null ? firstTime : last.epochNanos();
                boolean lastPublish = last == null ? firstPublish : last.isPublishTime();
                String times = firstPublish && lastPublish ? "publish" : !firstPublish && !lastPublish ? "receive"
                    : "mixed";
                return new RecordingSummary(topic, entries, firstTime, lastTime, times,
                    fileBytes(recording.directory()));
            }
        }
    }

    /** A time as ISO-8601 in UTC with nanoseconds, or {@code -}. */
    public static String time(long epochNanos) {
        return epochNanos == Long.MIN_VALUE ? "-" : Instant.ofEpochSecond(0, epochNanos).toString();
    }

    private static long fileBytes(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }
}
