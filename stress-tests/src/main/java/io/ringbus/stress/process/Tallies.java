package io.ringbus.stress.process;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** What the faults did, counted as they happen (thread-safe). */
final class Tallies {
    private final Map<FaultKind, Long> injected = new EnumMap<>(FaultKind.class);
    private final Map<FaultKind, Long> notReached = new EnumMap<>(FaultKind.class);
    private final Map<FaultKind, String> skipped = new EnumMap<>(FaultKind.class);
    private final List<Double> unblockMillis = new ArrayList<>();
    private final List<Double> busyUnblockMillis = new ArrayList<>();
    private final List<Double> subscriberUnblockMillis = new ArrayList<>();
    private long durableKills;
    private final List<String> slowUnblocks = new ArrayList<>();
    private final HostileFigures hostile = new HostileFigures();
    private final FullFsFigures fullFs = new FullFsFigures();
    private final Map<String, Long> joins = new LinkedHashMap<>();
    private final Map<String, Long> busy = new LinkedHashMap<>();
    private final Map<String, Long> cli = new LinkedHashMap<>();
    private long hung;

    /** What the hostile faults did to the victim topic's processes. */
    static final class HostileFigures {
        long episodes;
        long typedErrors;
        long carriedOn;
        long crcRejected;
        long untypedErrors;
        long hangs;
        long crashes;
    }

    /** What the full file system episodes found. */
    static final class FullFsFigures {
        long episodes;
        long typedErrors;
        long existingCommitted;
        long existingLost;
        long existingBad;
    }

    /** A process found hung (no progress for the hang limit while it should have made some). */
    synchronized void hung() {
        hung++;
    }

    synchronized long hungCount() {
        return hung;
    }

    /** Adds {@code count} to the {@code sub-join} figure {@code what}. */
    synchronized void join(String what, long count) {
        joins.merge(what, count, Long::sum);
    }

    /** Adds {@code count} to the {@code cpu-busy} figure {@code what}. */
    synchronized void busy(String what, long count) {
        busy.merge(what, count, Long::sum);
    }

    /** Adds {@code count} to the CLI figure {@code what}. */
    synchronized void cli(String what, long count) {
        cli.merge(what, count, Long::sum);
    }

    synchronized Map<String, Long> joins() {
        return new LinkedHashMap<>(joins);
    }

    synchronized Map<String, Long> busy() {
        return new LinkedHashMap<>(busy);
    }

    synchronized Map<String, Long> cli() {
        return new LinkedHashMap<>(cli);
    }

    synchronized void injected(FaultKind kind) {
        injected.merge(kind, 1L, Long::sum);
    }

    synchronized void notReached(FaultKind kind) {
        notReached.merge(kind, 1L, Long::sum);
    }

    synchronized void skipped(FaultKind kind, String reason) {
        skipped.putIfAbsent(kind, reason);
    }

    synchronized boolean isSkipped(FaultKind kind) {
        return skipped.containsKey(kind);
    }

    synchronized void unblock(double millis) {
        unblockMillis.add(millis);
    }

    /** An unblock measured while the {@code cpu-busy} process was spinning. */
    synchronized void busyUnblock(double millis) {
        busyUnblockMillis.add(millis);
    }

    synchronized List<Double> busyUnblockMillis() {
        return List.copyOf(busyUnblockMillis);
    }

    synchronized void subscriberUnblock(double millis) {
        subscriberUnblockMillis.add(millis);
    }

    synchronized void slowUnblock(String what) {
        if (slowUnblocks.size() < 20) {
            slowUnblocks.add(what);
        }
    }

    synchronized List<String> slowUnblocks() {
        return List.copyOf(slowUnblocks);
    }

    synchronized void durableKill() {
        durableKills++;
    }

    synchronized long total() {
        return injected.values().stream().mapToLong(Long::longValue).sum();
    }

    synchronized Map<FaultKind, Long> injected() {
        return new EnumMap<>(injected);
    }

    synchronized Map<FaultKind, Long> notReached() {
        return new EnumMap<>(notReached);
    }

    synchronized Map<FaultKind, String> skipped() {
        return new EnumMap<>(skipped);
    }

    synchronized List<Double> unblockMillis() {
        return List.copyOf(unblockMillis);
    }

    synchronized List<Double> subscriberUnblockMillis() {
        return List.copyOf(subscriberUnblockMillis);
    }

    synchronized long durableKills() {
        return durableKills;
    }

    /** Runs {@code update} on the hostile figures under this object's lock. */
    synchronized void hostile(Consumer<HostileFigures> update) {
        update.accept(hostile);
    }

    synchronized void fullFs(Consumer<FullFsFigures> update) {
        update.accept(fullFs);
    }
}
