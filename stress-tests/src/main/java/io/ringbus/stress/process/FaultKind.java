package io.ringbus.stress.process;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The faults {@code bus stress} injects, each with a default rate (per minute). Faults on the main
 * topic are ones ringbus must absorb with nothing lost; the hostile ones ({@link #TRUNCATE},
 * {@link #SCRIBBLE}) destroy data by design and run against a separate victim topic.
 */
public enum FaultKind {
    /** kill -9 of a publisher process at a random time. */
    PUB_KILL("pub-kill", 6, "kill -9 of a publisher at a random time; a new publisher process replaces it"),
    /** kill -9 of a publisher stopped at crash point afterClaim. */
    CRASH_AFTER_CLAIM("crash-after-claim", 2, "kill -9 of a publisher stopped at its crash point afterClaim"),
    /** kill -9 of a publisher stopped at crash point midPayload. */
    CRASH_MID_PAYLOAD("crash-mid-payload", 2, "... at midPayload (half the payload written)"),
    /** kill -9 of a publisher stopped at crash point beforeCommit. */
    CRASH_BEFORE_COMMIT("crash-before-commit", 2, "... at beforeCommit (payload written, not committed)"),
    /** kill -9 of a publisher stopped at crash point wrapPadding. */
    CRASH_WRAP_PADDING("crash-wrap-padding", 2, "... at wrapPadding (while writing the padding at the ring's end)"),
    /** kill -9 of a subscriber process; restarted (a durable one resumes). */
    SUB_KILL("sub-kill", 6, "kill -9 of a subscriber; restarted, a durable one resumes where it was"),
    /** SIGSTOP, then SIGCONT, of a publisher. */
    PUB_STOP("pub-stop", 4, "SIGSTOP of a publisher for 50-800 ms, then SIGCONT"),
    /** SIGSTOP, then SIGCONT, of a subscriber. */
    SUB_STOP("sub-stop", 4, "SIGSTOP of a subscriber for 50-800 ms, then SIGCONT"),
    /** A peer truncates the victim topic's file under its processes. */
    TRUNCATE("truncate", 2, "a peer truncates the victim topic's file under its publisher and subscriber"),
    /** A hostile writer scribbles random lengths and bytes into the victim topic's ring. */
    SCRIBBLE("scribble", 2, "a hostile writer scribbles random lengths and bytes into the victim topic's ring"),
    /** Creating a topic on a full file system (a 1 MiB tmpfs), with a topic already there in use. */
    FULL_FS("full-fs", 1, "a topic created on a full tmpfs (root only), while an existing topic there is in use");

    private final String label;
    private final double defaultRate;
    private final String description;

    FaultKind(String label, double defaultRate, String description) {
        this.label = label;
        this.defaultRate = defaultRate;
        this.description = description;
    }

    /** The name on the command line and in the figures. */
    public String label() {
        return label;
    }

    /** Default rate, per minute. */
    public double defaultRate() {
        return defaultRate;
    }

    /** One line saying what it does. */
    public String description() {
        return description;
    }

    /** The crash point a CRASH_ kind arms, or null. */
    String crashPoint() {
        return switch (this) {
            case CRASH_AFTER_CLAIM -> "afterClaim";
            case CRASH_MID_PAYLOAD -> "midPayload";
            case CRASH_BEFORE_COMMIT -> "beforeCommit";
            case CRASH_WRAP_PADDING -> "wrapPadding";
            default -> null;
        };
    }

    /** Whether this fault kills a publisher (its unblock time counts). */
    boolean killsPublisher() {
        return this == PUB_KILL || crashPoint() != null;
    }

    /** The kind with this label. */
    public static FaultKind of(String label) {
        for (FaultKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown fault '" + label + "'; faults are " + labels());
    }

    /** Every label, comma-separated. */
    public static String labels() {
        return Arrays.stream(values()).map(FaultKind::label).collect(Collectors.joining(", "));
    }
}
