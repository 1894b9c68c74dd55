package io.ringbus.examples.cli;

import io.ringbus.core.RingBusException;
import io.ringbus.core.os.IoErrors;
import io.ringbus.core.os.MappedFile;
import io.ringbus.core.os.Processes;
import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.topic.SlotSweeper;
import io.ringbus.core.topic.SubscriberSlotDescriptor;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.TopicFile;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.transport.stream.MqAcceptor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bus clean}: removes what dead processes left in a bus directory, never anything a live
 * process uses.
 *
 * <ul>
 *   <li>A topic file is removed when no slot lock of it is held (no live publisher or subscriber).
 *       Before unlinking it, clean takes every slot lock itself, so a process that opens the topic
 *       meanwhile cannot join the file being removed.</li>
 *   <li>A topic with a dead <em>durable</em> subscriber is kept (the position is that subscriber's
 *       to resume from) unless {@code --durable} is given.</li>
 *   <li>In a live topic, the slots of dead non-durable subscribers are freed (with {@code --durable},
 *       dead durable ones too), so that they stop holding publishers back.</li>
 *   <li>A {@code .creating-<topic>.<pid>.<hex>} file is removed when its pid is gone and it is older
 *       than {@link #TEMPORARY_MIN_AGE_MILLIS} (a creator in another pid namespace has that long).</li>
 * </ul>
 */
@Command(name = "clean",
    mixinStandardHelpOptions = true,
    description = {"Removes what dead processes left behind: topic files no live process holds, temporary"
            + " .creating-* files of dead processes, and the slots of dead subscribers in live topics (which would"
            + " otherwise hold publishers back). Never removes a topic a live process holds. Prints what it does.",
        "Topics whose dead subscribers are durable are kept (their position is kept for their successor), unless"
            + " --durable."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":done (also when there was nothing to remove)",
        "1:the bus directory does not exist, a file could not be removed, or another failure the one-line message"
            + " explains",
        ExitCodes.USAGE,
        ExitCodes.SIGNALS},
    footer = {"", "Examples:",
        "  ./bus clean --dry-run      # what would be removed",
        "  ./bus clean",
        "  ./bus clean --dir /tmp/mybus --durable"})
public final class CleanCommand implements Callable<Integer> {
    /** A temporary file younger than this is left alone even if its pid is not found. */
    static final long TEMPORARY_MIN_AGE_MILLIS = 10_000;

    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Option(names = {"-n", "--dry-run"}, description = "Only print what would be removed.")
    boolean dryRun;

    @Option(names = "--durable", description = "Also remove dead durable subscribers (and their positions).")
    boolean durable;

    private PrintWriter out;
    private int lines;

    @Override
    public Integer call() {
        BusDirectory directory = new BusDirectory(bus.context().directory()).checkExists();
        out = spec.commandLine().getOut();
        for (Path file : directory.topicFiles()) {
            cleanTopic(file);
        }
        for (Path file : directory.temporaryFiles()) {
            cleanTemporary(file);
        }
        cleanMessageQueues();
        if (lines == 0) {
            out.println("nothing to clean in " + directory.path());
        }
        out.flush();
        return 0;
    }

    /**
     * The request queues of mq bridges that died (their lock files in {@link MqAcceptor#registry()} are
     * free), and, where {@code /dev/mqueue} lists them, the queue pairs of clients that died mid-connect.
     * Queues belong to the user, not to a bus directory: this runs whatever the directory.
     */
    private void cleanMessageQueues() {
        List<String> deadBridges = MqAcceptor.removeDeadBridges(dryRun);
        for (String name : deadBridges) {
            report((dryRun ? "remove" : "removed") + " message queue " + name + " (its bridge is gone)");
        }
        boolean listed = MqAcceptor.sweepDeadClients(null, dryRun, this::note);
        if (!listed && (!deadBridges.isEmpty() || !MqAcceptor.liveBridges().isEmpty())) {
            // Not counted as something cleaned: it is what clean could not look at.
            out.println("note: queues of mq: clients that died mid-connect (NAME.c-PID-HEX.up/.down) cannot be listed"
                + " here: /dev/mqueue is not mounted (as root: mkdir -p /dev/mqueue && mount -t mqueue none"
                + " /dev/mqueue). Bridges remove them from names they know; the rest stay until reboot.");
        }
    }

    private void report(String what) {
        note((dryRun ? "would " : "") + what);
    }

    private void note(String line) {
        lines++;
        out.println(line);
    }

    private void cleanTopic(Path file) {
        String name = BusDirectory.topicName(file);
        TopicFile topic;
        try {
            topic = BusDirectory.open(file);
        } catch (RingBusException | IllegalArgumentException e) {
            note("skipped topic " + name + ": " + e.getMessage());
            return;
        }
        if (topic == null) {
            return;
        }
        try (topic) {
            TopicSnapshot snapshot = TopicSnapshot.of(topic);
            List<TopicSnapshot.SubscriberSlot> deadDurable = snapshot.deadSubscribers().stream()
                .filter(TopicSnapshot.SubscriberSlot::durable).toList();
            if (snapshot.anyLockHeld()) {
                freeDeadSubscribers(topic, snapshot);
            } else if (!deadDurable.isEmpty() && !durable) {
                note("kept topic " + name + ": no live process, but durable subscriber"
                    + (deadDurable.size() > 1 ? "s " : " ") + names(deadDurable)
                    + " will resume from it (--durable removes it)");
            } else {
                removeDeadTopic(topic, file, snapshot);
            }
        }
    }

    /** Removes the file of a topic no live process holds, holding every slot lock while it unlinks. */
    private void removeDeadTopic(TopicFile topic, Path file, TopicSnapshot snapshot) {
        String what = "remove topic " + snapshot.name() + " (" + file + "; " + owners(snapshot) + ")";
        if (dryRun) {
            report(what);
            return;
        }
        List<Long> taken = new ArrayList<>();
        try {
            if (!lockEverySlot(topic, taken)) {
                note("kept topic " + snapshot.name() + ": a process joined it while clean looked at it");
                return;
            }
            Files.deleteIfExists(file);
            report(what.replaceFirst("^remove", "removed"));
        } catch (IOException e) {
            throw new RingBusException("cannot remove " + file + ": " + IoErrors.reason(e) + ". "
                + IoErrors.advice(e, file), e);
        } finally {
            MappedFile mapped = topic.file();
            taken.forEach(mapped::unlockByte);
        }
    }

    private static boolean lockEverySlot(TopicFile topic, List<Long> taken) {
        List<Long> bytes = new ArrayList<>();
        bytes.add(TopicDescriptor.SWEEP_LOCK_BYTE);
        for (int i = 0; i < topic.publisherSlots(); i++) {
            bytes.add(TopicDescriptor.publisherLockByte(i));
        }
        for (int i = 0; i < topic.ring().maxCursors(); i++) {
            bytes.add(TopicDescriptor.subscriberLockByte(i));
        }
        for (long lockByte : bytes) {
            if (!topic.file().tryLockByte(lockByte)) {
                return false;
            }
            taken.add(lockByte);
        }
        return true;
    }

    /** In a live topic: frees the slots of dead subscribers, durable ones only with --durable. */
    private void freeDeadSubscribers(TopicFile topic, TopicSnapshot before) {
        List<TopicSnapshot.SubscriberSlot> dead = before.deadSubscribers().stream()
            .filter(s -> !s.joining() && (durable || !s.durable())).toList();
        if (dryRun) {
            for (TopicSnapshot.SubscriberSlot slot : dead) {
                report("free " + describe(before.name(), slot));
            }
            return;
        }
        if (before.deadSubscribers().isEmpty()) {
            return;
        }
        // Also clears the parked flag a dead subscriber (durable ones too) left set, which would
        // otherwise make every publisher look for someone to wake after each message.
        SlotSweeper.sweep(topic, false);
        if (durable) {
            dead.stream().filter(TopicSnapshot.SubscriberSlot::durable).forEach(slot -> freeDurable(topic, slot));
        }
        TopicSnapshot after = TopicSnapshot.of(topic);
        for (TopicSnapshot.SubscriberSlot slot : dead) {
            boolean stillThere = after.subscribers().stream()
                .anyMatch(s -> s.slot() == slot.slot() && s.pid() == slot.pid() && !s.alive());
            if (!stillThere) {
                report("freed " + describe(before.name(), slot));
            }
        }
    }

    /**
     * Frees a dead durable subscriber's slot. Under the topic's sweep lock (which a durable subscriber
     * takes to find its slot) and the slot's own lock (so that no successor resumes it meanwhile).
     */
    private static void freeDurable(TopicFile topic, TopicSnapshot.SubscriberSlot slot) {
        MappedFile file = topic.file();
        long slotLock = TopicDescriptor.subscriberLockByte(slot.slot());
        if (!file.tryLockByte(TopicDescriptor.SWEEP_LOCK_BYTE)) {
            return;
        }
        try {
            if (!file.tryLockByte(slotLock)) {
                return;
            }
            try {
                long state = RingDescriptor.cursorOffset(slot.slot()) + CursorDescriptor.STATE_OFFSET;
                var segment = topic.ring().segment();
                long parked = RingDescriptor.cursorOffset(slot.slot()) + SubscriberSlotDescriptor.PARKED_OFFSET;
                if (Memory.casInt(segment, parked, 1, 0)) {
                    Memory.getAndAddInt(topic.segment(), TopicDescriptor.PARKED_COUNT_OFFSET, -1);
                }
                if (!Memory.casInt(segment, state, CursorDescriptor.ACTIVE, CursorDescriptor.FREE)) {
                    Memory.casInt(segment, state, SubscriberSlotDescriptor.EVICTED, CursorDescriptor.FREE);
                }
            } finally {
                file.unlockByte(slotLock);
            }
        } finally {
            file.unlockByte(TopicDescriptor.SWEEP_LOCK_BYTE);
        }
    }

    private void cleanTemporary(Path file) {
        String name = file.getFileName().toString().substring(TopicFile.TEMPORARY_PREFIX.length());
        // <topic>.<pid>.<hex>; the topic name may itself hold dots.
        int hexDot = name.lastIndexOf('.');
        int pidDot = hexDot > 0 ? name.lastIndexOf('.', hexDot - 1) : -1;
        long pid;
        try {
            pid = pidDot > 0 ? Long.parseLong(name.substring(pidDot + 1, hexDot)) : -1;
        } catch (NumberFormatException e) {
            pid = -1;
        }
        if (pid <= 0) {
            note("skipped " + file + ": not named .creating-<topic>.<pid>.<hex>");
            return;
        }
        if (Processes.exists(pid)) {
            return; // its creator is still at work
        }
        try {
            long age = System.currentTimeMillis()
                - Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis();
            if (age < TEMPORARY_MIN_AGE_MILLIS) {
                return;
            }
            String what = "remove " + file + " (temporary file of dead pid " + pid + ")";
            if (!dryRun) {
                Files.delete(file);
                what = what.replaceFirst("^remove", "removed");
            }
            report(what);
        } catch (NoSuchFileException ignored) {
            // Removed meanwhile.
        } catch (IOException e) {
            throw new RingBusException("cannot remove " + file + ": " + IoErrors.reason(e) + ". "
                + IoErrors.advice(e, file), e);
        }
    }

    private static String describe(String topic, TopicSnapshot.SubscriberSlot slot) {
        return "subscriber slot " + slot.slot() + " of topic " + topic + " (dead pid " + slot.pid()
            + (slot.durable() ? ", durable '" + slot.durableName() + "'" : "") + ", lag " + slot.lag() + ")";
    }

    private static String names(List<TopicSnapshot.SubscriberSlot> slots) {
        return slots.stream().map(s -> "'" + s.durableName() + "'").collect(Collectors.joining(", "));
    }

    private static String owners(TopicSnapshot snapshot) {
        long publishers = snapshot.publishers().size();
        long subscribers = snapshot.subscribers().size();
        if (publishers + subscribers == 0) {
            return "no process holds it";
        }
        return "only dead processes held it: " + publishers + " publisher" + (publishers == 1 ? "" : "s") + ", "
            + subscribers + " subscriber" + (subscribers == 1 ? "" : "s");
    }
}
