package io.ringbus.transport.codec;

import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/** An order as a {@link BytesMarshallable} with hand-written marshalling: 8 + 8 + 8 + 4 + 1 bytes. */
final class TestOrder implements BytesMarshallable {
    static final int LENGTH = 29;

    long orderId;
    long instrument;
    double price;
    int quantity;
    boolean buy;

    TestOrder set(long orderId, long instrument, double price, int quantity, boolean buy) {
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
}
