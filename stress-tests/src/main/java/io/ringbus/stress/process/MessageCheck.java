package io.ringbus.stress.process;

import io.ringbus.core.LossListener;
import io.ringbus.core.ring.MessageHandler;
import java.lang.foreign.MemorySegment;
import io.ringbus.transport.gateway.Importer;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A subscriber's check of every message it receives: whole (length and CRC32C; else torn), then
 * each publisher id's sequence: the next one (good), a later one (the ones between are a gap: lost),
 * or an earlier one, not accepted: duplicated (while this subscriber has seen no gap, every earlier
 * sequence was received already), or out of order (it may be a late one from a gap).
 *
 * <p>The message is first copied out of the ring (one Java copy, which a truncated mapping turns
 * into the bus's typed error, where a native CRC over the mapping would crash the JVM).
 *
 * <p><b>Durable resumes.</b> The figures live in the stats file, which a durable subscriber's next
 * incarnation continues, so its sequences run on across kills. ringbus documents one repeat: a
 * durable subscriber killed between a handler's return and the cursor store after it gets that
 * message again. Each acceptance stores {@link StatsFile#LAST} and then {@code next} (in that order,
 * release stores), so the harness can tell that case exactly: the first message after a resume that
 * is the very message {@code LAST} names, and is {@code next - 1}, counts as a
 * {@link StatsFile#WINDOW_REPEATS window repeat}, reported apart (at most one per kill). Any other
 * repeat is a duplicate. A kill between the two stores leaves {@code next} at that message, so its
 * redelivery is accepted as new, which it is.
 *
 * <p><b>Announced losses</b> ({@code --via aeron}, {@link #acceptingLossNotices}). The subscribers read bus B,
 * which a gateway's importer fills from Aeron, untethered: it may lose messages, and then publishes a loss notice
 * ({@link Importer#LOSS_NOTICE_TYPE}, text {@code LOSS from=F to=T bytes=N}) before the first message after the
 * gap. A notice is counted ({@link StatsFile#NOTICES}); a publisher's sequence that skips ahead is an announced
 * loss ({@link StatsFile#ANNOUNCED_LOST}) when a notice came after that publisher's previous message, and a gap
 * (an error) otherwise. Order and repeats are checked as on every path. An evictable subscriber's loss reports
 * ({@link #acceptingLossReports}) count as notices the same way.
 */
final class MessageCheck implements MessageHandler {
    private final StatsFile stats;
    private final byte[] message;
    private final CRC32C crc = new CRC32C();
    private boolean resumeCheck;
    private long received;
    private long gaps;
    private long duplicated;
    private long outOfOrder;
    private long torn;
    private final long skipEvery;
    private long delivered;
    private int reported;
    /** Stream paths: publisher ids heard from since this durable incarnation resumed (null: not resumed). */
    private final BitSet heardSinceResume;
    private long resumeGaps;
    private static final Pattern NOTICE = Pattern.compile("LOSS from=(\\d+) to=(\\d+) bytes=(\\d+)");
    private boolean lossNotices;
    private long notices;
    private long announcedLost;

    /**
     * A check writing to {@code stats}; {@code resumed} for a durable subscriber's later incarnation;
     * {@code skipEvery} above 0 ignores one message in that many (the harness's self-test).
     */
    MessageCheck(StatsFile stats, int maxMessageLength, boolean resumed, long skipEvery) {
        this(stats, maxMessageLength, resumed, skipEvery, false);
    }

    /**
     * The same; with {@code streamResume} (a durable incarnation resumed over a stream path), the
     * first message of each publisher that skips ahead counts its gap as {@link StatsFile#RESUME_GAPS}:
     * what the bridge had written to the killed incarnation's stream (the harness bounds it).
     */
    MessageCheck(StatsFile stats, int maxMessageLength, boolean resumed, long skipEvery, boolean streamResume) {
        this.heardSinceResume = resumed && streamResume ? new BitSet() : null;
        this.resumeGaps = stats.get(StatsFile.RESUME_GAPS);
        if (heardSinceResume != null) {
            stats.markResume();
        }
        this.skipEvery = skipEvery;
        this.stats = stats;
        this.message = new byte[maxMessageLength];
        this.resumeCheck = resumed;
        this.received = stats.get(StatsFile.RECEIVED);
        this.gaps = stats.get(StatsFile.GAPS);
        this.duplicated = stats.get(StatsFile.DUPLICATED);
        this.outOfOrder = stats.get(StatsFile.OUT_OF_ORDER);
        this.torn = stats.get(StatsFile.TORN);
        this.notices = stats.get(StatsFile.NOTICES);
        this.announcedLost = stats.get(StatsFile.ANNOUNCED_LOST);
    }

    /** Takes the importer's loss notices in the topic, and the gaps right after them (see the class comment). */
    MessageCheck acceptingLossNotices() {
        lossNotices = true;
        return this;
    }

    /**
     * The loss listener of an evictable subscriber: each report ({@code Subscriber} tells it during the poll that
     * rejoins, before any message after the gap) counts as a notice, and the gaps after it are accepted as
     * announced, exactly as the importer's notices are (see the class comment).
     */
    LossListener acceptingLossReports() {
        lossNotices = true;
        return (from, to, bytes) -> {
            if (bytes <= 0 || to - from != bytes) {
                stats.set(StatsFile.TORN, ++torn);
                report("TORN", from, 0, "a loss report from " + from + " to " + to + " of " + bytes + " bytes");
                return;
            }
            stats.set(StatsFile.NOTICES, ++notices);
        };
    }

    /**
     * Prints what went wrong (the first few times): {@code WHAT nanoTime offset=... length=... detail}, for
     * the harness to put beside the faults of that moment.
     */
    private void report(String what, long offset, int length, String detail) {
        if (reported++ < 10) {
            System.out.println(what + " " + System.nanoTime() + " offset=" + offset + " length=" + length + " "
                + detail);
            System.out.flush();
        }
    }

    @Override
    public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
        if (skipEvery > 0 && ++delivered % skipEvery == 0) {
            return;
        }
        if (lossNotices && typeId == Importer.LOSS_NOTICE_TYPE) {
            notice(buffer, offset, length);
            return;
        }
        if (length < StressMessage.HEADER_LENGTH || length > message.length) {
            stats.set(StatsFile.TORN, ++torn);
            report("TORN", offset, length, "length out of range");
            return;
        }
        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, message, 0, length);
        int id = StressMessage.id(message);
        long sequence = StressMessage.sequence(message);
        if (!StressMessage.intact(message, length, crc) || id <= 0 || id >= StatsFile.MAX_IDS || sequence < 0) {
            stats.set(StatsFile.TORN, ++torn);
            report("TORN", offset, length, "id " + id + " seq " + sequence
                + (id > 0 && id < StatsFile.MAX_IDS ? " (next " + stats.next(id) + ")" : ""));
            return;
        }
        long packed = StatsFile.pack(id, sequence);
        long next = stats.next(id);
        if (resumeCheck) {
            resumeCheck = false;
            if (packed == stats.get(StatsFile.LAST) && sequence == next - 1) {
                stats.set(StatsFile.WINDOW_REPEATS, stats.get(StatsFile.WINDOW_REPEATS) + 1);
                return;
            }
        }
        if (next == 0) {
            stats.first(id, sequence + 1);
            stats.noticesAtFirst(id, notices);
        } else if (sequence > next && lossNotices && notices > stats.noticesAtLast(id)) {
            announcedLost += sequence - next;
            stats.set(StatsFile.ANNOUNCED_LOST, announcedLost);
        } else if (sequence > next && heardSinceResume != null && !heardSinceResume.get(id)) {
            heardSinceResume.set(id);
            resumeGaps += sequence - next;
            stats.set(StatsFile.RESUME_GAPS, resumeGaps);
            report("RESUME-GAP", offset, length, "id " + id + " seq " + sequence + " next " + next);
        } else if (sequence > next) {
            gaps += sequence - next;
            stats.set(StatsFile.GAPS, gaps);
            report("GAP", offset, length, "id " + id + " seq " + sequence + " next " + next);
        } else if (sequence < next) {
            // Received before, unless it falls in a gap (then it is late): with no gap, certainly a repeat.
            boolean repeat = gaps == 0;
            if (repeat) {
                stats.set(StatsFile.DUPLICATED, ++duplicated);
            } else {
                stats.set(StatsFile.OUT_OF_ORDER, ++outOfOrder);
            }
            report(repeat ? "DUPLICATE" : "DISORDER", offset, length, "id " + id + " seq " + sequence + " next "
                + next);
            return;
        }
        if (heardSinceResume != null) {
            heardSinceResume.set(id);
        }
        stats.set(StatsFile.LAST, packed);
        stats.noticesAtLast(id, notices);
        stats.next(id, sequence + 1);
        stats.set(StatsFile.RECEIVED, ++received);
    }

    /** An importer's loss notice: counted, once its text says what was lost; otherwise it is a torn message. */
    private void notice(MemorySegment buffer, long offset, int length) {
        if (length > 0 && length <= message.length) {
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, message, 0, length);
            if (NOTICE.matcher(new String(message, 0, length, StandardCharsets.US_ASCII)).matches()) {
                stats.set(StatsFile.NOTICES, ++notices);
                return;
            }
        }
        stats.set(StatsFile.TORN, ++torn);
        report("TORN", offset, length, "a loss notice that does not say what was lost");
    }
}
