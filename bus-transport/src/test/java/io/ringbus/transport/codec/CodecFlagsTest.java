package io.ringbus.transport.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A view made in a JVM that lacks a flag its library needs fails at once with a {@link MissingJvmFlagsException}
 * naming the flag, rather than with the library's own error at the first message; with {@link CodecFlags} it
 * works. Each case runs in a child JVM started with exactly the flags under test.
 */
@Tag("codec")
class CodecFlagsTest {
    @Test
    void agronaWithoutItsExportIsATypedErrorNamingTheFlag() throws Exception {
        String line = probe(List.of(), "agrona");
        assertTrue(line.startsWith("MissingJvmFlagsException: ") && line.contains(CodecFlags.AGRONA.getFirst()), line);
        assertEquals("OK", probe(CodecFlags.AGRONA, "agrona"));
    }

    @Test
    void chronicleUnderDenyIsATypedErrorAndWorksWithItsFlags() throws Exception {
        String line = probe(List.of("--sun-misc-unsafe-memory-access=deny"), "chronicle");
        assertTrue(line.startsWith("MissingJvmFlagsException: ") && line.contains("--sun-misc-unsafe-memory-access"),
            line);
        assertEquals("OK", probe(CodecFlags.CHRONICLE, "chronicle"));
    }

    private static String probe(List<String> flags, String view) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(flags);
        command.addAll(List.of("-Dslf4j.internal.verbosity=ERROR", "-Dchronicle.analytics.disable=true",
            "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), FlagsProbe.class.getName(), view));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe JVM did not finish");
        List<String> lines = out.lines().toList();
        return lines.isEmpty() ? "(nothing printed)" : lines.getLast();
    }
}
