package io.ringbus.transport.record;

import io.ringbus.transport.codec.CodecFlags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The recording of one topic: a Chronicle Queue in {@code ROOT/TOPIC}, whose entries are laid out as
 * {@link EntryDescriptor} says, rolled to a new file every day (or as {@link #ROLLS} offers). Opened for
 * appending by one recorder at a time, for reading by any number of replayers, also while it is recorded.
 */
public final class Recording implements AutoCloseable {
    /** The roll cycles {@code --roll} accepts, by name; {@code daily} is the default. */
    public static final Map<String, RollCycle> ROLLS = Map.of(
        "five-minutely", RollCycles.FIVE_MINUTELY,
        "ten-minutely", RollCycles.TEN_MINUTELY,
        "half-hourly", RollCycles.HALF_HOURLY,
        "hourly", RollCycles.FAST_HOURLY,
        "two-hourly", RollCycles.TWO_HOURLY,
        "six-hourly", RollCycles.SIX_HOURLY,
        "daily", RollCycles.FAST_DAILY,
        "weekly", RollCycles.WEEKLY);
    private static final String QUEUE_SUFFIX = ".cq4";

    private final Path directory;
    private final String topic;
    private final SingleChronicleQueue queue;

    private Recording(Path directory, String topic, SingleChronicleQueue queue) {
        this.directory = directory;
        this.topic = topic;
        this.queue = queue;
    }

    /** Where the recording of {@code topic} lives under {@code root}. */
    public static Path pathOf(Path root, String topic) {
        return root.resolve(topic);
    }

    /**
     * Opens (creating it if needed) the recording of {@code topic} under {@code root} for appending.
     *
     * @param roll a key of {@link #ROLLS}; an existing recording keeps the roll cycle it was created with
     * @throws RecordingException when {@code root} cannot hold recordings (not a directory, not writable)
     */
    public static Recording openForAppend(Path root, String topic, String roll) {
        RollCycle cycle = ROLLS.get(roll.toLowerCase(Locale.ROOT));
        if (cycle == null) {
            throw new IllegalArgumentException("unknown roll cycle '" + roll + "': use one of "
                + ROLLS.keySet().stream().sorted().toList());
        }
        Path directory = pathOf(root, topic);
        RecordingDirectories.prepare(root, directory);
        return new Recording(directory, topic, build(directory, SingleChronicleQueueBuilder.binary(directory)
            .rollCycle(cycle)));
    }

    /**
     * Opens the recording of {@code topic} under {@code root} for reading.
     *
     * @throws RecordingException when there is no such recording (the message lists those there are)
     */
    public static Recording openForRead(Path root, String topic) {
        Path directory = pathOf(root, topic);
        if (!isRecording(directory)) {
            List<String> topics = Files.isDirectory(root) ? topics(root) : List.of();
            throw new RecordingException("no recording of topic '" + topic + "' in " + root + (topics.isEmpty()
                ? " (it holds none: record one with ./bus record " + topic + " --to " + root + ")"
                : " (it holds recordings of " + String.join(", ", topics) + ")"));
        }
        return new Recording(directory, topic, build(directory, SingleChronicleQueueBuilder.binary(directory)
            .readOnly(true)));
    }

    /** The topics recorded under {@code root}, sorted: its subdirectories that hold queue files. */
    public static List<String> topics(Path root) {
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(Recording::isRecording).map(path -> path.getFileName().toString()).sorted()
                .toList();
        } catch (IOException e) {
            throw new RecordingException("cannot list the recordings in " + root + ": " + e.getMessage(), e);
        }
    }

    private static boolean isRecording(Path directory) {
        if (!Files.isDirectory(directory)) {
            return false;
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.anyMatch(file -> file.getFileName().toString().endsWith(QUEUE_SUFFIX));
        } catch (IOException e) {
            return false;
        }
    }

    private static SingleChronicleQueue build(Path directory, SingleChronicleQueueBuilder builder) {
        CodecFlags.requireChronicleQueue("a recording (" + directory + ")");
        try {
            return builder.build();
        } catch (RuntimeException | InternalError e) {
            throw new RecordingException("cannot open the Chronicle Queue in " + directory + ": " + e
                + " (check the directory's space and permissions)", e);
        }
    }

    /** The recorded topic. */
    public String topic() {
        return topic;
    }

    /** The queue's directory. */
    public Path directory() {
        return directory;
    }

    /** The Chronicle Queue itself. */
    public SingleChronicleQueue queue() {
        return queue;
    }

    /**
     * The highest ring position this recording holds a message at, or covers with a gap (the position before
     * the gap's end); -1 when it is empty. A restarted recorder skips every message at or below it.
     */
    public long lastCoveredPosition() {
        try (ExcerptTailer tailer = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd()) {
            try (DocumentContext document = tailer.readingDocument()) {
                if (!document.isPresent()) {
                    return -1;
                }
                Bytes<?> bytes = document.wire().bytes();
                long start = bytes.readPosition();
                byte kind = bytes.readByte(start + EntryDescriptor.KIND_OFFSET);
                long position = bytes.readLong(start + EntryDescriptor.POSITION_OFFSET);
                if (kind == EntryDescriptor.GAP) {
                    return bytes.readLong(start + EntryDescriptor.HEADER_LENGTH) - 1;
                }
                return position;
            }
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
