package io.ringbus.transport.bridge;

import io.ringbus.core.BusContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The daemon side of {@link ManyClientsTest}, in a JVM of its own (so that its threads, descriptors and
 * memory are its own): a bridge on a Unix socket and loopback TCP with the default context. Prints
 * {@code LISTENING unix-uri tcp-uri}; then answers each {@code STAT} line on standard input with
 * {@code STAT sessions}; ends at end of input.
 */
public final class ManyClientsDaemon {
    private ManyClientsDaemon() {
    }

    /** Arguments: the bus directory and the socket path. */
    public static void main(String[] args) throws Exception {
        BridgeContext context = new BridgeContext().busContext(new BusContext().directory(Path.of(args[0])))
            .listen("unix:" + args[1]).listen("tcp://127.0.0.1:0").log(line -> { });
        try (Bridge bridge = Bridge.start(context)) {
            System.out.println("LISTENING " + bridge.listening().get(0) + " " + bridge.listening().get(1));
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("STAT")) {
                    System.out.println("STAT " + bridge.activeSessions());
                    System.out.flush();
                }
            }
        }
    }
}
