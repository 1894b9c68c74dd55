package io.ringbus.core.process;

import io.ringbus.core.Bus;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.topic.SubscriberProbes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A subscriber process on {@code --topic} in bus directory {@code --dir}: prints {@code READY pid},
 * then one line per message received ({@code M id seq}, or {@code BAD ...} for a message that fails
 * {@link Messages#verify}), flushed after every batch, and {@code IDLE n} (n messages so far) each
 * time it has caught up and an await times out.
 *
 * <p>Options: {@code --durable NAME}, {@code --start EARLIEST|LATEST}, {@code --wakeup
 * BLOCKING|SIGNAL|SPIN}, {@code --busy-spin true} (SPIN with Agrona's busy-spin idle strategy rather
 * than the default backoff), {@code --await-ms} (await timeout, default 100), {@code --capacity};
 * {@code --expect N}: after N messages, keep receiving for {@code --linger-ms} (default 300) to
 * catch extras, print {@code DONE received=R bad=B} and exit; {@code --hold true}: join but do
 * not poll until the command {@code poll}; {@code --commit each}: explicit commits, one after each
 * batch is printed and flushed; {@code --commit command}: explicit commits, only on the command
 * {@code commit} (then {@code COMMITTED n}). Command {@code close} on standard input closes the
 * subscriber and the bus (without committing), prints {@code CLOSED} and exits 0.
 */
final class SubscriberMain {
    private final CountDownLatch pollAllowed = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile boolean commitRequested;
    private int received;
    private int bad;

    private SubscriberMain() {
    }

    public static void main(String[] args) {
        ChildSupport.run(args, new SubscriberMain()::run);
    }

    private void run(ChildSupport args) throws Exception {
        SubscriberConfig config = new SubscriberConfig()
            .start(StartPosition.valueOf(args.get("start", "LATEST")))
            .wakeup(WakeupMode.valueOf(args.get("wakeup", "BLOCKING")));
        if (args.has("durable")) {
            config.durableName(args.get("durable"));
        }
        String commit = args.get("commit", "auto");
        config.explicitCommit(!commit.equals("auto"));
        if (args.has("busy-spin")) {
            config.idleStrategy(org.agrona.concurrent.BusySpinIdleStrategy::new);
        }
        long awaitNanos = args.getLong("await-ms", 100) * 1_000_000L;
        int expect = args.getInt("expect", -1);
        long lingerNanos = args.getLong("linger-ms", 300) * 1_000_000L;
        if (!Boolean.parseBoolean(args.get("hold", "false"))) {
            pollAllowed.countDown();
        }
        try (Bus bus = Bus.open(args.busContext())) {
            Subscriber subscriber = bus.newSubscriber(args.get("topic"), args.topicConfig(), config);
            ChildSupport.event("READY " + ProcessHandle.current().pid() + " position=" + subscriber.position());
            Thread.ofPlatform().daemon().name("commands").start(this::readCommands);
            while (!closing && !pollAllowed.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                // Holding: joined, never polling, until told.
            }
            int idleAt = 0;
            long doneAt = Long.MAX_VALUE;
            while (!closing) {
                int delivered = subscriber.await(this::onMessage, 256, awaitNanos);
                ChildSupport.flush();
                if (commit.equals("each") || commitRequested) {
                    subscriber.commit(); // after the lines are out
                    if (commitRequested) {
                        commitRequested = false;
                        ChildSupport.event("COMMITTED " + received);
                    }
                }
                if (delivered == 0 && received > idleAt) {
                    idleAt = received;
                    ChildSupport.event("IDLE " + received);
                }
                if (expect >= 0 && received >= expect && doneAt == Long.MAX_VALUE) {
                    doneAt = System.nanoTime();
                }
                if (System.nanoTime() - doneAt >= lingerNanos) {
                    ChildSupport.event("DONE received=" + received + " bad=" + bad);
                    break;
                }
            }
            ChildSupport.event("STATS slicesSlept=" + SubscriberProbes.slicesSlept(subscriber)
                + " timeoutWakeups=" + SubscriberProbes.timeoutWakeups(subscriber)
                + " lateWakeups=" + SubscriberProbes.lateWakeups(subscriber));
            subscriber.close();
        }
        if (closing) {
            ChildSupport.event("CLOSED");
        }
    }

    private void onMessage(int type, java.lang.foreign.MemorySegment buffer, long offset, int length) {
        String line = Messages.verify(buffer, offset, length);
        if (line.startsWith("BAD")) {
            bad++;
        }
        received++;
        ChildSupport.line(line);
    }

    private void readCommands() {
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            String command;
            while ((command = commands.readLine()) != null) {
                switch (command.trim()) {
                    case "poll" -> pollAllowed.countDown();
                    case "close" -> closing = true;
                    case "commit" -> commitRequested = true;
                    default -> ChildSupport.event("UNKNOWN " + command);
                }
            }
        } catch (IOException ignored) {
            // The test went away; the test's cleanup kills this process.
        }
    }
}
