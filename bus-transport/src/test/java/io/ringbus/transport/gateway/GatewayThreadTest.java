package io.ringbus.transport.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's one thread is set up for its short parks: a timer slack of 1 µs, not Linux's 50 µs. */
@Tag("aeron") // with the gateway tests of this module, in the aeron-test execution (see this module's pom)
class GatewayThreadTest {
    @Test
    void theGatewayThreadSleepsWithASmallTimerSlack(@TempDir Path busDirectory) throws IOException {
        try (GatewayDriver driver = GatewayDriver.embedded(busDirectory, "slack", 64 << 10, line -> { })) {
            List<String> slacks = new ArrayList<>();
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    if (Files.readString(task.resolve("comm")).strip().equals("bus-gateway")) {
                        // Per thread, the kernel shows it as /proc/TID/timerslack_ns (not under /proc/self/task).
                        slacks.add(Files.readString(Path.of("/proc", task.getFileName().toString(), "timerslack_ns"))
                            .strip());
                    }
                }
            }
            assertEquals(List.of(Long.toString(GatewayDriver.TIMER_SLACK_NANOS)), slacks,
                "one bus-gateway thread, with the gateway's timer slack");
        }
    }
}
