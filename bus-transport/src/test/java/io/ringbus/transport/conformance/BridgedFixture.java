package io.ringbus.transport.conformance;

import io.ringbus.transport.BusClient;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.bridge.BridgeContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stream path served by an in-process {@link Bridge} on the fixture's bus directory. Subclasses say
 * where the bridge listens (or, for pipes, how a connection is made); the rest is shared.
 */
abstract class BridgedFixture extends PathFixture {
    private final List<String> log = new CopyOnWriteArrayList<>();
    private volatile Bridge bridge;

    @Override
    final boolean isStream() {
        return true;
    }

    /** The URIs the first bridge listens on (none for a path whose connections are served directly). */
    protected abstract List<String> listenUris();

    /** Called once the first bridge is up, with it: e.g. to learn the TCP port actually bound. */
    protected void started(Bridge first) {
    }

    @Override
    void setUp(java.nio.file.Path directory) {
        super.setUp(directory);
        startBridge(listenUris());
        started(bridge);
    }

    /** Adjusts the context every bridge of this fixture starts with (nothing, by default). */
    protected BridgeContext configure(BridgeContext context) {
        return context;
    }

    /** The URIs a restarted bridge listens on: the first one's, by default. */
    protected List<String> restartUris() {
        return listenUris();
    }

    private void startBridge(List<String> uris) {
        BridgeContext context = new BridgeContext().busContext(busContext()).log(line -> {
            log.add(line);
            System.err.println("ringbus bridge [" + name() + "]: " + line);
        });
        uris.forEach(context::listen);
        bridge = Bridge.start(configure(context));
    }

    @Override
    Bridge bridge() {
        return bridge;
    }

    @Override
    void stopBridge() {
        bridge.close();
    }

    @Override
    void startBridge() {
        startBridge(restartUris());
    }

    @Override
    List<String> bridgeLog() {
        return List.copyOf(log);
    }

    /** A client through the stream connector of this path. */
    @Override
    protected abstract BusClient openClient(ConnectionListener listener);

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            Bridge current = bridge;
            if (current != null) {
                current.close();
            }
        }
    }
}
