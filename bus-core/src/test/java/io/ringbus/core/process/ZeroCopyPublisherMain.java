package io.ringbus.core.process;

import io.ringbus.core.Bus;
import io.ringbus.core.LostPages;
import io.ringbus.core.Publisher;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A publisher that writes its messages in place, flat out: {@code tryClaim}, eight longs stored
 * through {@link Publisher#buffer()}, {@code commit}, with no subscriber to hold it back. It catches
 * the lost page's {@code InternalError} the way the {@link LostPages} Javadoc tells a zero-copy writer
 * to, around its loop, inside the bus's try-with-resources ({@code --catch inside}) or around it, after
 * the bus has closed the topic ({@code --catch outside}), and throws {@code LostPages.typed(fault)}.
 *
 * <p>Prints {@code READY pid} once the publisher exists; the typed error ends it as
 * {@link ChildSupport} says ({@code ERROR class: message}, exit 3).
 */
final class ZeroCopyPublisherMain {
    private static final int LENGTH = 64;

    private ZeroCopyPublisherMain() {
    }

    public static void main(String[] args) {
        ChildSupport.run(args, ZeroCopyPublisherMain::run);
    }

    private static void run(ChildSupport args) {
        boolean inside = args.get("catch").equals("inside");
        try (Bus bus = Bus.open(args.busContext())) {
            Publisher publisher = bus.newPublisher(args.get("topic"), args.topicConfig());
            ChildSupport.event("READY " + ProcessHandle.current().pid());
            if (inside) {
                try {
                    publishForEver(publisher);
                } catch (InternalError fault) {
                    throw LostPages.typed(fault);
                }
            }
            publishForEver(publisher);
        } catch (InternalError fault) {
            throw LostPages.typed(fault);
        }
    }

    private static void publishForEver(Publisher publisher) {
        for (long sequence = 0; ; sequence++) {
            long position = publisher.tryClaim(LENGTH);
            if (position >= 0) {
                MemorySegment buffer = publisher.buffer();
                long offset = publisher.payloadOffset(position);
                for (int i = 0; i < LENGTH; i += Long.BYTES) {
                    buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + i, sequence);
                }
                publisher.commit(position);
            }
        }
    }
}
