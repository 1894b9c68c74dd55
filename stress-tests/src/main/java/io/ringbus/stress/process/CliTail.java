package io.ringbus.stress.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Follows a {@code bus sub} output file as it grows, as {@code tail -f} would: the highest sequence
 * of each publisher printed so far, and when the file last grew. For watching progress only (whether
 * a subscriber has printed everything, whether it still prints); {@link CliOutputCheck} judges the
 * file at the end. Not thread-safe.
 */
final class CliTail {
    private final Path file;
    private final Map<Integer, Long> highest = new HashMap<>();
    private byte[] pending = new byte[0];
    private long offset;
    private long lastGrowth = System.nanoTime();

    CliTail(Path file) {
        this.file = file;
    }

    /** Reads what was appended since the last call. */
    void poll() {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return;
        }
        if (size <= offset) {
            return;
        }
        lastGrowth = System.nanoTime();
        byte[] read;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            int length = (int) Math.min(size - offset, 64L * 1024 * 1024);
            read = new byte[pending.length + length];
            System.arraycopy(pending, 0, read, 0, pending.length);
            in.seek(offset);
            in.readFully(read, pending.length, length);
            offset += length;
        } catch (IOException e) {
            return;
        }
        int start = 0;
        for (int i = 0; i < read.length; i++) {
            if (read[i] == '\n') {
                CliLine.Parsed line = CliLine.parse(read, start, i - start);
                if (line != null) {
                    highest.merge(line.publisher(), line.sequence(), Math::max);
                }
                start = i + 1;
            }
        }
        pending = Arrays.copyOfRange(read, start, read.length);
    }

    /** Drops a partial last line: its writer was killed, and the next one starts a new line. */
    void cut() {
        poll();
        pending = new byte[0];
    }

    /** Lines of publisher {@code publisher} printed so far, counted to the highest sequence (+1). */
    long upTo(int publisher) {
        Long at = highest.get(publisher);
        return at == null ? 0 : at + 1;
    }

    /** Nanoseconds since the file last grew. */
    long sinceGrowth() {
        return System.nanoTime() - lastGrowth;
    }

    /** Bytes read so far: the file's length at the last {@link #poll()}. */
    long size() {
        return offset;
    }
}
