package io.ringbus.stress.process;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The lines the harness feeds {@code bus pub} in the CLI faults, each of which checks itself, so that
 * an output file of {@code bus sub} can be checked line by line:
 *
 * <pre>
 *   P3 0000012345 9a0c11f2 payload...
 *   |  |          |        +-- 0 to 48 characters: ASCII letters and digits, some of them 2- and
 *   |  |          |            3-byte UTF-8 characters (a line is bytes in, bytes out)
 *   |  |          +----------- CRC32C of everything else on the line, as 8 hex digits
 *   |  +---------------------- sequence number of this publisher's lines, from 0, 10 digits
 *   +------------------------- publisher number (which bus pub process)
 * </pre>
 *
 * <p>A line cut short, or glued to the next one (a half line that a restarted process appended to),
 * fails its CRC or its shape.
 */
final class CliLine {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String[] WIDE = {"é", "ß", "→", "€", "ж"};
    private static final int MAX_PAYLOAD = 48;

    /** A line read back: its publisher and sequence. */
    record Parsed(int publisher, long sequence) {
    }

    private CliLine() {
    }

    /** Line {@code sequence} of publisher {@code publisher}, with a random payload, newline included. */
    static byte[] encode(int publisher, long sequence, SplittableRandom random) {
        StringBuilder payload = new StringBuilder();
        int length = random.nextInt(MAX_PAYLOAD + 1);
        for (int i = 0; i < length; i++) {
            payload.append(random.nextInt(20) == 0 ? WIDE[random.nextInt(WIDE.length)]
                : String.valueOf(ALPHABET.charAt(random.nextInt(ALPHABET.length()))));
        }
        String head = "P" + publisher + " " + String.format(Locale.ROOT, "%010d", sequence);
        String line = head + " " + String.format(Locale.ROOT, "%08x", crc(head, payload.toString())) + " " + payload
            + "\n";
        return line.getBytes(StandardCharsets.UTF_8);
    }

    /** The publisher and sequence of a whole line (without its newline), or null when it is not one. */
    static Parsed parse(byte[] bytes, int offset, int length) {
        String line = new String(bytes, offset, length, StandardCharsets.UTF_8);
        String[] parts = line.split(" ", 4);
        if (parts.length < 3 || parts[0].length() < 2 || parts[0].charAt(0) != 'P' || parts[1].length() != 10
            || parts[2].length() != 8) {
            return null;
        }
        try {
            int publisher = Integer.parseInt(parts[0].substring(1));
            long sequence = Long.parseLong(parts[1]);
            int crc = (int) Long.parseLong(parts[2], 16);
            String payload = parts.length == 4 ? parts[3] : "";
            if (parts.length == 3 && !line.endsWith(" ")) {
                return null;
            }
            if (publisher < 0 || sequence < 0 || crc != crc(parts[0] + " " + parts[1], payload)) {
                return null;
            }
            return new Parsed(publisher, sequence);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The publisher and sequence a piece of a line begins with (a half line's), or null. */
    static Parsed prefix(byte[] bytes, int offset, int length) {
        String piece = new String(bytes, offset, Math.min(length, 16), StandardCharsets.UTF_8);
        String[] parts = piece.split(" ", 3);
        if (parts.length < 3 || parts[0].length() < 2 || parts[0].charAt(0) != 'P' || parts[1].length() != 10) {
            return null;
        }
        try {
            return new Parsed(Integer.parseInt(parts[0].substring(1)), Long.parseLong(parts[1]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int crc(String head, String payload) {
        CRC32C crc = new CRC32C();
        crc.update(head.getBytes(StandardCharsets.UTF_8));
        crc.update(payload.getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }
}
