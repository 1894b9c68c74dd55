package io.ringbus.stress.process;

/**
 * A busy process beside the bus (the {@code cpu-busy} fault): {@code --threads N} threads compute
 * without pause, at normal priority, so that the bus's processes get the CPU only in turn with it,
 * as beside a build or a batch job. Prints {@code READY} once every thread runs; the command
 * {@code STOP} ends it, and so does the end of its standard input (the harness is gone).
 */
public final class StressBusyMain {
    private static volatile boolean stopped;
    /** Where each thread stores its result now and then, so that the loop is not optimised away. */
    private static volatile long sink;

    private StressBusyMain() {
    }

    /** Runs the busy threads; see the class comment. */
    public static void main(String[] args) {
        ChildArgs.run(args, StressBusyMain::run);
    }

    private static void run(ChildArgs args) throws InterruptedException {
        ChildArgs.readCommands(line -> {
            if (line.equals("STOP")) {
                stopped = true;
            }
        });
        int threads = args.getInt("threads");
        Thread[] spinners = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            long seed = i + 1;
            spinners[i] = Thread.ofPlatform().name("busy-" + i).start(() -> spin(seed));
        }
        ChildArgs.say("READY");
        for (Thread spinner : spinners) {
            spinner.join();
        }
        ChildArgs.say("STOPPED 0");
    }

    private static void spin(long seed) {
        long x = seed;
        while (!stopped) {
            for (int i = 0; i < 1_000_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            sink = x;
        }
    }
}
