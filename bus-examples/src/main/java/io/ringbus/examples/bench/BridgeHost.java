package io.ringbus.examples.bench;

import io.ringbus.core.Bus;
import io.ringbus.core.WakeupMode;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.bridge.BridgeContext;

/**
 * Role {@code transport-bridge}: a JVM holding the bus and a {@link Bridge} that serves its topics
 * on one stream path, and (unless told {@code none}) the {@link ShmPeer} on the same bus, so that a
 * client's message crosses one process boundary, as on the raw channel it is compared with.
 * Arguments: {@link EndpointSpec} (its URI is where to listen, {@code tcp://127.0.0.1:0} for any
 * port), then the bridge sessions' wakeup ({@code blocking} or {@code spin}) and {@code peer} or
 * {@code none}. Before {@code READY} it replies {@code LISTENING <uri>} with the address it bound.
 * Commands are the peer's.
 */
final class BridgeHost implements ChildRole {
    static final String ROLE = "transport-bridge";

    private final Bus bus;
    private final Bridge bridge;
    private final ShmPeer peer;

    BridgeHost(String[] args, SpinGuard guard) {
        EndpointSpec spec = EndpointSpec.parse(args, 0);
        WakeupMode sessions = TransportWait.parse(args[EndpointSpec.ARGUMENTS]).wakeupMode();
        boolean withPeer = args[EndpointSpec.ARGUMENTS + 1].equals("peer");
        this.bus = Bus.open(spec.busContext());
        Bridge started = null;
        ShmPeer created = null;
        try {
            started = Bridge.start(new BridgeContext().listen(spec.uri()).sessionWakeup(sessions), bus);
            created = withPeer ? new ShmPeer(bus, false, spec, guard) : null;
        } catch (RuntimeException e) {
            if (started != null) {
                started.close();
            }
            bus.close();
            throw e;
        }
        this.bridge = started;
        this.peer = created;
        ChildMain.reply("LISTENING " + bridge.listening().getFirst());
    }

    @Override
    public void execute(String[] command) {
        if (peer == null) {
            throw new IllegalArgumentException("this bridge runs no peer; send '" + command[0] + "' to the peer JVM");
        }
        peer.execute(command);
    }

    @Override
    public void close() {
        if (peer != null) {
            peer.close();
        }
        bridge.close();
        bus.close();
    }
}
