package io.ringbus.transport.bridge;

import io.ringbus.core.Bus;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.SocketAcceptor;
import io.ringbus.transport.stream.SocketStream;
import io.ringbus.transport.stream.StreamAcceptor;
import io.ringbus.transport.stream.TlsStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;

/**
 * Serves the topics of a bus to stream clients: each connection says hello as a publisher or a
 * subscriber of one topic, and the bridge publishes its frames into the topic's ring, or subscribes
 * to the ring and writes the messages to it. Embed one in any process (a parent serving its children
 * over pipes with {@link #serve}), or run one with {@code ./bus daemon}.
 *
 * <pre>{@code
 * try (Bridge bridge = Bridge.start(new BridgeContext().listen("unix:/tmp/ringbus/bus.sock"))) {
 *     ... // clients: BusClients.open("unix:/tmp/ringbus/bus.sock")
 * }
 * }</pre>
 *
 * <p>Threads: one per listener, accepting; {@link BridgeContext#eventLoops} event loops (two by default), each
 * a thread serving any number of Unix and TCP connections and a thread waiting for their rings
 * ({@link EventLoop}); a thread of its own for each of the first {@link BridgeContext#dedicatedThreads} socket
 * connections (8 by default: a thread that spins before it waits answers a single client fastest, see
 * {@link EventLoop}) and for every pipe, FIFO or message-queue connection, for its whole life. So the threads
 * of a bridge serving sockets are bounded whatever the number of clients. A malformed frame
 * or a refused hello closes that connection only, with one logged line. Closing the bridge closes
 * every connection, removes its socket files and FIFOs, and closes the bus if it opened it.
 */
public final class Bridge implements AutoCloseable {
    private static final long ACCEPT_SLICE_NANOS = 100_000_000L;

    private final BridgeContext context;
    private final Bus bus;
    private final boolean ownsBus;
    private final List<StreamAcceptor> acceptors = new ArrayList<>();
    private final List<Thread> acceptorThreads = new ArrayList<>();
    private final Set<Served> sessions = ConcurrentHashMap.newKeySet();
    private final List<EventLoop> loops = new ArrayList<>();
    /** Socket connections on threads of their own now (at most BridgeContext.dedicatedThreads). */
    private final java.util.concurrent.atomic.AtomicInteger dedicated = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong sessionIds = new AtomicLong();
    private final AtomicLong sessionsServed = new AtomicLong();
    private volatile boolean closed;

    private Bridge(BridgeContext context, Bus bus, boolean ownsBus) {
        this.context = context;
        this.bus = bus;
        this.ownsBus = ownsBus;
    }

    /** Opens the context's bus and listens on its URIs. */
    public static Bridge start(BridgeContext context) {
        context.conclude();
        return start(context, Bus.open(context.busContext()), true);
    }

    /** Serves {@code bus} (which stays open when the bridge closes) on the context's URIs. */
    public static Bridge start(BridgeContext context, Bus bus) {
        return start(context.conclude(), bus, false);
    }

    private static Bridge start(BridgeContext context, Bus bus, boolean ownsBus) {
        Bridge bridge = new Bridge(context, bus, ownsBus);
        try {
            for (int i = 0; i < context.eventLoops(); i++) {
                bridge.loops.add(new EventLoop(bridge, i));
            }
            for (TransportUri uri : context.listenUris()) {
                bridge.listen(uri);
            }
        } catch (RuntimeException e) {
            bridge.close();
            throw e;
        }
        return bridge;
    }

    private void listen(TransportUri uri) {
        StreamAcceptor acceptor = switch (uri.kind()) {
            case UNIX, TCP -> new SocketAcceptor(uri, context.allowNonLoopback(), context.log());
            case FIFO -> Acceptors.fifo(uri, context.log());
            case MQ -> Acceptors.mq(uri, context.log());
            default -> throw new TransportException("A bridge cannot listen on " + uri);
        };
        acceptors.add(acceptor);
        Thread thread = Thread.ofPlatform().daemon().name("ringbus-bridge-accept-" + acceptor.uri())
            .start(() -> acceptLoop(acceptor));
        acceptorThreads.add(thread);
    }

    private void acceptLoop(StreamAcceptor acceptor) {
        while (!closed) {
            ByteStream stream;
            try {
                stream = acceptor.accept(ACCEPT_SLICE_NANOS);
            } catch (RuntimeException e) {
                context.log().accept("accepting on " + acceptor.uri() + " failed: " + e.getMessage());
                continue;
            }
            if (stream != null) {
                serve(stream);
            }
        }
    }

    /**
     * Serves one connected stream until it ends or the bridge closes: a socket on the least busy event
     * loop (unless {@link BridgeContext#eventLoops} is 0), any other stream (the pipes to a child process,
     * a FIFO pair, message queues) on a thread of its own.
     */
    public void serve(ByteStream stream) {
        if (closed) {
            stream.close();
            return;
        }
        long id = sessionIds.incrementAndGet();
        if (context.tls() != null && stream instanceof SocketStream socket && Admission.isTcp(socket)) {
            // Handshaken on the session's thread, at its first read: never on the accepting one.
            SSLEngine engine = context.tls().createSSLEngine();
            engine.setUseClientMode(false);
            stream = new TlsStream(socket, engine, context.helloTimeout().toNanos());
        }
        boolean dedicatedThread = false;
        if (stream instanceof SocketStream socket && !loops.isEmpty()) {
            dedicatedThread = takeDedicated();
            EventLoop least = null;
            for (EventLoop loop : loops) {
                if (!dedicatedThread && loop.alive() && (least == null || loop.size() < least.size())) {
                    least = loop;
                }
            }
            if (least != null) {
                least.add(socket, id);
                return;
            }
        }
        BridgeSession session = new BridgeSession(this, stream, id, dedicatedThread);
        started(session);
        Thread.ofPlatform().daemon().name("ringbus-bridge-session-" + session.id()).start(session);
        if (closed) {
            session.stop();
        }
    }

    /** Takes one of the threads kept for the first socket connections, if one is free. */
    private boolean takeDedicated() {
        while (true) {
            int now = dedicated.get();
            if (now >= context.dedicatedThreads()) {
                return false;
            }
            if (dedicated.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void started(Served session) {
        sessions.add(session);
        sessionsServed.incrementAndGet();
    }

    void ended(Served session) {
        sessions.remove(session);
        if (session instanceof BridgeSession threaded && threaded.dedicated()) {
            dedicated.decrementAndGet();
        }
    }

    /** Where the bridge listens (TCP with the port actually bound). */
    public List<TransportUri> listening() {
        return acceptors.stream().map(StreamAcceptor::uri).toList();
    }

    /** Connections being served now. */
    public int activeSessions() {
        return sessions.size();
    }

    /** Connections served since the start. */
    public long sessionsServed() {
        return sessionsServed.get();
    }

    /** The event loops (tests). */
    List<EventLoop> loops() {
        return loops;
    }

    Bus bus() {
        return bus;
    }

    BridgeContext context() {
        return context;
    }

    boolean isClosed() {
        return closed;
    }

    /** Stops listening, ends every connection, removes socket files and FIFOs. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        acceptors.forEach(StreamAcceptor::close);
        for (Thread thread : acceptorThreads) {
            join(thread);
        }
        for (EventLoop loop : loops) {
            loop.close(2_000);
        }
        List<Served> open = new ArrayList<>(sessions);
        open.forEach(Served::stop);
        for (Served session : open) {
            session.awaitEnd(2_000);
        }
        if (ownsBus) {
            bus.close();
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
