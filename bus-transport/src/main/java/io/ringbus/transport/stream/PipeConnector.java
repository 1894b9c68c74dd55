package io.ringbus.transport.stream;

import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import java.util.function.Supplier;

/**
 * The client side of {@code pipe:}: one stream that a parent connected before this process started
 * (its stdin and stdout, when started by {@code ./bus run}), or a pipe pair's end in tests. A pipe
 * cannot be dialled again: it carries one publisher or one subscriber, once; when it breaks, the
 * parent is gone and the endpoint stays {@code NOT_CONNECTED}.
 */
public final class PipeConnector implements StreamConnector {
    private static final TransportUri PIPE = TransportUri.parse("pipe:");

    private final Supplier<ByteStream> streams;
    private boolean used;

    /** A connector handing out the stream {@code streams} gives, once. */
    public PipeConnector(Supplier<ByteStream> streams) {
        this.streams = streams;
    }

    @Override
    public synchronized ByteStream connect(long timeoutNanos) {
        if (used) {
            throw new TransportException("pipe: carries one publisher or one subscriber per process, and cannot be "
                + "reconnected; for more endpoints use fifo:, unix: or tcp:// (./bus daemon)");
        }
        used = true;
        return streams.get();
    }

    @Override
    public TransportUri uri() {
        return PIPE;
    }
}
