package io.ringbus.core.topic;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.RingBusException;
import io.ringbus.core.os.FileMissingException;
import io.ringbus.core.os.MappedFile;
import io.ringbus.core.os.Processes;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.core.ring.AtomicsWarmUp;
import io.ringbus.core.ring.Memory;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingConfig;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One topic's file, mapped: its header ({@link TopicDescriptor}), publisher slots and ring. Opening
 * validates everything before use; creating builds the file under a temporary name and links it
 * into place, so two processes creating the same topic at once end with one topic and neither ever
 * sees a half-made one.
 */
public final class TopicFile implements AutoCloseable {
    /** File name suffix of topic files in a bus directory. */
    public static final String SUFFIX = ".topic";
    /** Prefix of the temporary files a topic is built in. */
    public static final String TEMPORARY_PREFIX = ".creating-";

    static {
        // Before the first mapping: an interpreted compare-and-set on a file a peer truncates kills the JVM.
        AtomicsWarmUp.ensureCompiled();
    }

    private final Path path;
    private final String name;
    private final MappedFile file;
    private final MemorySegment segment;
    private final Ring ring;
    private final int publisherSlots;
    private final boolean wakeup;

    private TopicFile(Path path, MappedFile file) {
        this.path = path;
        this.file = file;
        this.segment = file.segment();
        validateHeader(path, segment);
        this.publisherSlots = segment.get(ValueLayout.JAVA_INT, TopicDescriptor.PUBLISHER_SLOTS_OFFSET);
        this.wakeup = (segment.get(ValueLayout.JAVA_INT, TopicDescriptor.FLAGS_OFFSET)
            & TopicDescriptor.FLAG_WAKEUP) != 0;
        long ringOffset = TopicDescriptor.ringOffset(publisherSlots);
        try {
            this.ring = Ring.wrap(segment.asSlice(ringOffset, segment.byteSize() - ringOffset));
        } catch (CorruptRingException e) {
            throw new CorruptRingException("Topic file " + path + ": " + e.getMessage(), e);
        }
        int nameLength = segment.get(ValueLayout.JAVA_INT, TopicDescriptor.NAME_LENGTH_OFFSET);
        byte[] nameBytes = new byte[nameLength];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, TopicDescriptor.NAME_OFFSET, nameBytes, 0, nameLength);
        this.name = new String(nameBytes, StandardCharsets.UTF_8);
    }

    /** The path of topic {@code name} in {@code directory}. */
    public static Path pathOf(Path directory, String name) {
        return directory.resolve(name + SUFFIX);
    }

    /**
     * Opens topic {@code name} in {@code directory}, creating it with {@code shape} if it does not exist.
     *
     * @param required what an existing topic must match (its unset values are not checked)
     * @param differences checks an existing topic: returns a mismatch description, or null
     */
    public static TopicFile openOrCreate(Path directory, String name, Shape shape, int fileMode,
        java.util.function.Function<Shape, String> differences) {
        Path path = pathOf(directory, name);
        for (int attempt = 0; attempt < 5; attempt++) {
            TopicFile existing = tryOpen(path, fileMode);
            if (existing == null) {
                existing = tryCreate(directory, path, name, shape, fileMode);
            }
            if (existing != null) {
                String mismatch = differences.apply(existing.shape());
                if (mismatch != null) {
                    existing.close();
                    throw new io.ringbus.core.TopicMismatchException("Topic '" + name + "' at " + path
                        + " exists with another shape: " + mismatch + ". Open it with matching settings, or"
                        + " remove it (no process may be using it) to create it anew.");
                }
                return existing;
            }
        }
        throw new RingBusException("Topic file " + path + " keeps appearing and disappearing; another process is"
            + " creating and removing it. Stop that process and try again.");
    }

    /** Opens an existing topic file, or returns null when there is none. */
    public static TopicFile tryOpen(Path path, int fileMode) {
        MappedFile mapped;
        try {
            mapped = SharedFiles.openExisting(path, fileMode, TopicDescriptor.PUBLISHER_SLOTS_START);
        } catch (FileMissingException e) {
            return null;
        }
        try {
            return new TopicFile(path, mapped);
        } catch (RuntimeException e) {
            mapped.close();
            throw e;
        }
    }

    private static TopicFile tryCreate(Path directory, Path path, String name, Shape shape, int fileMode) {
        Path temporary = directory.resolve(TEMPORARY_PREFIX + name + "." + Processes.currentPid() + "."
            + Long.toHexString(System.nanoTime()));
        MappedFile mapped = SharedFiles.createExclusive(temporary, shape.fileLength(), fileMode);
        try {
            format(mapped.segment(), name, shape);
            try {
                Files.createLink(path, temporary);
            } catch (FileAlreadyExistsException lostTheRace) {
                mapped.close();
                return null;
            } catch (IOException e) {
                throw new RingBusException("Cannot link the new topic file " + temporary + " to " + path + ": "
                    + e.getMessage() + ". Check that the bus directory is writable.", e);
            }
            return new TopicFile(path, mapped);
        } catch (RuntimeException e) {
            mapped.close();
            throw e;
        } finally {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // Left behind only if the directory became unwritable meanwhile; bus clean removes it.
            }
        }
    }

    private static void format(MemorySegment segment, String name, Shape shape) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > TopicDescriptor.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("topic name '" + name + "' is longer than "
                + TopicDescriptor.MAX_NAME_BYTES + " bytes");
        }
        segment.set(ValueLayout.JAVA_INT, TopicDescriptor.VERSION_OFFSET, TopicDescriptor.LAYOUT_VERSION);
        segment.set(ValueLayout.JAVA_LONG, TopicDescriptor.FILE_LENGTH_OFFSET, shape.fileLength());
        segment.set(ValueLayout.JAVA_INT, TopicDescriptor.PUBLISHER_SLOTS_OFFSET, shape.maxPublishers());
        int flags = shape.wakeup() ? TopicDescriptor.FLAG_WAKEUP : 0;
        segment.set(ValueLayout.JAVA_INT, TopicDescriptor.FLAGS_OFFSET, flags);
        long ringOffset = TopicDescriptor.ringOffset(shape.maxPublishers());
        segment.set(ValueLayout.JAVA_LONG, TopicDescriptor.RING_OFFSET_OFFSET, ringOffset);
        segment.set(ValueLayout.JAVA_LONG, TopicDescriptor.CREATOR_PID_OFFSET, Processes.currentPid());
        segment.set(ValueLayout.JAVA_LONG, TopicDescriptor.CREATED_MILLIS_OFFSET, System.currentTimeMillis());
        segment.set(ValueLayout.JAVA_INT, TopicDescriptor.NAME_LENGTH_OFFSET, nameBytes.length);
        MemorySegment.copy(nameBytes, 0, segment, ValueLayout.JAVA_BYTE, TopicDescriptor.NAME_OFFSET, nameBytes.length);
        Ring.format(segment.asSlice(ringOffset, segment.byteSize() - ringOffset), shape.ring());
        Memory.setLongRelease(segment, TopicDescriptor.MAGIC_OFFSET, TopicDescriptor.MAGIC);
        Memory.setIntVolatile(segment, TopicDescriptor.READY_OFFSET, TopicDescriptor.READY);
    }

    private static void validateHeader(Path path, MemorySegment segment) {
        long size = segment.byteSize();
        String fix = ". Remove the file (no process may be using it) and let the creator make it again.";
        if (size < TopicDescriptor.PUBLISHER_SLOTS_START) {
            throw new CorruptRingException("Topic file " + path + " is " + size + " bytes, too small for a topic"
                + fix);
        }
        long magic = Memory.getLongAcquire(segment, TopicDescriptor.MAGIC_OFFSET);
        if (magic != TopicDescriptor.MAGIC) {
            throw new CorruptRingException("Topic file " + path + " has magic 0x" + Long.toHexString(magic)
                + ", not a ringbus topic" + fix);
        }
        int version = segment.get(ValueLayout.JAVA_INT, TopicDescriptor.VERSION_OFFSET);
        if (version != TopicDescriptor.LAYOUT_VERSION) {
            throw new CorruptRingException("Topic file " + path + " has layout version " + version
                + "; this ringbus reads version " + TopicDescriptor.LAYOUT_VERSION + fix);
        }
        if (Memory.getIntVolatile(segment, TopicDescriptor.READY_OFFSET) != TopicDescriptor.READY) {
            throw new CorruptRingException("Topic file " + path + " was never finished by its creator" + fix);
        }
        long fileLength = segment.get(ValueLayout.JAVA_LONG, TopicDescriptor.FILE_LENGTH_OFFSET);
        if (fileLength != size) {
            throw new CorruptRingException("Topic file " + path + " is " + size + " bytes but its header says "
                + fileLength + " (truncated or extended by another process)" + fix);
        }
        int slots = segment.get(ValueLayout.JAVA_INT, TopicDescriptor.PUBLISHER_SLOTS_OFFSET);
        if (slots < 1 || slots > TopicDescriptor.MAX_PUBLISHER_SLOTS) {
            throw new CorruptRingException("Topic file " + path + " has " + slots + " publisher slots" + fix);
        }
        long ringOffset = segment.get(ValueLayout.JAVA_LONG, TopicDescriptor.RING_OFFSET_OFFSET);
        if (ringOffset != TopicDescriptor.ringOffset(slots) || ringOffset >= size) {
            throw new CorruptRingException("Topic file " + path + " has ring offset " + ringOffset + fix);
        }
        int nameLength = segment.get(ValueLayout.JAVA_INT, TopicDescriptor.NAME_LENGTH_OFFSET);
        if (nameLength < 0 || nameLength > TopicDescriptor.MAX_NAME_BYTES) {
            throw new CorruptRingException("Topic file " + path + " has name length " + nameLength + fix);
        }
    }

    /** The shape this topic was created with. */
    public Shape shape() {
        RingConfig config = new RingConfig()
            .capacity(ring.capacity())
            .maxMessageLength(ring.maxMessageLength())
            .maxCursors(ring.maxCursors())
            .producerMode(ring.producerMode())
            .initialPosition(ring.initialPosition());
        return new Shape(config, publisherSlots, wakeup);
    }

    public Path path() {
        return path;
    }

    public String name() {
        return name;
    }

    public MappedFile file() {
        return file;
    }

    /** The whole file. */
    public MemorySegment segment() {
        return segment;
    }

    public Ring ring() {
        return ring;
    }

    public int publisherSlots() {
        return publisherSlots;
    }

    public boolean wakeup() {
        return wakeup;
    }

    public ProducerMode producerMode() {
        return ring.producerMode();
    }

    /**
     * The typed error for a Java access to this file's mapping that faulted ({@code InternalError}):
     * another process truncated the file under it.
     *
     * @param who what was using the topic: "publisher", "subscriber"
     */
    CorruptRingException lostPages(InternalError fault, String who) {
        return new CorruptRingException("Topic file " + path + " lost pages under its mapping (truncated by another"
            + " process?): " + fault.getMessage() + ". Close the " + who + " and recreate the topic.", fault);
    }

    /** Unmaps the file and closes its descriptor, dropping every slot lock this file held. */
    @Override
    public void close() {
        file.close();
    }

    /**
     * The shape of a topic: its ring, its publisher slots, whether publishers wake parked
     * subscribers.
     */
    public record Shape(RingConfig ring, int maxPublishers, boolean wakeup) {
        /** Bytes of file this shape needs. */
        public long fileLength() {
            return TopicDescriptor.ringOffset(maxPublishers) + ring.requiredLength();
        }
    }
}
