package io.ringbus.core.process;

import io.ringbus.core.Bus;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.topic.TopicFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A process that does nothing but the read-modify-writes a publisher's claim and commit do, on the
 * last word of topic {@code --topic}'s file in bus directory {@code --dir} (made here with a
 * publisher): {@link Memory#casLong} and {@link Memory#casInt} in turn, forever. So nearly all of
 * its time is in the path a truncation must not catch while interpreted. Prints {@code READY pid}
 * first; when the word's page is lost it prints {@code ERROR java.lang.InternalError: ...} and exits
 * with {@link ChildSupport#TYPED_ERROR_EXIT} (the InternalError is what the bus turns into a typed
 * error; the test only asks that the JVM lives to say so).
 */
final class CasLoopMain {
    private CasLoopMain() {
    }

    public static void main(String[] args) {
        ChildSupport.run(args, CasLoopMain::run);
    }

    private static void run(ChildSupport args) {
        Path dir = Path.of(args.get("dir"));
        String name = args.get("topic");
        try (Bus bus = Bus.open(args.busContext())) {
            bus.newPublisher(name);
            try (TopicFile topic = TopicFile.tryOpen(TopicFile.pathOf(dir, name), 0600)) {
                MemorySegment segment = topic.segment();
                long word = segment.byteSize() - Long.BYTES;
                ChildSupport.event("READY " + ProcessHandle.current().pid());
                try {
                    for (long i = 0; ; i++) {
                        Memory.casLong(segment, word, i, i + 1);
                        Memory.casInt(segment, word, (int) i, (int) i + 1);
                    }
                } catch (InternalError lostPage) {
                    ChildSupport.event("ERROR " + lostPage);
                    ChildSupport.flush();
                    Runtime.getRuntime().halt(ChildSupport.TYPED_ERROR_EXIT);
                }
            }
        }
    }
}
