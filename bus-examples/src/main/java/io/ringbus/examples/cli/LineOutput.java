package io.ringbus.examples.cli;

import io.ringbus.core.RingBusException;
import io.ringbus.core.os.FileDescriptors;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * What {@code sub} and {@code tail} print, a batch of whole lines at a time: lines are gathered in a
 * buffer, and {@link #write()} hands them to standard output (descriptor 1 itself, with
 * {@code write(2)}, no stream buffer in between) and returns only once all were written. Each
 * {@code write} carries at most {@link #WRITE_LIMIT} bytes and ends at a line end (a longer line goes
 * alone), so a pipe's reader never sees part of a line (the kernel writes up to {@code PIPE_BUF}
 * bytes to a pipe at once) and a process killed between two writes leaves whole lines behind.
 *
 * <p>One thing no program can prevent: Linux copies a write into a regular file page by page and,
 * when SIGKILL arrives during the copy, stops at the next page boundary. A file can thus end in part
 * of a line when the kill lands inside a write that crosses a 4 KiB page boundary of the file; its
 * size is then a multiple of 4096. A {@code sub --name} commits none of that write's lines, so its
 * successor prints the cut line again, whole.
 *
 * <p>{@linkplain #framed Framed} output, for programs rather than people, is byte-transparent: each
 * message goes out as a frame of the stream paths' format (int32 length, int32 type, both little-endian,
 * then the payload as it is), and each {@code write} ends at a frame's end instead of a line's.
 *
 * <p>In this JVM (a test's writer instead of standard output) the batch is decoded and written to the
 * writer, then flushed.
 */
final class LineOutput {
    /** Most bytes handed to one {@code write(2)}: {@code PIPE_BUF}, what a pipe takes at once. */
    static final int WRITE_LIMIT = 4096;
    private static final int STDOUT = 1;
    private static final long WRITABLE_WAIT_NANOS = 100_000_000L;
    private static final int FRAME_HEADER = 2 * Integer.BYTES;
    private static final ValueLayout.OfInt LITTLE_ENDIAN_INT =
        ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private final PrintWriter writer;
    private boolean framed;
    private MemorySegment buffer = Arena.ofAuto().allocate(2 * WRITE_LIMIT);
    private byte[] scratch = new byte[256];
    private long length;
    private int lines;

    private LineOutput(PrintWriter writer) {
        this.writer = writer;
    }

    /** Lines to standard output itself when {@code out} is the command line's standard output, else to {@code out}. */
    static LineOutput of(PrintWriter out) {
        if (out instanceof BusCommand.StandardOutput) {
            out.flush(); // anything printed before goes first
            return new LineOutput(null);
        }
        return new LineOutput(out);
    }

    /** From now on, messages go out as frames (length, type, payload) instead of lines. */
    LineOutput framed() {
        framed = true;
        return this;
    }

    /** Adds a message as a frame: its length and type (int32 each, little-endian), then its bytes unchanged. */
    void addFrame(int type, MemorySegment source, long offset, int size) {
        ensureRoom(FRAME_HEADER + (long) size);
        buffer.set(LITTLE_ENDIAN_INT, length, size);
        buffer.set(LITTLE_ENDIAN_INT, length + Integer.BYTES, type);
        MemorySegment.copy(source, offset, buffer, length + FRAME_HEADER, size);
        length += FRAME_HEADER + size;
        lines++;
    }

    /** Adds a message as one line: its bytes as UTF-8 (malformed bytes become U+FFFD), then a newline. */
    void addMessage(MemorySegment source, long offset, int size) {
        ensureRoom(size + 1L);
        MemorySegment.copy(source, offset, buffer, length, size);
        if (!ascii(length, size)) {
            if (size > scratch.length) {
                scratch = new byte[Math.max(size, scratch.length * 2)];
            }
            MemorySegment.copy(source, ValueLayout.JAVA_BYTE, offset, scratch, 0, size);
            byte[] text = new String(scratch, 0, size, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
            ensureRoom(text.length + 1L);
            MemorySegment.copy(text, 0, buffer, ValueLayout.JAVA_BYTE, length, text.length);
            size = text.length;
        }
        length += size;
        buffer.set(ValueLayout.JAVA_BYTE, length++, (byte) '\n');
        lines++;
    }

    /** Adds text at the start of the line the next {@link #addMessage} ends (not a line of its own). */
    void addPrefix(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ensureRoom(bytes.length);
        MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, length, bytes.length);
        length += bytes.length;
    }

    /** Adds text that ends with a newline (one or more whole lines). */
    void addText(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ensureRoom(bytes.length);
        MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, length, bytes.length);
        length += bytes.length;
        lines++;
    }

    /** Messages or texts added since the last {@link #write()}. */
    int lines() {
        return lines;
    }

    /**
     * Writes what was added and empties the batch.
     *
     * @return true once every byte was written; false when nobody reads standard output any more
     *     ({@code EPIPE}: {@code | head} exited), in which case the batch reached nobody
     * @throws RingBusException when standard output cannot be written (a full disk, a closed
     *     descriptor): the batch may be partly written
     */
    boolean write() {
        try {
            return writer == null ? writeStandardOutput() : writeWriter();
        } finally {
            length = 0;
            lines = 0;
        }
    }

    private boolean writeWriter() {
        byte[] bytes = buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
        // Frames are bytes, not text: one char per byte, so a test can read them back unchanged.
        writer.write(new String(bytes, framed ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
        writer.flush();
        return !writer.checkError();
    }

    private boolean writeStandardOutput() {
        long from = 0;
        while (from < length) {
            long to = chunkEnd(from);
            while (from < to) {
                long written = FileDescriptors.write(STDOUT, buffer, from, to - from);
                if (written > 0) {
                    from += written;
                } else if (written == -FileDescriptors.EPIPE) {
                    return false;
                } else if (written == 0 || written == -FileDescriptors.EAGAIN) {
                    FileDescriptors.poll(STDOUT, FileDescriptors.POLL_OUT, -1, WRITABLE_WAIT_NANOS);
                } else {
                    throw new RingBusException("cannot write standard output: "
                        + FileDescriptors.describeError((int) -written));
                }
            }
        }
        return true;
    }

    /**
     * The end of the next write from {@code from}: the last line (or frame) end within the limit, or the
     * first line's (frame's) end.
     */
    private long chunkEnd(long from) {
        if (framed) {
            long end = from + FRAME_HEADER + buffer.get(LITTLE_ENDIAN_INT, from);
            while (end < length && end + FRAME_HEADER + buffer.get(LITTLE_ENDIAN_INT, end) <= from + WRITE_LIMIT) {
                end += FRAME_HEADER + buffer.get(LITTLE_ENDIAN_INT, end);
            }
            return end;
        }
        long limit = Math.min(length, from + WRITE_LIMIT);
        for (long at = limit - 1; at >= from; at--) {
            if (buffer.get(ValueLayout.JAVA_BYTE, at) == '\n') {
                return at + 1;
            }
        }
        for (long at = limit; at < length; at++) {
            if (buffer.get(ValueLayout.JAVA_BYTE, at) == '\n') {
                return at + 1;
            }
        }
        return length;
    }

    private boolean ascii(long from, int size) {
        for (long at = from; at < from + size; at++) {
            if (buffer.get(ValueLayout.JAVA_BYTE, at) < 0) {
                return false;
            }
        }
        return true;
    }

    private void ensureRoom(long more) {
        if (length + more > buffer.byteSize()) {
            MemorySegment bigger = Arena.ofAuto().allocate(Math.max(length + more, buffer.byteSize() * 2));
            MemorySegment.copy(buffer, 0, bigger, 0, length);
            buffer = bigger;
        }
    }
}
