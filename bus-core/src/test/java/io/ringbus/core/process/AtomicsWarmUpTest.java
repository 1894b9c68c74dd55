package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up that keeps a young JVM's compare-and-set out of the interpreter (where a peer's
 * truncation of the file would kill the JVM) really leaves {@code Memory}'s read-modify-write
 * accessors compiled when it returns, as the JIT itself reports ({@code -XX:+PrintCompilation}).
 */
class AtomicsWarmUpTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> ACCESSORS = List.of(
        "io.ringbus.core.ring.internal.Memory::casLong", "io.ringbus.core.ring.internal.Memory::casInt",
        "io.ringbus.core.ring.internal.Memory::getAndAddInt");

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void everyReadModifyWriteAccessorIsCompiledWhenTheWarmUpReturns() {
        try (ChildJvm child = fixture.start("warm-up", WarmUpMain.class,
            List.of("-XX:+PrintCompilation"))) {
            // The JIT writes its lines to standard output too, so WARMED may follow one on the same line.
            String warmed = child.awaitLine(line -> line.contains("WARMED compiled="), "the WARMED line", TIMEOUT);
            assertEquals(0, child.awaitExit(TIMEOUT), child.describe());
            assertTrue(warmed.contains("compiled=true"), warmed);
            List<String> lines = child.lines();
            List<String> beforeWarmed = lines.subList(0, lines.indexOf(warmed));
            for (String accessor : ACCESSORS) {
                // A compilation line names the method and its size; "made not entrant" lines retire one.
                boolean compiled = beforeWarmed.stream()
                    .anyMatch(line -> line.contains(accessor + " (") && !line.contains("made not entrant"));
                assertTrue(compiled, accessor + " was not compiled before the warm-up returned (" + warmed + ")");
            }
            System.out.println("warm-up: " + warmed);
        }
    }

    @Test
    void aJvmThatOnlyInterpretsSkipsTheWarmUpAtOnce() {
        try (ChildJvm child = fixture.start("warm-up-xint", WarmUpMain.class, List.of("-Xint"))) {
            String warmed = child.awaitLine("WARMED", TIMEOUT);
            assertEquals(0, child.awaitExit(TIMEOUT), child.describe());
            assertTrue(warmed.contains("compiled=false") && warmed.contains("rounds=0") && warmed.contains("-Xint"),
                warmed);
        }
    }
}
