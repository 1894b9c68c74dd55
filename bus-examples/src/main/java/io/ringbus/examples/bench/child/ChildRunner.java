package io.ringbus.examples.bench.child;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What every benchmark child JVM runs: {@code <main> <role> <timeoutMillis> <role arguments...>}, where
 * {@code main} is the entry point of the benchmark the role belongs to ({@code RingRoles},
 * {@code TransportRoles}, {@code BusWakeupRoles}, {@code FloorCheck}), which hands its roles to
 * {@link #run}.
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
public final class ChildRunner {
    public static final String FAIL_ROLE_PROPERTY = "ringbus.bench.failRole";
    private static final PrintStream OUT = System.out;

    private ChildRunner() {
    }

    /** Runs the role {@code roles} makes of {@code args} until the parent says EXIT or goes away. */
    public static void run(String[] args, ChildRole.Factory roles) {
        if (args.length < 2) {
            System.err.println("usage: <role> <timeoutMillis> [role arguments...]");
            System.exit(2);
        }
        SpinGuard guard = new SpinGuard(Long.parseLong(args[1]));
        String[] roleArgs = Arrays.copyOfRange(args, 2, args.length);
        long failAt = injectedFailure(args[0]);
        try (ChildRole role = roles.create(args[0], roleArgs, guard)) {
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

    /** Sends one line to the parent. */
    public static void reply(String line) {
        OUT.println(line);
        OUT.flush();
    }

    /** The argument at {@code index} of a command, as a long, with a clear error when it is missing. */
    public static long longArg(String[] command, int index) {
        if (index >= command.length) {
            throw new IllegalArgumentException("command '" + String.join(" ", command) + "' lacks argument " + index);
        }
        return Long.parseLong(command[index]);
    }
}
