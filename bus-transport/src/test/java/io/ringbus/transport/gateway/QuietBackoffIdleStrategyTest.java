package io.ringbus.transport.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gateway thread's idle strategy on a clock of the test's: the long park starts only after a second without
 * a moved message, the driver's housekeeping (work that moved no message) does not end a quiet spell, a message
 * does.
 */
class QuietBackoffIdleStrategyTest {
    private static final long MS = 1_000_000;
    private long now;
    private final List<Long> quietParks = new ArrayList<>();
    private final QuietBackoffIdleStrategy idle = new QuietBackoffIdleStrategy(MS, 1_000 * MS, 4 * MS, () -> now,
        quietParks::add);

    @Test
    void parksLongOnlyOnceNoMessageMovedForTheQuietSpell() {
        for (int i = 0; i < 50; i++) {
            idle.idle(0); // the active back-off: spins, yields, short parks
        }
        assertEquals(List.of(), quietParks, "within the first second the active back-off idles");
        now = 1_001 * MS;
        idle.idle(0);
        assertEquals(List.of(4 * MS), quietParks, "after a quiet second, the quiet park");
    }

    @Test
    void housekeepingDoesNotEndAQuietSpellAMessageDoes() {
        now = 2_000 * MS;
        idle.idle(3); // the driver sent a heartbeat: work, but no message moved
        idle.idle(0);
        assertEquals(List.of(4 * MS), quietParks, "still quiet after the driver's own work");
        idle.messagesMoved();
        idle.idle(0);
        now += 999 * MS;
        idle.idle(0);
        assertEquals(List.of(4 * MS), quietParks, "a moved message starts a new second of active back-off");
        now += 2 * MS;
        idle.idle(0);
        assertEquals(List.of(4 * MS, 4 * MS), quietParks, "quiet again a second after the last message");
    }

    @Test
    void refusesAQuietParkShorterThanTheActiveOne() {
        assertThrows(IllegalArgumentException.class, () -> new QuietBackoffIdleStrategy(4 * MS, 1_000 * MS, MS));
    }
}
