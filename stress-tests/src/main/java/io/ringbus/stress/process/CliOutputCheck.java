package io.ringbus.stress.process;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The check of one {@code bus sub} output file of the CLI faults: {@link CliLine} lines, written by
 * one or more incarnations of the subscriber in turn (each restarted one appending to the file), the
 * harness noting the file's length at each kill -9 (when the killed process was gone). So the file
 * is cut into segments, one per incarnation, and each line is judged in its segment:
 *
 * <ul>
 *   <li>a segment that does not end with a newline ends with a <b>half line</b> (the rest never
 *       written); the last segment may, when its process was killed -9 for good;</li>
 *   <li>a whole line that fails its CRC or shape is <b>bad</b>;</li>
 *   <li>per publisher, a line past the next one expected leaves a gap: <b>lost</b>, unless the lines
 *       turn up later (<b>out of order</b>); at the start of a segment, lines the previous
 *       incarnations printed already, in order, up to where they stopped, are <b>redelivered</b>
 *       (what a durable subscriber that commits after printing repeats after a kill -9); any other
 *       line seen before is <b>duplicated</b>.</li>
 * </ul>
 *
 * <p>With {@code complete} (a durable subscriber that ran from before the first line to after the
 * last), every line from 0 to what each publisher published must be there; otherwise (a joiner) only
 * the gaps between its first and last line of a publisher count as lost. Each loss and each half
 * line is described exactly: which lines, and where in the file, next to which kill.
 */
final class CliOutputCheck {
    private static final int DETAILS = 12;

    /**
     * The figures of one file, and the details behind them (at most {@value #DETAILS}).
     *
     * @param lines whole lines that passed their check
     * @param lost lines missing
     * @param duplicated lines seen again, not as a redelivery
     * @param redelivered lines printed again at the start of a restarted incarnation, in order, up to
     *     where the killed one stopped
     * @param outOfOrder lines that came after a later line of the same publisher, and were missing till then
     * @param halfLines segments that end in the middle of a line
     * @param bad whole lines that failed their check
     * @param details what went wrong, exactly
     */
    record Result(long lines, long lost, long duplicated, long redelivered, long outOfOrder, long halfLines, long bad,
        List<String> details) {

        /** Whether anything counts against the subscriber (redelivered lines are reported apart). */
        boolean failed() {
            return lost + duplicated + outOfOrder + halfLines + bad > 0;
        }
    }

    /** Where a publisher is in the file. */
    private static final class Track {
        final BitSet seen = new BitSet();
        long next;
        long first = -1;
        long lastOffset = -1;
        int lastSegment = -1;
        /** While a restarted segment repeats what came before: the next repeat expected, else -1. */
        long replayNext = -1;
    }

    private CliOutputCheck() {
    }

    /**
     * Checks {@code content}, cut at {@code kills} (the file's length at each kill -9, ascending).
     *
     * @param published per publisher, the lines it published (for {@code complete})
     * @param complete whether every published line must be there
     * @param lastCutAllowed whether the last segment may end with a half line (its process killed -9)
     */
    static Result check(byte[] content, List<Long> kills, Map<Integer, Long> published, boolean complete,
        boolean lastCutAllowed) {
        Map<Integer, Track> tracks = new TreeMap<>();
        List<String> details = new ArrayList<>();
        long[] counts = new long[7]; // lines, lost, duplicated, redelivered, out of order, half, bad
        List<Long> cuts = new ArrayList<>(kills);
        cuts.add((long) content.length);
        int start = 0;
        for (int segment = 0; segment < cuts.size(); segment++) {
            int end = (int) Math.min(content.length, Math.max(start, cuts.get(segment)));
            for (Track track : tracks.values()) {
                track.replayNext = -1;
            }
            int lineStart = start;
            for (int i = start; i < end; i++) {
                if (content[i] == '\n') {
                    line(content, lineStart, i - lineStart, segment, tracks, counts, details);
                    lineStart = i + 1;
                }
            }
            if (lineStart < end && !(segment == cuts.size() - 1 && lastCutAllowed)) {
                counts[5]++;
                detail(details, halfLine(content, lineStart, end - lineStart, segment, cuts.size(), tracks));
            }
            start = end;
        }
        for (Map.Entry<Integer, Track> entry : tracks.entrySet()) {
            int publisher = entry.getKey();
            Track track = entry.getValue();
            long upTo = complete ? Math.max(published.getOrDefault(publisher, 0L), track.next) : track.next;
            long from = complete ? 0 : Math.max(0, track.first);
            counts[1] += missing(track.seen, from, upTo, publisher, details);
        }
        if (complete) {
            for (Map.Entry<Integer, Long> entry : published.entrySet()) {
                if (!tracks.containsKey(entry.getKey()) && entry.getValue() > 0) {
                    counts[1] += entry.getValue();
                    detail(details, String.format(Locale.ROOT, "lost every line of P%d: 0..%d (%,d lines), none"
                        + " printed", entry.getKey(), entry.getValue() - 1, entry.getValue()));
                }
            }
        }
        return new Result(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6],
            List.copyOf(details));
    }

    private static void line(byte[] content, int offset, int length, int segment, Map<Integer, Track> tracks,
        long[] counts, List<String> details) {
        CliLine.Parsed parsed = CliLine.parse(content, offset, length);
        if (parsed == null) {
            counts[6]++;
            detail(details, "bad line at byte " + offset + " (incarnation " + (segment + 1) + "): '"
                + snippet(content, offset, length) + "' (" + length + " bytes)");
            return;
        }
        counts[0]++;
        Track track = tracks.computeIfAbsent(parsed.publisher(), p -> new Track());
        long sequence = parsed.sequence();
        if (sequence > Integer.MAX_VALUE) {
            counts[6]++;
            return;
        }
        boolean newSegment = track.lastSegment >= 0 && track.lastSegment != segment;
        if (track.first < 0) {
            track.first = sequence;
        } else if (track.seen.get((int) sequence)) {
            boolean replay = newSegment && sequence < track.next || track.replayNext == sequence;
            if (replay) {
                counts[3]++;
                track.replayNext = sequence + 1;
            } else {
                counts[2]++;
                detail(details, String.format(Locale.ROOT, "duplicated P%d %d at byte %d (incarnation %d; %s)",
                    parsed.publisher(), sequence, offset, segment + 1, "next expected " + track.next));
            }
            track.lastSegment = segment;
            return;
        } else if (sequence < track.next) {
            counts[4]++;
            detail(details, String.format(Locale.ROOT, "out of order P%d %d at byte %d (after %d)",
                parsed.publisher(), sequence, offset, track.next - 1));
        } else if (sequence > track.next) {
            detail(details, String.format(Locale.ROOT, "gap in P%d: %d..%d (%,d lines) missing between byte %d"
                + " (P%d %d, incarnation %d) and byte %d (P%d %d, incarnation %d)%s", parsed.publisher(),
                track.next, sequence - 1, sequence - track.next, track.lastOffset, parsed.publisher(),
                track.next - 1, track.lastSegment + 1, offset, parsed.publisher(), sequence, segment + 1,
                newSegment ? ", across kill -9 #" + segment : ""));
        }
        track.replayNext = -1;
        track.seen.set((int) sequence);
        track.next = Math.max(track.next, sequence + 1);
        track.lastOffset = offset;
        track.lastSegment = segment;
    }

    private static String halfLine(byte[] content, int offset, int length, int segment, int segments,
        Map<Integer, Track> tracks) {
        CliLine.Parsed begun = CliLine.prefix(content, offset, length);
        String which = begun == null ? "" : String.format(Locale.ROOT, " of P%d %d", begun.publisher(),
            begun.sequence());
        String after = segment + 1 < segments ? "before kill -9 #" + (segment + 1) + "; the next incarnation appended"
            + " after it" : "at the end of the file";
        return String.format(Locale.ROOT, "half line%s at byte %d, %d bytes (end of incarnation %d, %s): '%s'", which,
            offset, length, segment + 1, after, snippet(content, offset, length));
    }

    /** Counts and describes the lines of {@code publisher} from {@code from} to before {@code upTo} not seen. */
    private static long missing(BitSet seen, long from, long upTo, int publisher, List<String> details) {
        long missing = 0;
        long at = from;
        while (at < upTo) {
            int clear = seen.nextClearBit((int) at);
            if (clear >= upTo) {
                break;
            }
            int set = seen.nextSetBit(clear);
            long end = set < 0 || set > upTo ? upTo : set;
            missing += end - clear;
            detail(details, String.format(Locale.ROOT, "lost P%d %d..%d (%,d lines)%s", publisher, clear, end - 1,
                end - clear, set < 0 || set > upTo ? ": never printed, though published" : ""));
            at = end;
        }
        return missing;
    }

    private static String snippet(byte[] content, int offset, int length) {
        String text = new String(content, offset, Math.min(length, 48), StandardCharsets.UTF_8);
        return text.replace("\n", "\\n") + (length > 48 ? "..." : "");
    }

    private static void detail(List<String> details, String detail) {
        if (details.size() < DETAILS) {
            details.add(detail);
        }
    }
}
