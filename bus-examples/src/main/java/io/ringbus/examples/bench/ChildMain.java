package io.ringbus.examples.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Entry point of every benchmark child JVM:
 * {@code ChildMain <role> <timeoutMillis> <role arguments...>}.
 *
 * <p>Protocol, one line each way: the child sets its role up and prints {@code READY}; then for each
 * line on stdin ({@code RUN ...}) it runs the role's command, which prints lines such as
 * {@code ARMED}, {@code DONE} or {@code RESULT key=value ...}. {@code EXIT} or the end of stdin
 * closes the role and ends the JVM. A failure prints {@code ERROR <message>} (the stack trace goes
 * to stderr) and exits with status 1. Nothing else is written to stdout.
 *
 * <p>For the benchmark's own tests, {@code -Dringbus.bench.failRole=ROLE:N[,ROLE:N...]} (through
 * {@code --child-jvm-option}) makes role {@code ROLE} fail on its {@code N}th command, as a peer that
 * breaks in the middle of a run.
 */
public final class ChildMain {
    static final String FAIL_ROLE_PROPERTY = "ringbus.bench.failRole";
    private static final PrintStream OUT = System.out;

    private ChildMain() {
    }

    /** Runs one role until the parent says EXIT or goes away. */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ChildMain <role> <timeoutMillis> [role arguments...]");
            System.exit(2);
        }
        SpinGuard guard = new SpinGuard(Long.parseLong(args[1]));
        String[] roleArgs = Arrays.copyOfRange(args, 2, args.length);
        long failAt = injectedFailure(args[0]);
        try (ChildRole role = create(args[0], roleArgs, guard)) {
            reply("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            long commands = 0;
            while ((line = in.readLine()) != null && !line.equals("EXIT")) {
                if (++commands == failAt) {
                    throw new IllegalStateException("failure injected on command " + commands + " by -D"
                        + FAIL_ROLE_PROPERTY);
                }
                guard.arm();
                role.execute(line.trim().split(" +"));
            }
        } catch (Throwable t) {
            t.printStackTrace();
            reply("ERROR " + args[0] + ": " + String.valueOf(t).replace('\n', ' '));
            System.exit(1);
        }
        System.exit(0);
    }

    /** The command on which {@code role} is to fail ({@link #FAIL_ROLE_PROPERTY}), or 0 for never. */
    private static long injectedFailure(String role) {
        for (String spec : System.getProperty(FAIL_ROLE_PROPERTY, "").split(",")) {
            int colon = spec.lastIndexOf(':');
            if (colon > 0 && spec.substring(0, colon).equals(role)) {
                return Long.parseLong(spec.substring(colon + 1));
            }
        }
        return 0;
    }

    private static ChildRole create(String role, String[] args, SpinGuard guard) throws Exception {
        return switch (role) {
            case FloorCheck.PING_ROLE -> new FloorCheck.Ping(args, guard);
            case FloorCheck.PONG_ROLE -> new FloorCheck.Pong(args, guard);
            case RingbusPingPong.PING_ROLE -> new RingbusPingPong.Ping(args, guard);
            case RingbusPingPong.PONG_ROLE -> new RingbusPingPong.Pong(args, guard);
            case AgronaPingPong.PING_ROLE -> new AgronaPingPong.Ping(args, guard);
            case AgronaPingPong.PONG_ROLE -> new AgronaPingPong.Pong(args, guard);
            case ChronicleQueuePeer.PING_ROLE -> new ChronicleQueuePeer.Ping(args, guard);
            case ChronicleQueuePeer.PONG_ROLE -> new ChronicleQueuePeer.Pong(args, guard);
            case ChronicleQueuePeer.PUBLISHER_ROLE -> new ChronicleQueuePeer.Publisher(args, guard);
            case ChronicleQueuePeer.SUBSCRIBER_ROLE -> new ChronicleQueuePeer.Subscriber(args, guard);
            case RingbusThroughput.PUBLISHER_ROLE -> new RingbusThroughput.Publisher(args, guard);
            case RingbusThroughput.SUBSCRIBER_ROLE -> new RingbusThroughput.Subscriber(args, guard);
            case AgronaThroughput.PUBLISHER_ROLE -> new AgronaThroughput.Publisher(args, guard);
            case AgronaThroughput.SUBSCRIBER_ROLE -> new AgronaThroughput.Subscriber(args, guard);
            case TopicEndpoints.PING_ROLE -> new TopicEndpoints.Ping(args, guard);
            case TopicEndpoints.PUBLISHER_ROLE -> TopicEndpoints.Producer.client(args, guard);
            case TopicEndpoints.SUBSCRIBER_ROLE -> TopicEndpoints.Consumer.client(args, guard);
            case ShmPeer.ROLE -> ShmPeer.standalone(args, guard);
            case BridgeHost.ROLE -> new BridgeHost(args, guard);
            case RawPingPong.PING_ROLE -> new RawPingPong.Ping(args, guard);
            case RawPingPong.PONG_ROLE -> new RawPingPong.Pong(args, guard);
            case RawThroughput.WRITER_ROLE -> new RawThroughput.Writer(args, guard);
            case RawThroughput.READER_ROLE -> new RawThroughput.Reader(args, guard);
            case BusWakeupRoles.PING_ROLE -> new BusWakeupRoles.Ping(args);
            case BusWakeupRoles.PONG_ROLE -> new BusWakeupRoles.Pong(args);
            default -> throw new IllegalArgumentException("unknown role '" + role + "'");
        };
    }

    /** Sends one line to the parent. */
    static void reply(String line) {
        OUT.println(line);
        OUT.flush();
    }

    /** The argument at {@code index} of a command, as a long, with a clear error when it is missing. */
    static long longArg(String[] command, int index) {
        if (index >= command.length) {
            throw new IllegalArgumentException("command '" + String.join(" ", command) + "' lacks argument " + index);
        }
        return Long.parseLong(command[index]);
    }
}
