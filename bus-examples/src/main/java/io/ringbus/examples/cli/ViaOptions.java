package io.ringbus.examples.cli;

import io.ringbus.transport.AuthToken;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.TlsContexts;
import io.ringbus.transport.TransportContext;
import io.ringbus.transport.TransportUri;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --via URI} option of the commands that publish or subscribe: the path to the bus, shared
 * memory ({@code shm:}, the default, or the {@code ringbus.via} property) or a bridge reached over a
 * stream ({@code unix:PATH}, {@code tcp://HOST:PORT}, {@code fifo:DIR}, {@code mq:/NAME}, {@code pipe:}).
 */
public final class ViaOptions {
    private static final String FORMS = "shm:, pipe:, fifo:/DIR, unix:/PATH/bus.sock, tcp://HOST:PORT or mq:/NAME";

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--via", paramLabel = "URI",
        description = "Path to the bus: shm: (default; the ringbus.via property changes it), unix:/PATH/bus.sock,"
            + " tcp://HOST:PORT, fifo:/DIR, mq:/NAME (a bridge such as ./bus daemon serves these) or pipe: (the"
            + " standard streams, under ./bus run).")
    String via;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
        description = "The token of a bridge that requires one (./bus daemon --auth-token-file): a file only"
            + " its owner may read (chmod 600). Answers the bridge's challenge; the token never crosses the"
            + " connection.")
    java.nio.file.Path authTokenFile;

    @Option(names = "--tls-cert", paramLabel = "FILE",
        description = "Speak TLS to a tcp:// bridge that encrypts (./bus daemon --tls-keystore), trusting the"
            + " certificate(s) in FILE (PEM: keytool -exportcert -rfc), whose name must match the URI's host.")
    java.nio.file.Path tlsCert;

    /** The URI given, or the default; a bad one is a usage error naming the accepted forms. */
    TransportUri uri() {
        String text = via != null ? via : System.getProperty(TransportContext.VIA_PROPERTY, "shm:");
        try {
            return TransportUri.parse(text);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            if (!message.contains(FORMS)) {
                message += " (accepted: " + FORMS + ")";
            }
            throw new ParameterException(command.commandLine(), "--via: " + message);
        }
    }

    /**
     * Opens a client on this path. {@code --dir}/{@code --bus} choose the bus of {@code shm:}; on a
     * stream path the bridge has chosen it, and giving them is a usage error.
     */
    BusClient open(BusOptions bus) {
        return open(bus, false);
    }

    /**
     * Opens a client on this path whose stream publishers batch when {@code batching}: many messages to
     * a system call, for a command that publishes as fast as its input comes ({@code pub}).
     */
    BusClient open(BusOptions bus, boolean batching) {
        return open(bus, batching, ConnectionListener.toStandardError());
    }

    /** The same, with {@code listener} told when a stream path's bridge goes away and comes back. */
    BusClient open(BusOptions bus, boolean batching, ConnectionListener listener) {
        TransportUri uri = uri();
        if (uri.isStream() && bus.given()) {
            throw new ParameterException(command.commandLine(), "--dir and --bus choose a shared-memory bus;"
                + " with --via " + uri + " the bridge serving it has chosen its bus already");
        }
        TransportContext context = new TransportContext().uri(uri.toString()).batching(batching)
            .connectionListener(listener);
        if (authTokenFile != null) {
            if (!uri.isStream()) {
                throw new ParameterException(command.commandLine(), "--auth-token-file is for a bridge's --via"
                    + " path (tcp://, unix:...); " + uri + " needs none");
            }
            context.authToken(AuthToken.readFile(authTokenFile));
        }
        if (tlsCert != null) {
            if (uri.kind() != TransportUri.Kind.TCP) {
                throw new ParameterException(command.commandLine(), "--tls-cert is for a tcp:// --via path, not "
                    + uri);
            }
            context.tls(TlsContexts.trusting(tlsCert));
        }
        if (!uri.isStream()) {
            context.busContext(bus.context());
        }
        return BusClients.open(context);
    }
}
