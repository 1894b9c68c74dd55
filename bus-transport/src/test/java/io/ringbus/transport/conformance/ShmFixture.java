package io.ringbus.transport.conformance;

import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.ConnectionListener;

/** The {@code shm:} path: every client maps the topic files itself; there is no bridge. */
final class ShmFixture extends PathFixture {
    @Override
    String name() {
        return "shm";
    }

    @Override
    boolean isStream() {
        return false;
    }

    @Override
    protected BusClient openClient(ConnectionListener listener) {
        return BusClients.open(transportContext("shm:", listener));
    }
}
