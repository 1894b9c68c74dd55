package io.ringbus.transport.record;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorder's full-disk check: below the minimum it is a typed error that says the recording is whole. */
class RecordingDirectoriesTest {
    @TempDir
    Path directory;

    @Test
    void lessFreeThanTheMinimumIsATypedErrorSayingWhatToDo() {
        RecordingException full = assertThrows(RecordingException.class, () -> RecordingDirectories.requireFree(
            RecordingDirectories.store(directory), directory, Long.MAX_VALUE));
        assertTrue(full.getMessage().contains("is full") && full.getMessage().contains("resumes after it"),
            full.getMessage());
        RecordingDirectories.requireFree(RecordingDirectories.store(directory), directory, 1);
    }
}
