package io.ringbus.transport.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * When the gateway thread hands its core to the local reader: after a pause in imports, for a pass that published
 * a lone message (a round trip's); never for imports close together, nor for a pass that published a stream's
 * full datagram, however long the pause before it.
 */
class HandOffTest {
    private static final long US = 1_000;
    private final HandOff handOff = new HandOff(10 * US, 1, 0, 0);

    @Test
    void aLoneMessageAfterAPauseIsHandedOffAndOneRightBehindItIsNot() {
        assertTrue(handOff.imported(50 * US, 1), "the first message after 50 µs");
        assertFalse(handOff.imported(55 * US, 2), "5 µs behind it");
        assertFalse(handOff.imported(64 * US, 3), "9 µs behind that");
        assertTrue(handOff.imported(100 * US, 4), "after 36 µs again");
    }

    @Test
    void aPassThatPublishedMoreThanOneMessageIsNotHandedOffAfterAnyPause() {
        assertFalse(handOff.imported(50 * US, 16), "a full datagram of 16 after 50 µs");
        assertFalse(handOff.imported(90 * US, 32), "the next, 40 µs later");
        assertFalse(handOff.imported(1_000_000 * US, 34), "two after a second");
        assertTrue(handOff.imported(1_000_030 * US, 35), "then one after 30 µs");
    }

    @Test
    void aPassThatPublishedNothingAfterAPauseStillHandsOff() {
        // Repeats dropped, or a malformed fragment: nothing new for the reader, and a yield costs little then.
        assertTrue(handOff.imported(50 * US, 0));
    }
}
