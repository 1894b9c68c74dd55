package io.ringbus.stress.process;

import io.ringbus.stress.common.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of a stress run, and the verdict: the run fails when any of lost, duplicated, out of
 * order, torn, hung, stack traces, JVM crashes or leftover files is above zero (the CLI's lines
 * included), when a publisher's death took more than {@link #UNBLOCK_LIMIT_MILLIS} to unblock the
 * others, or when an error was found (a child that failed by itself, a hostile fault answered by
 * anything but a typed error or carrying on, a full file system that lost data or was not reported as
 * such, more durable repeats than durable kills).
 *
 * @param setup one line saying what ran
 * @param seconds how long the publishers published
 * @param sent sequence numbers publishers began (a killed publisher's message in hand included)
 * @param committed messages committed
 * @param received per subscriber role, the messages it accepted (all its incarnations)
 * @param lost committed messages a live tethered or durable subscriber never received
 * @param duplicated messages received again
 * @param outOfOrder messages received after a later one of the same publisher
 * @param torn messages that failed their CRC32C or length check
 * @param windowRepeats durable subscribers' repeats of the last message before a kill (documented)
 * @param durableKills kills of durable subscribers
 * @param inFlightAtKill stream paths: messages a killed publisher's {@code offer} had accepted that never
 *     reached the ring (the end of its sequence, in its buffers and stream; never committed, so not lost)
 * @param durableInFlightGap stream paths: messages a durable subscriber killed -9 never got because the
 *     bridge had written them into its stream already (documented), at most the forwarding window per kill
 *     in messages of the smallest size; beyond that they count as lost
 * @param forwardingWindowBytes stream paths: the forwarding window that bounds {@code durableInFlightGap}
 * @param bridge stream paths: the harness's bridge: sessions, sessions ended by typed errors, refused
 *     hellos, untyped errors (each also an error), other log lines
 * @param faults faults injected, by kind
 * @param notReached crash points armed but not reached before they were disarmed, by kind
 * @param skipped faults that could not run, with the reason
 * @param unblock milliseconds from a publisher's death until the others moved again, on shared memory
 *     their sequences, on a stream path the ring ({@link Unblock} says what moved means on each path;
 *     while no {@code cpu-busy} process ran: these are held to {@link #UNBLOCK_LIMIT_MILLIS})
 * @param subscriberUnblock milliseconds from a non-durable subscriber's death until publishers moved
 *     again (and on a stream path the ring's other readers passed its tail at the death)
 * @param longestStallMillis the longest time no subscriber received anything while publishers ran
 * @param hostile the hostile faults' outcomes: episodes, typed errors, carried on, rejected by CRC,
 *     untyped errors, hangs, crashes
 * @param fullFs the full file system episodes: episodes, typed errors, messages committed on the
 *     existing topic, lost, torn or repeated
 * @param jvmCrashes hs_err files found
 * @param leftoverFiles files left in the bus directory after the harness removed its topics
 * @param errors the errors found (see above), at most 50 of them
 * @param anomalies what subscribers reported going wrong (a torn message, a gap...), each beside the
 *     faults just before it: the details behind the figures, at most 40
 * @param hung processes found making no progress for the hang limit while they should have (each also
 *     an error, with the details)
 * @param stackTraces child processes that printed a Java stack trace on standard error (each also an
 *     error, with the first lines of the trace)
 * @param joins the {@code sub-join} fault's figures: joins at earliest and at latest, the durable
 *     joiner's first join and returns, leaves by close and by kill -9
 * @param busy the {@code cpu-busy} fault's figures: busy processes, their milliseconds, their thread-milliseconds
 * @param cli the CLI faults' figures: lines published by {@code bus pub}, lines checked in the output
 *     files of {@code bus sub}, lost, duplicated, out of order, half lines, bad lines, lines redelivered
 *     after a kill -9 (reported apart), kills of the durable {@code bus sub --name}, joiners; and the
 *     truncations' outcomes
 * @param seed the seed of the run's random choices (printed, so that a failing run's choices can be replayed)
 * @param busyUnblock the same as {@code unblock}, measured while a {@code cpu-busy} process spun (not held
 *     to the limit: a starved machine's scheduler is measured as much as the bus)
 * @param announcedLost {@code --via aeron}: messages the subscribers of bus B never got, each right after one
 *     of the importer's in-band loss notices (the untethered gateway path may lose, and must say so: not lost)
 * @param unsureGaps {@code --via aeron}: messages missing with no notice, at most one per importer killed
 *     between its commit and its position file's update (its UNSURE line says so; not lost)
 * @param gateway {@code --via aeron}: the gateways: kills (exporter, importer), loss notices the importers sent
 *     and the source ring bytes they named, UNSURE messages
 * @param evictable {@code --evictable}: how many subscribers were, the loss reports their listeners got, and the
 *     messages they missed, each right after such a report (announced: not lost); empty without them
 */
public record StressFigures(String setup, double seconds, long sent, long committed, Map<String, Long> received,
    long lost, long duplicated, long outOfOrder, long torn, long windowRepeats, long durableKills,
    long inFlightAtKill, long durableInFlightGap, long forwardingWindowBytes, Map<String, Long> bridge,
    Map<String, Long> faults, Map<String, Long> notReached, Map<String, String> skipped, Percentiles unblock,
    Percentiles subscriberUnblock, double longestStallMillis, Map<String, Long> hostile, Map<String, Long> fullFs,
    long jvmCrashes, List<String> leftoverFiles, List<String> errors, List<String> anomalies, long hung,
    long stackTraces, Map<String, Long> joins, Map<String, Long> busy, Map<String, Long> cli, long seed,
    Percentiles busyUnblock, long announcedLost, long unsureGaps, Map<String, Long> gateway,
    Map<String, Long> evictable) {

    /** The longest a publisher's death may hold the others up. */
    public static final double UNBLOCK_LIMIT_MILLIS = 1000;

    /** Why the run fails; empty when it passes. */
    public List<String> failures() {
        List<String> failures = new ArrayList<>();
        count(failures, "lost", lost);
        count(failures, "duplicated", duplicated);
        count(failures, "out of order", outOfOrder);
        count(failures, "torn", torn);
        count(failures, "CLI lines lost", cli.getOrDefault("lost", 0L));
        count(failures, "CLI lines duplicated", cli.getOrDefault("duplicated", 0L));
        count(failures, "CLI lines out of order", cli.getOrDefault("out_of_order", 0L));
        count(failures, "CLI half lines", cli.getOrDefault("half_lines", 0L));
        count(failures, "CLI bad lines", cli.getOrDefault("bad_lines", 0L));
        count(failures, "hung", hung);
        count(failures, "stack traces", stackTraces);
        count(failures, "JVM crashes", jvmCrashes);
        count(failures, "leftover files", leftoverFiles.size());
        if (unblock.max() > UNBLOCK_LIMIT_MILLIS) {
            failures.add(String.format(Locale.ROOT, "an unblock took %.0f ms (limit %.0f ms)", unblock.max(),
                UNBLOCK_LIMIT_MILLIS));
        }
        if (windowRepeats > durableKills) {
            failures.add(windowRepeats + " durable repeats for " + durableKills + " durable kills");
        }
        count(failures, "errors", errors.size());
        return failures;
    }

    private static void count(List<String> failures, String what, long value) {
        if (value > 0) {
            failures.add(what + " " + value);
        }
    }

    /** Whether nothing failed. */
    public boolean passed() {
        return failures().isEmpty();
    }

    /** The figures as one JSON object (one line). */
    public String toJson() {
        Json json = new Json().open('{');
        json.field("setup").string(setup).field("passed").bool(passed()).field("seconds").decimal(seconds, 1)
            .field("sent").number(sent).field("committed").number(committed);
        counts(json, "received", received);
        json.field("lost").number(lost).field("duplicated").number(duplicated).field("out_of_order").number(outOfOrder)
            .field("torn").number(torn).field("durable_window_repeats").number(windowRepeats)
            .field("durable_kills").number(durableKills).field("in_flight_at_kill").number(inFlightAtKill)
            .field("durable_in_flight_gap").number(durableInFlightGap)
            .field("forwarding_window_bytes").number(forwardingWindowBytes);
        counts(json, "bridge", bridge);
        if (!gateway.isEmpty()) {
            json.field("announced_lost").number(announcedLost).field("unsure_gaps").number(unsureGaps);
            counts(json, "gateway", gateway);
        }
        counts(json, "evictable", evictable);
        counts(json, "faults", faults);
        counts(json, "crash_points_not_reached", notReached);
        counts(json, "faults_skipped", skipped);
        percentiles(json, "unblock_ms", unblock);
        percentiles(json, "unblock_busy_ms", busyUnblock);
        percentiles(json, "subscriber_unblock_ms", subscriberUnblock);
        json.field("longest_stall_ms").number(longestStallMillis);
        counts(json, "hostile", hostile);
        counts(json, "full_fs", fullFs);
        counts(json, "joins", joins);
        counts(json, "cpu_busy", busy);
        counts(json, "cli", cli);
        json.field("hung").number(hung).field("stack_traces").number(stackTraces).field("seed").number(seed)
            .field("jvm_crashes").number(jvmCrashes).field("leftover_files").number(leftoverFiles.size());
        strings(json, "leftover", leftoverFiles);
        strings(json, "errors", errors);
        strings(json, "anomalies", anomalies);
        strings(json, "failures", failures());
        return json.close('}').toString();
    }

    /** A map of names to counts (or words) as an object. */
    private static void counts(Json json, String name, Map<String, ?> values) {
        json.field(name).open('{');
        for (Map.Entry<String, ?> entry : values.entrySet()) {
            json.field(entry.getKey());
            if (entry.getValue() instanceof Number number) {
                if (number instanceof Double || number instanceof Float) {
                    json.number(number.doubleValue());
                } else {
                    json.number(number.longValue());
                }
            } else {
                json.string(String.valueOf(entry.getValue()));
            }
        }
        json.close('}');
    }

    private static void percentiles(Json json, String name, Percentiles p) {
        json.field(name).open('{').field("count").number(p.count()).field("p50").decimal(p.p50(), 1)
            .field("p99").decimal(p.p99(), 1).field("max").decimal(p.max(), 1).close('}');
    }

    private static void strings(Json json, String name, List<String> values) {
        json.field(name).open('[');
        values.forEach(json::string);
        json.close(']');
    }

    /** The figures for people, a few lines. */
    public String toText() {
        StringBuilder text = new StringBuilder();
        text.append(setup).append('\n');
        text.append(String.format(Locale.ROOT, "  sent %,d  committed %,d  received", sent, committed));
        received.forEach((name, count) -> text.append(String.format(Locale.ROOT, "  %s %,d", name, count)));
        text.append('\n');
        text.append(String.format(Locale.ROOT, "  lost %d  duplicated %d  out of order %d  torn %d", lost,
            duplicated, outOfOrder, torn));
        text.append(String.format(Locale.ROOT, "  (durable repeats in the documented kill window: %d, after %d"
            + " durable kills)%n", windowRepeats, durableKills));
        if (!bridge.isEmpty()) {
            text.append(String.format(Locale.ROOT, "  stream path: in flight at a publisher's kill %d (never"
                + " published), durable in-flight gap %d (window %,d bytes per kill)%n  bridge:", inFlightAtKill,
                durableInFlightGap, forwardingWindowBytes));
            bridge.forEach((what, count) -> text.append(' ').append(what.replace('_', ' ')).append(' ').append(count));
            text.append('\n');
        }
        if (!gateway.isEmpty()) {
            text.append(String.format(Locale.ROOT, "  gateway path (untethered): announced lost %,d (each right after"
                + " a loss notice)  unsure %d (a killed importer's last message)%n  gateways:", announcedLost,
                unsureGaps));
            gateway.forEach((what, count) -> text.append(' ').append(what.replace('_', ' ')).append(' ')
                .append(count));
            text.append('\n');
        }
        if (!evictable.isEmpty()) {
            text.append(String.format(Locale.ROOT, "  evictable subscribers (%d): loss reports %,d, announced lost %,d"
                + " (each right after a loss report)%n", evictable.get("subscribers"), evictable.get("loss_reports"),
                evictable.get("announced_lost")));
        }
        text.append("  faults:");
        if (faults.isEmpty()) {
            text.append(" none");
        }
        faults.forEach((kind, count) -> text.append(' ').append(kind).append(' ').append(count));
        notReached.forEach((kind, count) -> text.append("; ").append(kind).append(" not reached ").append(count));
        skipped.forEach((kind, why) -> text.append("; ").append(kind).append(" skipped: ").append(why));
        text.append('\n');
        text.append(String.format(Locale.ROOT, "  unblock after a publisher's death: %d, p50 %.1f ms  p99 %.1f ms"
            + "  max %.1f ms;  after a subscriber's: %d, max %.1f ms;  longest stall %.1f ms%n", unblock.count(),
            unblock.p50(), unblock.p99(), unblock.max(), subscriberUnblock.count(), subscriberUnblock.max(),
            longestStallMillis));
        if (busyUnblock.count() > 0) {
            text.append(String.format(Locale.ROOT, "  unblock after a publisher's death while cpu-busy ran (not held"
                + " to the limit): %d, p50 %.1f ms  p99 %.1f ms  max %.1f ms%n", busyUnblock.count(),
                busyUnblock.p50(), busyUnblock.p99(), busyUnblock.max()));
        }
        text.append("  hostile (victim topic):");
        hostile.forEach((what, count) -> text.append(' ').append(what.replace('_', ' ')).append(' ').append(count));
        text.append("\n  full file system:");
        fullFs.forEach((what, count) -> text.append(' ').append(what.replace('_', ' ')).append(' ').append(count));
        line(text, "joins (main topic)", joins);
        line(text, "busy processes", busy);
        line(text, "CLI (bus pub, bus sub)", cli);
        text.append(String.format(Locale.ROOT, "%n  JVM crashes %d  leftover files %d  errors %d%n", jvmCrashes,
            leftoverFiles.size(), errors.size()));
        leftoverFiles.forEach(file -> text.append("  leftover: ").append(file).append('\n'));
        errors.forEach(error -> text.append("  error: ").append(error.replace("\n", "\n    ")).append('\n'));
        anomalies.forEach(anomaly -> text.append("  anomaly: ").append(anomaly).append('\n'));
        text.append(String.format(Locale.ROOT, "  in all: lost %d  duplicated %d  hung %d  stack traces %d%n",
            lost + cli.getOrDefault("lost", 0L), duplicated + cli.getOrDefault("duplicated", 0L), hung, stackTraces));
        List<String> failures = failures();
        text.append(failures.isEmpty() ? "PASSED" : "FAILED: " + String.join(", ", failures)
            + " (the same random choices again: --seed " + seed + ")").append('\n');
        return text.toString();
    }

    private static void line(StringBuilder text, String title, Map<String, Long> figures) {
        if (figures.isEmpty()) {
            return;
        }
        text.append("\n  ").append(title).append(':');
        figures.forEach((what, count) -> text.append(' ').append(what.replace('_', ' ')).append(' ').append(count));
    }
}
