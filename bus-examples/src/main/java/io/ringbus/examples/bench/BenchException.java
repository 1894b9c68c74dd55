package io.ringbus.examples.bench;

/** A benchmark that cannot go on: a child died, hung or failed. The message says which and why. */
final class BenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BenchException(String message) {
        super(message);
    }
}
