package io.ringbus.transport.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a running gateway tells {@code bus stat}: a small text file in the bus directory,
 * {@code .aeron-<name>.status}, written again every second (to a temporary file, then renamed over it, so a
 * reader never sees half of one) and deleted when the gateway stops. Plain text, so that reading it needs no
 * Aeron (and no JVM flag): a first line {@code ringbus-gateway-status 1}, a {@code gateway} line, then one
 * {@code route} line per route, each a tab-separated list of {@code key=value}:
 *
 * <pre>
 *   ringbus-gateway-status 1
 *   gateway  name=gateway  pid=4242  started=1765000000000  updated=1765000012345  driver=/dev/shm/.../.aeron-gateway
 *   route  direction=export  topic=quotes  channel=aeron:udp?endpoint=10.0.0.2:40456  stream=349752
 *          connected=true  remote=-  messages=..  bytes=..  bytesPerSecond=..  losses=..  lostBytes=..  repeats=..
 *          naks=..  retransmits=..  gapFills=..
 * </pre>
 *
 * <p>{@code naks} are the NAKs this route's stream received (export) or sent (import), from the media driver's
 * per-stream counters; {@code retransmits} (export) and {@code gapFills} (import: losses the driver gave up on)
 * are the driver's totals, one driver per gateway. A gateway killed with {@code kill -9} leaves its file: the
 * reader tells it from a live one by its pid and that process's start time.
 */
public final class GatewayStatus {
    /** The first line of every status file. */
    public static final String HEADER = "ringbus-gateway-status 1";
    private static final String PREFIX = ".aeron-";
    private static final String SUFFIX = ".status";

    private GatewayStatus() {
    }

    /** One route's figures. */
    public record RouteStatus(String direction, String topic, String channel, int streamId, boolean connected,
        String remote, long messages, long bytes, double bytesPerSecond, long losses, long lostBytes, long repeats,
        long naks, long retransmits, long gapFills) {
    }

    /** One gateway's file: who wrote it, when, and its routes. */
    public record Snapshot(String name, long pid, long startedMillis, long updatedMillis, String driver,
        List<RouteStatus> routes) {
        /** Whether the process that wrote it still runs (same pid, same start time). */
        public boolean alive() {
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            return process.isPresent() && process.get().isAlive() && process.get().info().startInstant()
                .map(start -> Math.abs(start.toEpochMilli() - startedMillis) < 2_000).orElse(true);
        }
    }

    /** The status file of the gateway called {@code name} on the bus in {@code busDirectory}. */
    public static Path fileOf(Path busDirectory, String name) {
        return busDirectory.resolve(PREFIX + name + SUFFIX);
    }

    /** Writes the file of a gateway (private, replaced whole). */
    public static void write(Path file, Snapshot snapshot) throws IOException {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        text.append("gateway\tname=").append(snapshot.name()).append("\tpid=").append(snapshot.pid())
            .append("\tstarted=").append(snapshot.startedMillis()).append("\tupdated=").append(snapshot.updatedMillis())
            .append("\tdriver=").append(clean(snapshot.driver())).append('\n');
        for (RouteStatus route : snapshot.routes()) {
            text.append("route\tdirection=").append(route.direction()).append("\ttopic=").append(route.topic())
                .append("\tchannel=").append(clean(route.channel())).append("\tstream=").append(route.streamId())
                .append("\tconnected=").append(route.connected()).append("\tremote=").append(clean(route.remote()))
                .append("\tmessages=").append(route.messages()).append("\tbytes=").append(route.bytes())
                .append("\tbytesPerSecond=").append(Math.round(route.bytesPerSecond()))
                .append("\tlosses=").append(route.losses()).append("\tlostBytes=").append(route.lostBytes())
                .append("\trepeats=").append(route.repeats()).append("\tnaks=").append(route.naks())
                .append("\tretransmits=").append(route.retransmits()).append("\tgapFills=").append(route.gapFills())
                .append('\n');
        }
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Every gateway status file of the bus in {@code busDirectory}, by name; unreadable ones are left out. */
    public static List<Snapshot> readAll(Path busDirectory) {
        List<Snapshot> snapshots = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(busDirectory, PREFIX + "*" + SUFFIX)) {
            for (Path file : files) {
                read(file).ifPresent(snapshots::add);
            }
        } catch (IOException e) {
            return snapshots;
        }
        snapshots.sort((a, b) -> a.name().compareTo(b.name()));
        return snapshots;
    }

    /** One status file, or empty when it is gone or not one. */
    public static Optional<Snapshot> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty(); // removed as the gateway stopped
        }
        if (lines.size() < 2 || !lines.getFirst().equals(HEADER)) {
            return Optional.empty();
        }
        try {
            Map<String, String> gateway = fields(lines.get(1), "gateway");
            List<RouteStatus> routes = new ArrayList<>();
            for (String line : lines.subList(2, lines.size())) {
                Map<String, String> f = fields(line, "route");
                routes.add(new RouteStatus(f.get("direction"), f.get("topic"), f.get("channel"),
                    Integer.parseInt(f.get("stream")), Boolean.parseBoolean(f.get("connected")), f.get("remote"),
                    number(f, "messages"), number(f, "bytes"), number(f, "bytesPerSecond"), number(f, "losses"),
                    number(f, "lostBytes"), number(f, "repeats"), number(f, "naks"), number(f, "retransmits"),
                    number(f, "gapFills")));
            }
            return Optional.of(new Snapshot(gateway.get("name"), number(gateway, "pid"), number(gateway, "started"),
                number(gateway, "updated"), gateway.get("driver"), routes));
        } catch (RuntimeException e) {
            return Optional.empty(); // another program's file of that name
        }
    }

    private static Map<String, String> fields(String line, String kind) {
        String[] parts = line.split("\t");
        if (!parts[0].equals(kind)) {
            throw new IllegalArgumentException("not a " + kind + " line");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int equals = parts[i].indexOf('=');
            fields.put(parts[i].substring(0, equals), parts[i].substring(equals + 1));
        }
        return fields;
    }

    private static long number(Map<String, String> fields, String key) {
        return Long.parseLong(fields.get(key));
    }

    private static String clean(String value) {
        return value == null ? "-" : value.replace('\t', ' ').replace('\n', ' ');
    }
}
