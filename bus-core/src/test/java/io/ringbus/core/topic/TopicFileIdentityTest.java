package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link TopicFile#isStillAtItsPath}: what lets a bus notice that another process removed a topic it has
 * mapped, or replaced it by a new one of the same name.
 */
class TopicFileIdentityTest {
    @Test
    void aMappedTopicKnowsWhetherItsPathStillNamesIt() throws Exception {
        try (TempBus temp = TempBus.open("ringbus-identity-")) {
            Publisher creator = temp.bus().newPublisher("named");
            Path path = temp.bus().context().directory().resolve("named.topic");
            TopicFile mapped = TopicFile.tryOpen(path, 0600);
            assertNotNull(mapped, "the topic file " + path);
            try {
                assertTrue(mapped.isStillAtItsPath(), "a file created under a temporary name and linked into place");
                assertTrue(mapped.isStillAtItsPath(), "asking twice changes nothing");
                Files.delete(path);
                assertFalse(mapped.isStillAtItsPath(), "removed");
                try (Bus other = Bus.open(new BusContext().directory(path.getParent()).defaultCapacity(1 << 16))) {
                    other.newPublisher("named").close(); // another process makes the topic anew
                    assertTrue(Files.exists(path));
                    assertFalse(mapped.isStillAtItsPath(), "replaced by a new file of the same name");
                }
            } finally {
                mapped.close();
                creator.close();
            }
            assertFalse(mapped.isStillAtItsPath(), "closed");
        }
    }
}
