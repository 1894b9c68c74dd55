package io.ringbus.examples.bench.child;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The files of one benchmark run, in {@code /dev/shm/ringbus-bench-$USER/} (the temporary directory
 * when there is no {@code /dev/shm}), named after the parent's pid so that two runs do not meet, and
 * deleted by {@link #close()}.
 *
 * <p>Every ring file, ringbus's or Agrona's, is made the same way: created 0600, written full of
 * zeros (so that tmpfs holds real pages, not a sparse file), then mapped read-write by each child.
 * The parent formats ringbus rings before any child starts; Agrona's ring buffers need no format
 * beyond zeroed memory.
 */
public final class BenchFiles implements AutoCloseable {
    private static final int ZERO_CHUNK = 64 * 1024;

    private final Path directory;
    private final String prefix;
    private final List<Path> created = new ArrayList<>();
    private final List<Path> trees = new ArrayList<>();

    private BenchFiles(Path directory, String prefix) {
        this.directory = directory;
        this.prefix = prefix;
    }

    public static BenchFiles create() {
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        Path directory = base.resolve("ringbus-bench-" + System.getProperty("user.name"));
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create benchmark directory " + directory + ": " + e, e);
        }
        return new BenchFiles(directory, ProcessHandle.current().pid() + "-");
    }

    public Path directory() {
        return directory;
    }

    /** A new ringbus ring file of {@code capacity} data bytes, formatted for {@code mode}. */
    public synchronized Path ringbusRing(String name, int capacity, ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(capacity).producerMode(mode);
        Path path = zeroedFile(name + ".ringbus", config.requiredLength());
        try (Arena arena = Arena.ofConfined()) {
            Ring.format(mapSegment(path, arena), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot format ring " + path + ": " + e, e);
        }
        return path;
    }

    /** A new zeroed Agrona ring buffer file of {@code capacity} data bytes plus Agrona's trailer. */
    public synchronized Path agronaRing(String name, int capacity) {
        // RingBufferDescriptor's static initialiser is plain arithmetic: reading it needs no add-exports.
        return zeroedFile(name + ".agrona", (long) capacity + RingBufferDescriptor.TRAILER_LENGTH);
    }

    /** A new zeroed file of {@code length} bytes. */
    public synchronized Path zeroedFile(String name, long length) {
        Path path = directory.resolve(prefix + name);
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (FileChannel channel = FileChannel.open(path, options,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            created.add(path);
            ByteBuffer zeros = ByteBuffer.allocate(ZERO_CHUNK);
            long written = 0;
            while (written < length) {
                zeros.clear().limit((int) Math.min(ZERO_CHUNK, length - written));
                written += channel.write(zeros, written);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + path + " (" + length + " bytes): " + e
                + "; is /dev/shm full?", e);
        }
        return path;
    }

    /**
     * A new directory of mode 0700 for this run (a bus directory, sockets), deleted with everything in
     * it by {@link #close()}.
     */
    public synchronized Path directory(String name) {
        Path path = directory.resolve(prefix + name);
        try {
            Files.createDirectory(path,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create directory " + path + ": " + e, e);
        }
        trees.add(path);
        return path;
    }

    /** Deletes every file this run made, then the directory when nothing else is left in it. */
    @Override
    public synchronized void close() {
        for (Path tree : trees) {
            deleteTree(tree);
        }
        trees.clear();
        for (Path path : created) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                System.err.println("bench: could not delete " + path + ": " + e);
            }
        }
        created.clear();
        try {
            Files.deleteIfExists(directory);
        } catch (DirectoryNotEmptyException | NoSuchFileException ignored) {
            // another run still uses it
        } catch (IOException e) {
            System.err.println("bench: could not delete " + directory + ": " + e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException ignored) {
            // already gone
        } catch (IOException | UncheckedIOException e) {
            System.err.println("bench: could not delete " + root + ": " + e);
        }
    }

    /** Maps the whole of {@code path} read-write into {@code arena} (for ringbus children). */
    public static MemorySegment mapSegment(Path path, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
        }
    }

    /** Maps the whole of {@code path} read-write as a {@link MappedByteBuffer} (for Agrona children). */
    public static MappedByteBuffer mapBuffer(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        }
    }
}
