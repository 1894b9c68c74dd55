package io.ringbus.stress.wakeup;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingConfig;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.WakeupProtocol;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.*;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The wakeup protocol's one race: a subscriber announces itself parked and polls a last time while
 * a publisher commits a message and looks for parked subscribers. Both run the production steps of
 * {@link WakeupProtocol} on a real ring and topic header (in Arena memory; no system calls matter
 * here, because a futex wait returns at once when the wake word is not 0).
 *
 * <p>r1: messages the subscriber's last poll delivered; r2: the wake word afterwards (1 = posted).
 * If both are 0, the subscriber would go to sleep on a committed message with nobody to wake it.
 */
@JCStressTest
@Description("Announce-parked-then-poll versus commit-then-look-for-parked: no lost wakeup")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The last poll saw the message; the publisher saw nobody parked.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Both saw each other: a spare post, harmless.")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The poll missed it, but the publisher posted: the wait returns.")
@Outcome(id = "0, 0", expect = FORBIDDEN,
    desc = "Lost wakeup: the poll missed the message and the publisher did not see the subscriber parked.")
@State
public class NoLostWakeup {
    private static final byte[] PAYLOAD = new byte[24];

    private final MemorySegment header;
    private final MemorySegment ringMemory;
    private final RingWriter writer;
    private final RingReader reader;
    private final long slot;

    public NoLostWakeup() {
        Arena arena = Arena.ofAuto();
        header = arena.allocate(TopicDescriptor.PUBLISHER_SLOTS_START, 64);
        RingConfig config = new RingConfig().capacity(1024).maxCursors(2).producerMode(ProducerMode.MANY);
        Ring ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
        ringMemory = ring.segment();
        reader = ring.newReader();
        writer = ring.newWriter();
        slot = RingDescriptor.cursorOffset(reader.slotIndex());
    }

    @Actor
    public void publisher() {
        writer.offer(0, PAYLOAD, 0, PAYLOAD.length);
        if (WakeupProtocol.anyoneParked(header) && WakeupProtocol.isParked(ringMemory, slot)) {
            WakeupProtocol.post(ringMemory, slot);
        }
    }

    @Actor
    public void subscriber(II_Result r) {
        WakeupProtocol.announceParked(ringMemory, slot, header);
        r.r1 = reader.poll((type, buffer, offset, length) -> { }, 1);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r2 = WakeupProtocol.wakeWord(ringMemory, slot);
    }
}
