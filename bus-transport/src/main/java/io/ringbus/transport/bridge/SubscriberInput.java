package io.ringbus.transport.bridge;

import io.ringbus.transport.MalformedFrameException;
import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.stream.ByteStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What a subscribing client sends after its hello: {@code COMMIT} frames (with explicit commits), applied
 * as they come, and a {@code BYE} or the end of the stream. Frames are kept until whole in a small buffer.
 */
final class SubscriberInput {
    private static final int COMMIT_FRAME_LENGTH = FrameDescriptor.HEADER_LENGTH + Long.BYTES;
    private static final ByteBuffer BYE_HEADER = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH)
        .order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(FrameDescriptor.BYE).flip();
    private static final ByteBuffer COMMIT_HEADER = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH)
        .order(ByteOrder.LITTLE_ENDIAN).putInt(Long.BYTES).putInt(FrameDescriptor.COMMIT).flip();

    private final ByteBuffer probe = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    private CommitLog commits;

    /** The commit log COMMIT frames go to; null while (or when) the client may send none. */
    void commits(CommitLog log) {
        this.commits = log;
    }

    /**
     * Reads what the client sent without waiting: whether it closed its end or said BYE. COMMIT frames
     * sent before an end of stream count.
     *
     * @throws MalformedFrameException for anything else
     */
    boolean clientGone(ByteStream stream) {
        while (true) {
            int read = stream.read(probe);
            int have = probe.position();
            int at = 0;
            while (at < have) {
                boolean bye = startsWith(at, have, BYE_HEADER);
                if (!bye && (commits == null || !startsWith(at, have, COMMIT_HEADER))) {
                    throw new MalformedFrameException("a subscriber may send nothing after its hello but BYE, and"
                        + " COMMIT frames of 8 bytes with commit=explicit");
                }
                if (bye && have - at >= FrameDescriptor.HEADER_LENGTH) {
                    return true;
                }
                if (bye || have - at < COMMIT_FRAME_LENGTH) {
                    break; // the rest of the frame is still on its way
                }
                commits.commit(probe.getLong(at + FrameDescriptor.HEADER_LENGTH));
                at += COMMIT_FRAME_LENGTH;
            }
            probe.limit(have).position(at);
            probe.compact();
            if (read < 0) {
                return true;
            }
            if (read == 0) {
                return false;
            }
        }
    }

    /** Whether the bytes from {@code at} (up to {@code have}) agree with {@code header} as far as they go. */
    private boolean startsWith(int at, int have, ByteBuffer header) {
        int length = Math.min(have - at, header.limit());
        for (int i = 0; i < length; i++) {
            if (probe.get(at + i) != header.get(i)) {
                return false;
            }
        }
        return true;
    }
}
