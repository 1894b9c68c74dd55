package io.ringbus.stress.process;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber's check of each message: sequences, gaps, repeats, torn messages, and the durable
 * resume window told apart from a duplicate.
 */
class MessageCheckTest {
    private static final int MAX = 256;

    private Path directory;
    private StatsFile stats;
    private final byte[] pool = new byte[2 * MAX];
    private final CRC32C crc = new CRC32C();

    @BeforeEach
    void setUp() throws Exception {
        directory = Files.createTempDirectory(Path.of("/dev/shm"), "ringbus-checktest-");
        stats = StatsFile.create(directory.resolve("s.stats"), StatsFile.SUBSCRIBER, 0);
        new java.util.Random(1).nextBytes(pool);
    }

    @AfterEach
    void tearDown() {
        stats.close();
        StressRun.deleteTree(directory);
    }

    private void deliver(MessageCheck check, int id, long sequence, boolean spoil) {
        int length = 16 + (int) (sequence % 100);
        byte[] message = new byte[length];
        StressMessage.encode(message, id, sequence, length, pool, (int) sequence % MAX, crc);
        if (spoil) {
            message[length - 1] ^= 1;
        }
        MemorySegment ring = MemorySegment.ofArray(new byte[1024]);
        MemorySegment.copy(MemorySegment.ofArray(message), 0, ring, 100, length);
        check.onMessage(0, ring, 100, length);
    }

    private MessageCheck check(boolean resumed) {
        return new MessageCheck(stats, MAX, resumed, 0);
    }

    @Test
    void countsGapsRepeatsDisorderAndTornMessages() {
        MessageCheck check = check(false);
        for (long seq = 3; seq < 8; seq++) {
            deliver(check, 1, seq, false);
        }
        assertEquals(5, stats.get(StatsFile.RECEIVED));
        assertEquals(4, stats.first(1), "the first sequence seen + 1 (a joiner owes nothing before it)");
        assertEquals(8, stats.next(1));
        deliver(check, 1, 5, false);
        assertEquals(1, stats.get(StatsFile.DUPLICATED), "no gap yet: 5 was received before");
        deliver(check, 1, 10, false);
        assertEquals(2, stats.get(StatsFile.GAPS), "8 and 9 missing");
        deliver(check, 1, 9, false);
        assertEquals(1, stats.get(StatsFile.OUT_OF_ORDER), "9 comes late");
        deliver(check, 1, 11, true);
        assertEquals(1, stats.get(StatsFile.TORN));
        assertEquals(11, stats.next(1), "a torn message is not accepted");
        deliver(check, 2, 0, false);
        assertEquals(1, stats.next(2), "publishers are counted apart");
        check.onMessage(0, MemorySegment.ofArray(new byte[8]), 0, 8);
        assertEquals(2, stats.get(StatsFile.TORN), "too short to be a message");
    }

    private static void notice(MessageCheck check, String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        check.onMessage(io.ringbus.transport.gateway.Importer.LOSS_NOTICE_TYPE, MemorySegment.ofArray(bytes), 0,
            bytes.length);
    }

    /**
     * {@code --via aeron}: a publisher's gap right after an importer's loss notice is an announced loss; the same
     * gap with no notice since that publisher's last message is a gap (an error); a notice counts for every
     * publisher, once each; a notice that does not say what was lost is torn; order and repeats hold as always.
     */
    @Test
    void overTheGatewayOnlyAGapAfterALossNoticeIsAnnounced() {
        MessageCheck check = check(false).acceptingLossNotices();
        deliver(check, 1, 0, false);
        deliver(check, 2, 0, false);
        notice(check, "LOSS from=100 to=900 bytes=800");
        assertEquals(1, stats.get(StatsFile.NOTICES));
        deliver(check, 1, 5, false);
        assertEquals(4, stats.get(StatsFile.ANNOUNCED_LOST), "1..4 of publisher 1, after the notice");
        assertEquals(0, stats.get(StatsFile.GAPS));
        deliver(check, 2, 3, false);
        assertEquals(6, stats.get(StatsFile.ANNOUNCED_LOST), "the same notice covers publisher 2's 1..2");
        deliver(check, 1, 8, false);
        assertEquals(2, stats.get(StatsFile.GAPS), "6..7 of publisher 1: no notice since its message 5");
        assertEquals(6, stats.get(StatsFile.ANNOUNCED_LOST));
        deliver(check, 1, 8, false);
        assertEquals(1, stats.get(StatsFile.OUT_OF_ORDER) + stats.get(StatsFile.DUPLICATED), "a repeat stays one");
        notice(check, "LOST everything");
        assertEquals(1, stats.get(StatsFile.TORN), "a notice must say what was lost");
        assertEquals(1, stats.get(StatsFile.NOTICES));
        assertEquals(stats.get(StatsFile.NOTICES), stats.noticesAtLast(1), "publisher 1's last message came after it");
        MessageCheck strict = check(false);
        notice(strict, "LOSS from=1 to=2 bytes=1");
        assertEquals(2, stats.get(StatsFile.TORN), "on every other path a notice is no stress message");
    }

    @Test
    void aDurableResumeMayRepeatTheLastMessageOnceAndNothingElse() {
        MessageCheck before = check(false);
        for (long seq = 0; seq < 5; seq++) {
            deliver(before, 1, seq, false);
        }
        deliver(before, 2, 0, false);

        MessageCheck resumed = check(true);
        deliver(resumed, 2, 0, false);
        assertEquals(1, stats.get(StatsFile.WINDOW_REPEATS), "the last message again, first after the resume");
        assertEquals(0, stats.get(StatsFile.DUPLICATED));
        deliver(resumed, 2, 0, false);
        assertEquals(1, stats.get(StatsFile.DUPLICATED), "a second time is a duplicate");

        MessageCheck again = check(true);
        deliver(again, 1, 4, false);
        assertEquals(1, stats.get(StatsFile.WINDOW_REPEATS), "not the last message accepted: no window repeat");
        assertEquals(2, stats.get(StatsFile.DUPLICATED));
    }

    @Test
    void aKillBetweenTheTwoStoresLeavesTheMessageToBeAcceptedAgain() {
        MessageCheck before = check(false);
        for (long seq = 0; seq < 3; seq++) {
            deliver(before, 1, seq, false);
        }
        // Killed after storing LAST for message 3 but before its next: as if 3 was never accepted.
        stats.set(StatsFile.LAST, StatsFile.pack(1, 3));
        MessageCheck resumed = check(true);
        deliver(resumed, 1, 3, false);
        assertEquals(0, stats.get(StatsFile.WINDOW_REPEATS));
        assertEquals(0, stats.get(StatsFile.DUPLICATED));
        assertEquals(4, stats.next(1));
    }

    @Test
    void theSelfTestSkipsOneMessageInN() {
        MessageCheck check = new MessageCheck(stats, MAX, false, 3);
        for (long seq = 0; seq < 9; seq++) {
            deliver(check, 1, seq, false);
        }
        assertEquals(6, stats.get(StatsFile.RECEIVED));
        assertEquals(2, stats.get(StatsFile.GAPS), "the last skipped one is not yet a gap");
    }
}
