package io.ringbus.core;

import io.ringbus.core.topic.TopicFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where a lost page becomes a typed error: the {@code InternalError} a Java access to a
 * topic file's mapping raises after another process truncated the file turns into a
 * {@link CorruptRingException} that names the file, its size now and when mapped, and what to do.
 * Every ringbus call that touches shared memory converts through here, and so does the {@code bus}
 * command line; a program that writes through {@link Publisher#buffer()} uses it too (below).
 *
 * <p><b>Why a program may need it.</b> HotSpot does not throw that {@code InternalError} where the
 * access faulted: it skips the access (a load yields garbage), marks the thread, and throws at the
 * thread's next safepoint poll ({@code SharedRuntime::handle_unsafe_access}, an asynchronous
 * exception). In the interpreter that is within a few bytecodes; in compiled code it is at the next
 * loop back-edge, method return or call into the VM, which, once the JIT has inlined a ringbus call
 * into the loop that makes it, is usually in the caller, past the call's own {@code catch}. Ringbus's
 * calls that make a system call anyway (opening, closing, waking or parking) deliver it inside, and so
 * throw {@code CorruptRingException} themselves; the per-message calls ({@code offer}, {@code tryClaim},
 * {@code commit}, {@code poll}) do when the fault surfaces inside them, and could make sure of it only
 * with a system call per message (measured: a non-critical FFM downcall in the try delivers it
 * there; a critical one, which makes no thread-state transition, does not). So a program that must
 * never see the raw error (and every program writing through {@code buffer()}, whose stores are its
 * own code) catches it around its publishing or polling loop, where catching costs nothing:
 *
 * <pre>{@code
 * try {
 *     while (running) {
 *         long position = publisher.tryClaim(length);
 *         if (position >= 0) {
 *             publisher.buffer().set(ValueLayout.JAVA_LONG, publisher.payloadOffset(position), value);
 *             publisher.commit(position);
 *         }
 *     }
 * } catch (InternalError fault) {
 *     throw LostPages.typed(fault);   // CorruptRingException: "Topic file ... is 39040 bytes now but ..."
 * }
 * }</pre>
 */
public final class LostPages {
    /** What to do about a truncated topic file; every message about one ends with it. */
    public static final String WHAT_TO_DO = "Close every publisher and subscriber of the topic, remove the file once"
        + " no process uses it, and let the next publisher create it anew; only ringbus should write topic files.";

    private LostPages() {
    }

    /**
     * The typed error for {@code fault}, a faulting access to shared memory whose file is not known
     * (caught around a loop, or by the command line): names every topic file of this process that is
     * now shorter than its mapping (open, or closed since it was found so; see
     * {@link TopicFile#truncations()}). If there is none (truncated and extended again, or a fault in
     * some other mapped file), it says so; the fault is its cause either way.
     */
    public static CorruptRingException typed(InternalError fault) {
        return typed(fault, null);
    }

    /**
     * The typed error for {@code fault}, a faulting access to the mapping of {@code topicFile} (or of an
     * unknown file when null).
     */
    public static CorruptRingException typed(InternalError fault, Path topicFile) {
        List<TopicFile.Truncation> truncations = TopicFile.truncations();
        List<String> others = new ArrayList<>();
        String named = null;
        for (TopicFile.Truncation truncation : truncations) {
            if (truncation.path().equals(topicFile)) {
                named = truncation.toString();
            } else {
                others.add(truncation.toString());
            }
        }
        String faulted = "an access to its lost pages faulted";
        String message;
        if (topicFile != null) {
            message = named != null
                ? "Topic file " + named + ": another process truncated it, and " + faulted + "."
                : "Topic file " + topicFile + " lost pages under its mapping: another process truncated it (and may"
                    + " have extended it again since), and " + faulted + ".";
            if (!others.isEmpty()) {
                message += " Also truncated: " + String.join("; ", others) + ".";
            }
        } else if (others.size() == 1) {
            message = "Topic file " + others.getFirst() + ": another process truncated it, and " + faulted + ".";
        } else if (!others.isEmpty()) {
            message = "Topic files " + String.join("; ", others) + ": another process truncated them, and a memory"
                + " access to a lost page faulted.";
        } else {
            message = "A memory access faulted (InternalError: " + fault.getMessage() + "), but no topic file of"
                + " this process is shorter than its mapping: one was truncated and extended again, or the fault is"
                + " in another mapped file (not ringbus's).";
        }
        return new CorruptRingException(message + " " + WHAT_TO_DO, fault);
    }
}
