package io.ringbus.examples.bench.transport;

import io.ringbus.core.Bus;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.os.FileDescriptors;
import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.bridge.BridgeContext;
import io.ringbus.transport.stream.FdStream;
import java.nio.file.Path;

/**
 * Role {@code transport-bridge}: a JVM holding the bus and a {@link Bridge} that serves its topics
 * on one stream path, and (unless told {@code none}) the {@link ShmPeer} on the same bus, so that a
 * client's message crosses one process boundary, as on the raw channel it is compared with.
 * Arguments: {@link EndpointSpec} (its URI is where to listen: {@code unix:PATH},
 * {@code tcp://127.0.0.1:0} for any port, {@code fifo:DIR}, or {@code pipe:DIR} for pipe pairs it is
 * handed), then the bridge sessions' wakeup ({@code blocking} or {@code spin}) and {@code peer} or
 * {@code none}. Before {@code READY} it replies {@code LISTENING <uri>} with the address it bound.
 *
 * <p>Commands: the peer's, and {@code SERVE NAME} on the pipe path: open the bridge's ends of the
 * pipe pair {@code NAME} a client made ({@link EndpointClients}), serve it as {@code ./bus run}
 * serves a child's pipes ({@link Bridge#serve}), reply {@code SERVED}.
 */
final class BridgeHost implements ChildRole {
    static final String ROLE = "transport-bridge";
    /** How many socket connections get a thread of their own (BridgeContext.dedicatedThreads) in the bench. */
    static final String DEDICATED_PROPERTY = "ringbus.bench.dedicatedThreads";

    private final Bus bus;
    private final Bridge bridge;
    private final ShmPeer peer;
    private final Path pipes;

    BridgeHost(String[] args, SpinGuard guard) {
        EndpointSpec spec = EndpointSpec.parse(args, 0);
        WakeupMode sessions = TransportWait.parse(args[EndpointSpec.ARGUMENTS]).wakeupMode();
        boolean withPeer = args[EndpointSpec.ARGUMENTS + 1].equals("peer");
        this.pipes = spec.isPipe() ? spec.pipeDirectory() : null;
        this.bus = Bus.open(spec.busContext());
        Bridge started = null;
        ShmPeer created = null;
        try {
            // -Dringbus.bench.dedicatedThreads=0 (through --child-jvm-option) measures the event loops alone.
            BridgeContext context = new BridgeContext().sessionWakeup(sessions)
                .dedicatedThreads(Integer.getInteger(DEDICATED_PROPERTY, new BridgeContext().dedicatedThreads()));
            if (pipes == null) {
                context.listen(spec.uri());
            }
            started = Bridge.start(context, bus);
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
        ChildRunner.reply("LISTENING " + (pipes != null ? spec.uri() : bridge.listening().getFirst().toString()));
    }

    @Override
    public void execute(String[] command) {
        if (command[0].equals("SERVE") && pipes != null) {
            serve(command[1]);
            return;
        }
        if (peer == null) {
            throw new IllegalArgumentException("this bridge runs no peer; send '" + command[0] + "' to the peer JVM");
        }
        peer.execute(command);
    }

    private void serve(String name) {
        Path up = pipes.resolve(name + ".up");
        Path down = pipes.resolve(name + ".down");
        int upRead = FileDescriptors.openFifo(up, false);
        if (upRead < 0) {
            throw new IllegalStateException("cannot open " + up + ": " + FileDescriptors.describeError(-upRead));
        }
        int downWrite = FileDescriptors.openFifo(down, true);
        if (downWrite < 0) {
            FileDescriptors.close(upRead);
            throw new IllegalStateException("cannot open " + down + ": " + FileDescriptors.describeError(-downWrite));
        }
        bridge.serve(FdStream.adopt(upRead, downWrite, "pipe pair " + name));
        ChildRunner.reply("SERVED " + name);
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
