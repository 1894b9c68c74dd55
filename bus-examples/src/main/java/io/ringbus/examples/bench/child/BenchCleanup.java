package io.ringbus.examples.bench.child;

/**
 * What a benchmark command leaves behind, removed once: its child JVMs and its files, at the end of
 * the run or, if the JVM is stopped first (Ctrl-C), from a shutdown hook.
 */
public final class BenchCleanup implements AutoCloseable {
    private final BenchFiles files;
    private final Thread hook;

    private BenchCleanup(String name, BenchFiles files) {
        this.files = files;
        this.hook = new Thread(this::release, name + "-cleanup");
    }

    /** Registers the shutdown hook for {@code files} and the children; close at the end of the run. */
    public static BenchCleanup register(String name, BenchFiles files) {
        BenchCleanup cleanup = new BenchCleanup(name, files);
        Runtime.getRuntime().addShutdownHook(cleanup.hook);
        return cleanup;
    }

    private void release() {
        ChildJvm.killAll();
        files.close();
    }

    @Override
    public void close() {
        release();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down; the hook runs and finds nothing left to do
        }
    }
}
