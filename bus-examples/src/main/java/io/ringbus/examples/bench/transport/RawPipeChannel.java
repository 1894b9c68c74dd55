package io.ringbus.examples.bench.transport;

import io.ringbus.core.os.FileDescriptors;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.transport.TransportUri;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A pair of plain pipes as a {@link RawChannel}: one FIFO per direction in the directory of a
 * {@code fifo:DIR} URI, read and written through JDK {@link FileChannel}s. A FIFO is the kernel's
 * pipe under a name; names are needed because a JVM cannot pass a child any descriptor but its
 * standard streams, and those carry the benchmark's control protocol. The accepting side makes the
 * FIFO nodes and replies {@code LISTENING}; opening a FIFO blocks until its other end is opened.
 *
 * <p>Waiting: a blocking wait reads in the kernel; a spinning one polls
 * {@link FileInputStream#available()} (the {@code FIONREAD} ioctl) and reads only what is there. The
 * JDK has no non-blocking pipe write, so a write to a full pipe blocks in both modes.
 */
final class RawPipeChannel implements RawChannel {
    private static final String UP = "raw.up";
    private static final String DOWN = "raw.down";
    private static final int FIFO_MODE = 0600;

    private final FileInputStream in;
    private final FileChannel inChannel;
    private final FileChannel out;
    private final boolean spin;

    private RawPipeChannel(FileInputStream in, FileChannel out, TransportWait wait) {
        this.in = in;
        this.inChannel = in.getChannel();
        this.out = out;
        this.spin = !wait.blockingChannels();
    }

    /** Makes the FIFOs, replies {@code LISTENING}, opens them (reads up, writes down) once the peer does. */
    static RawPipeChannel accept(String uri, TransportWait wait) throws IOException {
        Path directory = TransportUri.parse(uri).path();
        for (String name : new String[] {UP, DOWN}) {
            FileDescriptors.close(FileDescriptors.createFifo(directory.resolve(name), FIFO_MODE));
        }
        ChildRunner.reply("LISTENING " + uri);
        FileInputStream in = new FileInputStream(directory.resolve(UP).toFile());
        return new RawPipeChannel(in, new FileOutputStream(directory.resolve(DOWN).toFile()).getChannel(), wait);
    }

    /** Opens the FIFOs the accepting side made, in the same order (writes up, reads down). */
    static RawPipeChannel connect(String uri, TransportWait wait) throws IOException {
        Path directory = TransportUri.parse(uri).path();
        FileChannel out = new FileOutputStream(directory.resolve(UP).toFile()).getChannel();
        return new RawPipeChannel(new FileInputStream(directory.resolve(DOWN).toFile()), out, wait);
    }

    @Override
    public int read(ByteBuffer buffer) {
        try {
            if (spin && in.available() == 0) {
                return 0;
            }
            int read = inChannel.read(buffer);
            if (read < 0) {
                throw new IllegalStateException("the raw peer closed its pipe");
            }
            return read;
        } catch (IOException e) {
            throw new UncheckedIOException("raw pipe read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void writeFully(ByteBuffer buffer, SpinGuard guard) {
        try {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("raw pipe write failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        RawChannel.closeQuietly(in);
        RawChannel.closeQuietly(out);
    }
}
