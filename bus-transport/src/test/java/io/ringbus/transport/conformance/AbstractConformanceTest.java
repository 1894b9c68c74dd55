package io.ringbus.transport.conformance;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** Gives each case a fresh temporary directory, sets its path up there and tears it down after. */
abstract class AbstractConformanceTest {
    @TempDir
    Path directory;

    private PathFixture current;
    private long startNanos;
    private String testCase;

    @BeforeEach
    void nameCase(TestInfo info) {
        testCase = info.getTestMethod().map(method -> method.getName()).orElse("?");
    }

    /** Sets {@code fixture} up for this case; skips the case, saying why, where the path cannot hold it. */
    PathFixture open(PathFixture fixture) {
        String reason = fixture.cannotHold(testCase);
        Assumptions.assumeTrue(reason == null, () -> fixture.name() + " cannot hold " + testCase + ": " + reason);
        fixture.setUp(directory);
        current = fixture;
        startNanos = System.nanoTime();
        return fixture;
    }

    @AfterEach
    void closeFixture(TestInfo info) {
        if (current != null) {
            current.close();
            System.err.printf("conformance %s [%s] %d ms%n", info.getTestMethod().map(m -> m.getName()).orElse("?"),
                current.name(), (System.nanoTime() - startNanos) / 1_000_000);
            current = null;
        }
    }
}
