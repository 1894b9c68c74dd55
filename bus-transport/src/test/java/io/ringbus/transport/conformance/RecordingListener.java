package io.ringbus.transport.conformance;

import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.TransportUri;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts disconnects and reconnects, and keeps the reasons given. */
final class RecordingListener implements ConnectionListener {
    final AtomicInteger disconnects = new AtomicInteger();
    final AtomicInteger reconnects = new AtomicInteger();
    final List<String> reasons = new CopyOnWriteArrayList<>();

    @Override
    public void onDisconnected(TransportUri uri, String topic, String reason) {
        reasons.add(reason);
        disconnects.incrementAndGet();
    }

    @Override
    public void onReconnected(TransportUri uri, String topic) {
        reconnects.incrementAndGet();
    }
}
