package io.ringbus.transport.gateway;

import static io.ringbus.transport.gateway.ImportPositionDescriptor.LAST_TO_OFFSET;
import static io.ringbus.transport.gateway.ImportPositionDescriptor.LENGTH;
import static io.ringbus.transport.gateway.ImportPositionDescriptor.MAGIC;
import static io.ringbus.transport.gateway.ImportPositionDescriptor.MAGIC_OFFSET;
import static io.ringbus.transport.gateway.ImportPositionDescriptor.PENDING_FROM_OFFSET;
import static io.ringbus.transport.gateway.ImportPositionDescriptor.PENDING_TO_OFFSET;
import static io.ringbus.transport.gateway.ImportPositionDescriptor.SOURCE_ID_OFFSET;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * How far an importer got, kept in a small mapped file of the bus directory (layout:
 * {@link ImportPositionDescriptor}) so that an importer killed and started again knows the last source position
 * it published: what arrives next either repeats (dropped) or follows a gap it reports exactly. One writer: the
 * route's importer, on the gateway thread (a second gateway on the same route is refused by the driver's lock,
 * one per name).
 */
final class ImportPosition implements AutoCloseable {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena;
    private final MemorySegment segment;
    private final Path file;

    private ImportPosition(Arena arena, MemorySegment segment, Path file) {
        this.arena = arena;
        this.segment = segment;
        this.file = file;
    }

    /** The file of {@code route} under {@code busDirectory}: named by the CRC-32 of topic, channel and stream. */
    static Path fileOf(Path busDirectory, Route route) {
        CRC32 crc = new CRC32();
        crc.update((route.topic() + "|" + route.channel() + "|" + route.streamId()).getBytes(StandardCharsets.UTF_8));
        return busDirectory.resolve(String.format(".aeron-import-%08x.position", crc.getValue()));
    }

    /**
     * Opens the route's file, creating it (private, empty: nothing published yet) when missing.
     *
     * @throws GatewayException when it cannot be created or mapped, or holds something else
     */
    static ImportPosition open(Path busDirectory, Route route) {
        Path file = fileOf(busDirectory, route);
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            long size = channel.size();
            if (size != 0 && size != LENGTH) {
                throw new GatewayException("the importer's position file " + file + " has " + size + " bytes, not "
                    + LENGTH + ": it is not one; delete it (the importer then starts with what arrives)");
            }
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, LENGTH, arena);
            ImportPosition position = new ImportPosition(arena, segment, file);
            if (size == 0) {
                position.reset(0);
                segment.set(INT, MAGIC_OFFSET, MAGIC);
            } else if (segment.get(INT, MAGIC_OFFSET) != MAGIC) {
                throw new GatewayException("the importer's position file " + file + " has no valid magic: delete it"
                    + " (the importer then starts with what arrives)");
            }
            return position;
        } catch (IOException e) {
            arena.close();
            throw new GatewayException("cannot open the importer's position file " + file + ": " + e
                + " (is the bus directory writable by this user?)", e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Starts over for a new source: nothing published from it yet. */
    void reset(long sourceId) {
        segment.set(LONG, SOURCE_ID_OFFSET, sourceId);
        segment.set(LONG, LAST_TO_OFFSET, -1);
        segment.set(LONG, PENDING_FROM_OFFSET, -1);
        segment.set(LONG, PENDING_TO_OFFSET, -1);
    }

    /** Before a commit into the local topic: the message between these source positions is being published. */
    void pending(long from, long to) {
        segment.set(LONG, PENDING_FROM_OFFSET, from);
        segment.set(LONG, PENDING_TO_OFFSET, to);
    }

    /** After a commit (or a message given up for good): the last source position dealt with. */
    void done(long to) {
        VarHandle.storeStoreFence(); // after the commit's stores, never before them
        segment.set(LONG, LAST_TO_OFFSET, to);
    }

    /** The source the positions belong to (0 on a fresh file). */
    long sourceId() {
        return segment.get(LONG, SOURCE_ID_OFFSET);
    }

    /** The last source position dealt with, or -1. */
    long lastTo() {
        return segment.get(LONG, LAST_TO_OFFSET);
    }

    /** The message being published when the last writer stopped, if it died between commit and {@link #done}. */
    long pendingFrom() {
        return segment.get(LONG, PENDING_FROM_OFFSET);
    }

    /** See {@link #pendingFrom()}: its end, greater than {@link #lastTo()} only after such a death. */
    long pendingTo() {
        return segment.get(LONG, PENDING_TO_OFFSET);
    }

    /** The file. */
    Path file() {
        return file;
    }

    /** Unmaps the file (which stays, for the next importer of the route). */
    @Override
    public void close() {
        arena.close();
    }
}
