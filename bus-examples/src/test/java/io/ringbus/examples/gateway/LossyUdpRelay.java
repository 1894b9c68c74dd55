package io.ringbus.examples.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bad network in user space, for machines whose kernel has no {@code tc netem}: a UDP relay on loopback between
 * an Aeron sender and its receiver that drops, delays and reorders datagrams in both directions (data one way;
 * status messages and NAKs the other).
 *
 * <pre>
 *   sender ──▶ front port ──[drop? delay?]──▶ back socket ──▶ receiver's endpoint
 *   sender ◀── front port ◀──[drop? delay?]── back socket ◀── receiver's replies
 * </pre>
 *
 * <p>Each datagram is dropped with probability {@code loss}; of the rest, a share {@code immediate} goes at once
 * and the others after {@code delayNanos}, so that the ones sent at once overtake those held (netem's
 * "delay 10ms reorder 25% loss 5%").
 */
final class LossyUdpRelay implements AutoCloseable {
    private static final int BUFFER = 4 << 20;

    private final DatagramChannel front;
    private final DatagramChannel back;
    private final InetSocketAddress target;
    private final double loss;
    private final double immediate;
    private final long delayNanos;
    private final SplittableRandom random;
    private final PriorityQueue<Held> held = new PriorityQueue<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong relayed = new AtomicLong();
    private final Thread[] threads = new Thread[3];
    private volatile SocketAddress sender;
    private volatile boolean closed;
    private long sequence;

    private record Held(long due, long sequence, DatagramChannel out, SocketAddress to, ByteBuffer bytes)
        implements Comparable<Held> {
        @Override
        public int compareTo(Held other) {
            int byDue = Long.compare(due, other.due);
            return byDue != 0 ? byDue : Long.compare(sequence, other.sequence);
        }
    }

    LossyUdpRelay(InetSocketAddress target, double loss, double immediate, long delayNanos, long seed)
        throws IOException {
        this.target = target;
        this.loss = loss;
        this.immediate = immediate;
        this.delayNanos = delayNanos;
        this.random = new SplittableRandom(seed);
        front = open();
        back = open();
        threads[0] = Thread.ofPlatform().daemon().name("relay-forward").start(() -> pump(front, back, true));
        threads[1] = Thread.ofPlatform().daemon().name("relay-reply").start(() -> pump(back, front, false));
        threads[2] = Thread.ofPlatform().daemon().name("relay-release").start(this::release);
    }

    private static DatagramChannel open() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, BUFFER);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, BUFFER);
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        return channel;
    }

    /** The port the sender sends to instead of the receiver's. */
    int port() throws IOException {
        return ((InetSocketAddress) front.getLocalAddress()).getPort();
    }

    /** Datagrams dropped so far (both directions). */
    long dropped() {
        return dropped.get();
    }

    /** Datagrams passed on so far (both directions). */
    long relayed() {
        return relayed.get();
    }

    private void pump(DatagramChannel in, DatagramChannel out, boolean forward) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 << 10);
        try {
            while (!closed) {
                buffer.clear();
                SocketAddress from = in.receive(buffer);
                if (forward) {
                    sender = from;
                }
                SocketAddress to = forward ? target : sender;
                if (to == null) {
                    continue;
                }
                buffer.flip();
                ByteBuffer copy = ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();
                synchronized (held) {
                    if (random.nextDouble() < loss) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    long due = random.nextDouble() < immediate ? System.nanoTime() : System.nanoTime() + delayNanos;
                    held.add(new Held(due, sequence++, out, to, copy));
                    held.notifyAll();
                }
            }
        } catch (IOException e) {
            if (!closed) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private void release() {
        try {
            while (!closed) {
                Held next;
                synchronized (held) {
                    next = held.peek();
                    long wait = next == null ? 10_000_000L : next.due() - System.nanoTime();
                    if (wait > 0) {
                        held.wait(wait / 1_000_000, (int) (wait % 1_000_000));
                        continue;
                    }
                    held.poll();
                }
                next.out().send(next.bytes(), next.to());
                relayed.incrementAndGet();
            }
        } catch (IOException | InterruptedException e) {
            if (!closed) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        closed = true;
        front.close();
        back.close();
        synchronized (held) {
            held.notifyAll();
        }
        for (Thread thread : threads) {
            thread.join(5_000);
        }
    }
}
