package io.ringbus.transport.stream;

/**
 * Two connected {@link FdStream}s over two pipes: what {@code a} writes, {@code b} reads, and the other
 * way round. From {@link FdStream#pipePair()}.
 *
 * @param a one end
 * @param b the other end
 */
public record PipePair(FdStream a, FdStream b) implements AutoCloseable {
    /** Closes both ends. */
    @Override
    public void close() {
        a.close();
        b.close();
    }
}
