package io.ringbus.stress.process;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The faults {@code bus stress} injects, each with a default rate (per minute). Faults on the main
 * topic are ones ringbus must absorb with nothing lost; the hostile ones ({@link #TRUNCATE},
 * {@link #SCRIBBLE}, {@link #CLI_TRUNCATE}) destroy data by design and run against a separate victim
 * topic. Some are not faults so much as the use the bus must stand: subscribers joining and leaving
 * ({@link #SUB_JOIN}), a busy machine ({@link #CPU_BUSY}), the {@code bus} CLI's own pub and sub
 * ({@link #CLI_SUB}).
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
    FULL_FS("full-fs", 1, "a topic created on a full tmpfs (root only), while an existing topic there is in use"),
    /** A subscriber joins the main topic (earliest, latest or durable) while publishers run flat out, then leaves. */
    SUB_JOIN("sub-join", 12, "a subscriber joins at earliest, at latest or by a durable name while the publishers"
        + " run flat out, reads for 0.2-3 s and leaves (close or kill -9; the durable one comes back 0.05-2 s later)"),
    /** Busy processes beside the bus for a while, as the other faults go on. */
    CPU_BUSY("cpu-busy", 3, "a busy process spins on 1 to N cores (N: the cores there are) for 5-20 s, while the"
        + " other faults go on"),
    /** The CLI's own pub and sub on a topic of their own, checked from their output files. */
    CLI_SUB("cli-sub", 2, "./bus pub fed flat out, ./bus sub --name killed -9 and restarted, ./bus sub --from"
        + " earliest|latest joining and leaving; every output file checked line by line"),
    /** A peer truncates a topic while the CLI's pub writes to it and its sub reads it. */
    CLI_TRUNCATE("cli-truncate", 2, "a peer truncates a topic while ./bus pub writes and ./bus sub reads: each"
        + " must end with a one-line error or carry on, never print a stack trace or hang"),
    /** kill -9 of a gateway process ({@code --via aeron} only), restarted. */
    GATEWAY_KILL("gateway-kill", 4, "--via aeron: kill -9 of the exporting or the importing gateway, restarted 0.05-1 s"
        + " later; every message lost is announced by the importer before the next one");

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

    /** Whether this fault runs the {@code bus} CLI (skipped when the run has none). */
    boolean usesCli() {
        return this == CLI_SUB || this == CLI_TRUNCATE;
    }

    /** Whether this fault needs the gateways of {@code --via aeron} (skipped on every other path). */
    boolean usesGateways() {
        return this == GATEWAY_KILL;
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
