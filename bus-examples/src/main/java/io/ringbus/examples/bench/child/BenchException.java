package io.ringbus.examples.bench.child;

/** A benchmark that cannot go on: a child died, hung or failed. The message says which and why. */
public final class BenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BenchException(String message) {
        super(message);
    }
}
