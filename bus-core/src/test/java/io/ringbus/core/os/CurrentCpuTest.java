package io.ringbus.core.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CurrentCpuTest {
    @Test
    void aThreadPinnedToAProcessorRunsThere() throws InterruptedException {
        int processors = Runtime.getRuntime().availableProcessors();
        for (int cpu = 0; cpu < Math.min(processors, 2); cpu++) {
            int wanted = cpu;
            AtomicReference<String> seen = new AtomicReference<>();
            Thread pinned = Thread.ofPlatform().start(() -> {
                boolean taken = CurrentCpu.pinThisThread(wanted);
                StringBuilder ids = new StringBuilder();
                for (int i = 0; i < 1_000; i++) {
                    int id = CurrentCpu.id();
                    if (id != wanted) {
                        ids.append(id).append(' ');
                    }
                    Thread.yield();
                }
                seen.set(taken + " " + ids);
            });
            pinned.join();
            assertEquals("true ", seen.get(), "pinned to " + wanted + ": taken, and the ids other than it seen");
        }
    }

    @Test
    void theCurrentProcessorIsOneOfThisMachines() {
        int id = CurrentCpu.id();
        assertTrue(id >= 0, "processor " + id);
    }

    @Test
    void aMaskOfNoUsableProcessorIsRefused() {
        assertFalse(CurrentCpu.pinThisThread(), "an empty mask");
        assertThrows(IllegalArgumentException.class, () -> CurrentCpu.pinThisThread(1024));
    }
}
