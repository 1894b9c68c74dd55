package io.ringbus.core.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The other process of {@link FutexProcessTest}: opens the shared file, says it is ready, waits on the
 * "go" word until the test sets it, then reports how its waits ended and wakes the test.
 */
public final class FutexPeer {
    static final long GO = 0;
    static final long READY = 4;
    static final long DONE = 8;
    /** DONE value: at least one wait ended with WOKEN, so a wake from the other process reached this one. */
    static final int WOKEN_BY_PEER = 1;
    static final int NEVER_WOKEN = 2;

    private FutexPeer() {
    }

    /** Arguments: the path of the shared file. */
    public static void main(String[] args) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (MappedFile mapped = SharedFiles.openExisting(Path.of(args[0]), SharedFiles.FILE_MODE, 16)) {
            MemorySegment segment = mapped.segment();
            segment.set(ValueLayout.JAVA_INT, READY, 1);
            Futex.wake(segment, READY, 1);
            boolean woken = false;
            VarHandle word = ValueLayout.JAVA_INT.varHandle();
            while ((int) word.getVolatile(segment, GO) == 0 && System.nanoTime() < deadline) {
                woken |= Futex.wait(segment, GO, 0, TimeUnit.SECONDS.toNanos(1)) == Futex.WaitResult.WOKEN;
            }
            word.setVolatile(segment, DONE, woken ? WOKEN_BY_PEER : NEVER_WOKEN);
            Futex.wake(segment, DONE, 1);
        }
    }
}
