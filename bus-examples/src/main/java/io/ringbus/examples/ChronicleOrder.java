package io.ringbus.examples;

import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * The order of the Chronicle samples ({@link ChronicleOrderPublisher}, {@link ChronicleOrderSubscriber}): a
 * {@link BytesMarshallable} with its marshalling written out, so that it has a fixed length to claim and needs
 * no reflection (and so not {@code --add-opens java.base/java.lang.reflect}).
 *
 * <pre>
 *   0        8           16      24         28   29
 *   │orderId │instrument │price  │quantity  │side│     native byte order (little-endian on x86 and ARM)
 * </pre>
 */
public final class ChronicleOrder implements BytesMarshallable {
    /** Bytes {@link #writeMarshallable} writes: what a publisher claims for one order. */
    public static final int LENGTH = 29;

    private long orderId;
    private long instrument;
    private double price;
    private int quantity;
    private boolean buy;

    /** Sets every field; returns this. */
    public ChronicleOrder set(long orderId, long instrument, double price, int quantity, boolean buy) {
        this.orderId = orderId;
        this.instrument = instrument;
        this.price = price;
        this.quantity = quantity;
        this.buy = buy;
        return this;
    }

    @Override
    public void writeMarshallable(BytesOut<?> bytes) {
        bytes.writeLong(orderId).writeLong(instrument).writeDouble(price).writeInt(quantity).writeBoolean(buy);
    }

    @Override
    public void readMarshallable(BytesIn<?> bytes) {
        orderId = bytes.readLong();
        instrument = bytes.readLong();
        price = bytes.readDouble();
        quantity = bytes.readInt();
        buy = bytes.readBoolean();
    }

    public long orderId() {
        return orderId;
    }

    @Override
    public String toString() {
        return "order " + orderId + ": " + (buy ? "BUY " : "SELL ") + quantity + " of " + instrument + " at " + price;
    }
}
