package io.ringbus.stress.fuzz;

import io.ringbus.transport.frame.FrameDescriptor;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The place for fuzzing frame decoding (bus-transport, {@code io.ringbus.transport.frame}): a target
 * that builds a valid byte stream of frames laid out by {@link FrameDescriptor} (control frames and
 * messages), damages it (length and type fields set to boundary values, random bytes, the stream cut
 * short or padded with garbage), and hands it to {@link #decode}, which a subclass implements with
 * the decoder: read frames from the bytes (in the chunk sizes {@link #chunk} suggests, as a pipe or
 * socket delivers them) until the stream ends, checking each frame it yields.
 *
 * <p>The decoder must end every input in frames that fit their limits, a typed rejection
 * ({@code MalformedFrameException} and the other {@code RingBusException}s), or a clean end of
 * stream; never another exception, an allocation sized by an unchecked length, or a hang (the
 * driver bounds each input). To add it: subclass this in this package, and add a test method to
 * {@link FuzzTest} that runs it through {@link FuzzDriver#run}.
 */
abstract class FrameStreamFuzz implements FuzzTarget {
    /** Largest payload the valid frames carry. */
    static final int MAX_PAYLOAD = 512;

    private static final int[] CONTROL_TYPES = {FrameDescriptor.HELLO, FrameDescriptor.WELCOME,
        FrameDescriptor.REJECT, FrameDescriptor.LOSS, FrameDescriptor.CONNECT, FrameDescriptor.ACCEPT,
        FrameDescriptor.SESSION};

    @Override
    public final void fuzzOne(FuzzInput in) throws Exception {
        byte[] stream = validStream(in);
        int length = stream.length;
        MemorySegment bytes = MemorySegment.ofArray(stream);
        for (int n = in.nextInt(5); n > 0 && stream.length >= FrameDescriptor.HEADER_LENGTH; n--) {
            long at = in.nextInt(stream.length - FrameDescriptor.HEADER_LENGTH + 1);
            switch (in.nextInt(3)) {
                case 0 -> in.mutateInt(bytes, at, "int");
                case 1 -> in.scribble(bytes, 0, stream.length, "bytes");
                default -> {
                    length = in.nextInt(stream.length + 1);
                    in.note("stream cut to " + length + " bytes");
                }
            }
        }
        decode(in, Arrays.copyOf(stream, length));
    }

    /** A few valid frames: an optional control frame first, then messages. */
    private static byte[] validStream(FuzzInput in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (in.oneIn(2)) {
            frame(out, CONTROL_TYPES[in.nextInt(CONTROL_TYPES.length)], in.nextInt(64), in);
        }
        for (int i = in.nextInt(8); i > 0; i--) {
            frame(out, in.nextInt(100), in.nextInt(MAX_PAYLOAD + 1), in);
        }
        return out.toByteArray();
    }

    private static void frame(ByteArrayOutputStream out, int type, int length, FuzzInput in) {
        ByteBuffer header = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(FrameDescriptor.LENGTH_OFFSET, length).putInt(FrameDescriptor.TYPE_OFFSET, type);
        out.writeBytes(header.array());
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) in.nextInt();
        }
        out.writeBytes(payload);
    }

    /** A chunk size for delivering the stream to the decoder: whole, one byte at a time, or random. */
    static int chunk(FuzzInput in, int remaining) {
        return switch (in.nextInt(3)) {
            case 0 -> remaining;
            case 1 -> Math.min(remaining, 1);
            default -> Math.min(remaining, 1 + in.nextInt(64));
        };
    }

    /**
     * Decodes {@code stream} with the decoder under test, checking what it yields; returns normally
     * or throws the decoder's typed rejection.
     */
    abstract void decode(FuzzInput in, byte[] stream) throws Exception;
}
