package io.ringbus.examples.cli;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.TopicConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * A publisher process for {@link RecordKillReplayTest}: publishes {@code count} messages of 32 bytes, each
 * {@code [publisher id int][sequence long][20 bytes derived from both]}, waiting out back-pressure, then
 * prints {@code DONE}. Arguments: {@code <bus dir> <topic> <publisher id> <count>}.
 */
public final class SequencePublisherMain {
    static final int LENGTH = 32;

    private SequencePublisherMain() {
    }

    /** Runs the publisher. */
    public static void main(String[] args) {
        int id = Integer.parseInt(args[2]);
        long count = Long.parseLong(args[3]);
        byte[] message = new byte[LENGTH];
        ByteBuffer view = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        BackoffIdleStrategy idle = new BackoffIdleStrategy();
        try (Bus bus = Bus.open(new BusContext().directory(Path.of(args[0])));
             Publisher publisher = bus.newPublisher(args[1], new TopicConfig())) {
            for (long sequence = 0; sequence < count; sequence++) {
                view.putInt(0, id).putLong(4, sequence);
                for (int i = 12; i < LENGTH; i++) {
                    message[i] = (byte) (sequence * 31 + i * id);
                }
                while (publisher.offer(message, 0, LENGTH) < 0) {
                    idle.idle();
                }
                idle.reset();
            }
        }
        System.out.println("DONE");
    }
}
