package io.ringbus.transport.bridge;

import io.ringbus.transport.AuthToken;
import io.ringbus.transport.frame.Hello;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.SocketStream;
import io.ringbus.transport.stream.TlsStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;

/**
 * Who may use a connection, for both kinds of session: whether it must answer a challenge, and the
 * reasons a refusal gives.
 */
final class Admission {
    /** The REJECT for a wrong answer: it never says which part was wrong. */
    static final String AUTH_FAILED = "authentication failed";
    /** The REJECT for a client that answered without a token (or did not answer with AUTH). */
    static final String AUTH_REQUIRED = "this listener requires authentication: give the client the bridge's "
        + "token (./bus pub|sub --auth-token-file FILE; TransportContext.authToken in Java) and answer its "
        + "CHALLENGE with AUTH";

    private Admission() {
    }

    /**
     * Why the bridge's allow lists refuse {@code hello}, or null if they let it through: the REJECT's text,
     * naming the topic and the option.
     */
    static String refusal(BridgeContext context, Hello hello) {
        boolean publish = hello.role() == Hello.Role.PUB;
        if (context.allows(publish, hello.topic())) {
            return null;
        }
        String option = publish ? "--allow-publish" : "--allow-subscribe";
        return "topic '" + hello.topic() + "' is not in this bridge's " + (publish ? "publish" : "subscribe")
            + " allow list (" + option + " " + String.join(" " + option + " ", publish ? context.allowedPublish()
            : context.allowedSubscribe()) + "): use a topic it allows, or ask its operator to add " + option
            + " for it";
    }

    /** The token {@code stream}'s client must prove it holds, or null: TCP connections of a bridge with one. */
    static AuthToken tokenFor(BridgeContext context, ByteStream stream) {
        AuthToken token = context.authToken();
        ByteStream plain = stream instanceof TlsStream tls ? tls.inner() : stream;
        return token != null && plain instanceof SocketStream socket && isTcp(socket) ? token : null;
    }

    /** Whether {@code socket} is a TCP connection (a Unix socket's peer is checked with SO_PEERCRED instead). */
    static boolean isTcp(SocketStream socket) {
        try {
            return !(socket.channel().getRemoteAddress() instanceof UnixDomainSocketAddress);
        } catch (IOException e) {
            return true; // closed under us: asking for a token costs nothing, the exchange fails anyway
        }
    }
}
