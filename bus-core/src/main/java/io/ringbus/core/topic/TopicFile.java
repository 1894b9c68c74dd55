package io.ringbus.core.topic;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.LostPages;
import io.ringbus.core.RingBusException;
import io.ringbus.core.os.FileMissingException;
import io.ringbus.core.os.MappedFile;
import io.ringbus.core.os.Processes;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.core.ring.internal.AtomicsWarmUp;
import io.ringbus.core.ring.internal.Memory;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One topic's file, mapped: its header ({@link TopicDescriptor}), publisher slots and ring. Opening
 * validates everything before use; creating builds the file under a temporary name and links it
 * into place, so two processes creating the same topic at once end with one topic and neither ever
 * sees a half-made one.
 */
public final class TopicFile implements AutoCloseable {
    private static final String CORRUPT_FIX = ". Remove the file (no process may be using it) and let the creator"
        + " make it again.";
    /** File name suffix of topic files in a bus directory. */
    public static final String SUFFIX = ".topic";
    /** Prefix of the temporary files a topic is built in. */
    public static final String TEMPORARY_PREFIX = ".creating-";

    /** The topic files this process has open, for {@link LostPages} to find the one a peer truncated. */
    private static final Set<TopicFile> OPEN = ConcurrentHashMap.newKeySet();
    /** Topic files found truncated when closed (newest first, a few), until their path is opened again. */
    private static final Deque<Truncation> CLOSED_TRUNCATED = new ArrayDeque<>();
    private static final int CLOSED_TRUNCATED_KEPT = 8;

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
    private final boolean timestamps;

    private TopicFile(Path path, MappedFile file) {
        this.path = path;
        this.file = file;
        this.segment = file.segment();
        // A peer may cut pages off between the size check and these reads: a read of a lost page yields
        // garbage, and HotSpot raises its InternalError later (asynchronously). ensureWhole, a system call,
        // is where it is delivered at the latest, inside the outer try; and a truncation, when there is
        // one, explains a header that garbage made look invalid better than the check that failed.
        try {
            try {
                validateHeader(path, segment);
                this.publisherSlots = segment.get(ValueLayout.JAVA_INT, TopicDescriptor.PUBLISHER_SLOTS_OFFSET);
                int flags = segment.get(ValueLayout.JAVA_INT, TopicDescriptor.FLAGS_OFFSET);
                this.wakeup = (flags & TopicDescriptor.FLAG_WAKEUP) != 0;
                this.timestamps = (flags & TopicDescriptor.FLAG_TIMESTAMPS) != 0;
                long ringOffset = TopicDescriptor.ringOffset(publisherSlots);
                try {
                    this.ring = Ring.wrap(segment.asSlice(ringOffset, segment.byteSize() - ringOffset));
                } catch (CorruptRingException e) {
                    throw new CorruptRingException("Topic file " + path + ": " + e.getMessage(), e);
                }
                if (timestamps && ring.maxMessageLength() <= TopicDescriptor.TIMESTAMP_LENGTH) {
                    throw new CorruptRingException("Topic file " + path + " has timestamps but a maximum message"
                        + " length of " + ring.maxMessageLength() + ", no room for a publish time. Remove the file"
                        + " (no process may be using it) and let the creator make it again.");
                }
                int nameLength = nameLengthOf(path, segment, CORRUPT_FIX);
                byte[] nameBytes = new byte[nameLength];
                MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, TopicDescriptor.NAME_OFFSET, nameBytes, 0,
                    nameLength);
                this.name = new String(nameBytes, StandardCharsets.UTF_8);
            } catch (RingBusException | IndexOutOfBoundsException | NegativeArraySizeException invalid) {
                ensureWhole();
                throw invalid;
            }
            ensureWhole();
        } catch (InternalError fault) {
            throw LostPages.typed(fault, path);
        }
        synchronized (CLOSED_TRUNCATED) {
            CLOSED_TRUNCATED.removeIf(truncation -> truncation.path().equals(path));
        }
        OPEN.add(this);
    }

    /** The path of topic {@code name} in {@code directory}. */
    public static Path pathOf(Path directory, String name) {
        return directory.resolve(name + SUFFIX);
    }

    /**
     * Opens topic {@code name} in {@code directory}, creating it with {@code shape} if it does not exist.
     *
     * @param differences checks an existing topic against what the caller requires (its unset values are
     *     not checked): returns a mismatch description, or null
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
        } catch (InternalError fault) {
            mapped.close();
            throw LostPages.typed(fault, temporary);
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
        int flags = (shape.wakeup() ? TopicDescriptor.FLAG_WAKEUP : 0)
            | (shape.timestamps() ? TopicDescriptor.FLAG_TIMESTAMPS : 0);
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
        String fix = CORRUPT_FIX;
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
                + (version < TopicDescriptor.LAYOUT_VERSION ? " (an older ringbus made it)" : " (a newer ringbus)")
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
        int flags = segment.get(ValueLayout.JAVA_INT, TopicDescriptor.FLAGS_OFFSET);
        if ((flags & ~(TopicDescriptor.FLAG_WAKEUP | TopicDescriptor.FLAG_TIMESTAMPS)) != 0) {
            throw new CorruptRingException("Topic file " + path + " has unknown flags 0x" + Integer.toHexString(flags)
                + fix);
        }
        nameLengthOf(path, segment, fix);
    }

    /**
     * The name length field, checked against the header's room. Read once by each user: the file may change
     * between two reads (another process rewriting it), and a second read once sized an array from a value no
     * check had seen (an OutOfMemoryError, found by TruncationWhileOpeningTest).
     */
    private static int nameLengthOf(Path path, MemorySegment segment, String fix) {
        int nameLength = segment.get(ValueLayout.JAVA_INT, TopicDescriptor.NAME_LENGTH_OFFSET);
        if (nameLength < 0 || nameLength > TopicDescriptor.MAX_NAME_BYTES) {
            throw new CorruptRingException("Topic file " + path + " has name length " + nameLength + fix);
        }
        return nameLength;
    }

    /** The shape this topic was created with. */
    public Shape shape() {
        RingConfig config = new RingConfig()
            .capacity(ring.capacity())
            .maxMessageLength(ring.maxMessageLength())
            .maxCursors(ring.maxCursors())
            .producerMode(ring.producerMode())
            .initialPosition(ring.initialPosition());
        return new Shape(config, publisherSlots, wakeup, timestamps);
    }

    /** The topic file's path, {@code <bus directory>/<name>.topic}. */
    public Path path() {
        return path;
    }

    /** The topic's name, as stored in its header. */
    public String name() {
        return name;
    }

    /** The mapped file: its descriptor holds the slots' byte-range locks; closed with this topic. */
    public MappedFile file() {
        return file;
    }

    /** The whole file. */
    public MemorySegment segment() {
        return segment;
    }

    /** The topic's ring, validated when the file was opened; a view of part of {@link #segment()}. */
    public Ring ring() {
        return ring;
    }

    /** The number of publisher slots: 1 on a single-producer topic. */
    public int publisherSlots() {
        return publisherSlots;
    }

    /** Whether publishers look for parked subscribers to wake after they commit (the header's wakeup flag). */
    public boolean wakeup() {
        return wakeup;
    }

    /**
     * Whether every message starts with its publish time (the header's timestamps flag): publishers write it,
     * subscribers strip it off ({@link TopicDescriptor#TIMESTAMP_LENGTH} bytes).
     */
    public boolean timestamps() {
        return timestamps;
    }

    /** The ring's producer mode. */
    public ProducerMode producerMode() {
        return ring.producerMode();
    }

    /**
     * The topic files of this process that another process truncated: those open now whose file is
     * shorter than their mapping, then those found so when they were closed (a few, newest first, each
     * while its path still holds the file as it was then, and until it is opened again), so that an
     * {@code InternalError} caught after the bus was closed still finds its file. A system call per
     * topic: for error paths.
     */
    public static List<Truncation> truncations() {
        List<Truncation> found = new ArrayList<>();
        for (TopicFile topic : List.copyOf(OPEN)) {
            topic.truncation().ifPresent(found::add);
        }
        synchronized (CLOSED_TRUNCATED) {
            CLOSED_TRUNCATED.removeIf(closed -> !closed.stillThere());
            for (Truncation closed : CLOSED_TRUNCATED) {
                if (found.stream().noneMatch(open -> open.path().equals(closed.path()))) {
                    found.add(closed);
                }
            }
        }
        return found;
    }

    /** This file's truncation, if its file is now shorter than its mapping (a system call). */
    private Optional<Truncation> truncation() {
        long size = file.currentSize();
        return size >= 0 && size < segment.byteSize()
            ? Optional.of(new Truncation(path, segment.byteSize(), size))
            : Optional.empty();
    }

    /**
     * A topic file shorter than its mapping.
     *
     * @param path       the topic file
     * @param mappedSize its size when this process mapped it
     * @param size       its size when last looked at (now, or when it was closed)
     */
    public record Truncation(Path path, long mappedSize, long size) {
        /** Whether a file of that size is still at the path (not removed, nor made anew). */
        boolean stillThere() {
            try {
                return Files.size(path) == size;
            } catch (IOException gone) {
                return false;
            }
        }

        @Override
        public String toString() {
            return path + " is " + size + " bytes now but was " + mappedSize + " when mapped";
        }
    }

    /**
     * Checks on the file's descriptor that it is still as long as its mapping: a {@link CorruptRingException}
     * when another process truncated it. A system call, so also the point where HotSpot delivers, at the
     * latest, the {@code InternalError} of an earlier access of this thread to a lost page (see
     * {@link LostPages}): opening calls it last, inside the try that makes that error typed. Not for hot
     * paths.
     */
    public void ensureWhole() {
        Optional<Truncation> truncation = truncation();
        if (truncation.isPresent()) {
            throw new CorruptRingException("Topic file " + truncation.get() + ": another process truncated it. "
                + LostPages.WHAT_TO_DO);
        }
    }

    /**
     * Unmaps the file and closes its descriptor, dropping every slot lock this file held. A file found
     * truncated is remembered for {@link #truncations()}. Never throws for lost pages: the system calls
     * here are where HotSpot may deliver the fault of an earlier access to them, which is moot once
     * the mapping is gone.
     */
    @Override
    public void close() {
        OPEN.remove(this);
        Optional<Truncation> truncation;
        try {
            truncation = truncation();
        } catch (InternalError fault) {
            truncation = truncation();
        }
        truncation.ifPresent(found -> {
            synchronized (CLOSED_TRUNCATED) {
                CLOSED_TRUNCATED.removeIf(old -> old.path().equals(path));
                CLOSED_TRUNCATED.addFirst(found);
                while (CLOSED_TRUNCATED.size() > CLOSED_TRUNCATED_KEPT) {
                    CLOSED_TRUNCATED.removeLast();
                }
            }
        });
        file.close();
    }

    /**
     * The shape of a topic: its ring, its publisher slots, whether publishers wake parked
     * subscribers, whether messages carry their publish time.
     */
    public record Shape(RingConfig ring, int maxPublishers, boolean wakeup, boolean timestamps) {
        /** A shape without timestamps. */
        public Shape(RingConfig ring, int maxPublishers, boolean wakeup) {
            this(ring, maxPublishers, wakeup, false);
        }

        /** The largest message: the ring's, less the publish time on a timestamped topic. */
        public int maxMessageLength() {
            return ring.maxMessageLength() - (timestamps ? TopicDescriptor.TIMESTAMP_LENGTH : 0);
        }

        /** Bytes of file this shape needs. */
        public long fileLength() {
            return TopicDescriptor.ringOffset(maxPublishers) + ring.requiredLength();
        }
    }
}
