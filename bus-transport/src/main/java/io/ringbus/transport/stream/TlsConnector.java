package io.ringbus.transport.stream;

import io.ringbus.transport.TransportUri;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Connects to a TLS listener: a TCP connection, then the TLS handshake, which checks the bridge's certificate
 * against the context's trust and its name against the URI's host ({@code HTTPS} endpoint identification),
 * before the first frame.
 */
public final class TlsConnector implements StreamConnector {
    private final StreamConnector tcp;
    private final SSLContext tls;

    /** TLS over {@code tcp} (a connector of a {@code tcp://} URI), trusting what {@code tls} trusts. */
    public TlsConnector(StreamConnector tcp, SSLContext tls) {
        this.tcp = tcp;
        this.tls = tls;
    }

    @Override
    public ByteStream connect(long timeoutNanos) {
        long start = System.nanoTime();
        ByteStream stream = tcp.connect(timeoutNanos);
        try {
            SSLEngine engine = tls.createSSLEngine(tcp.uri().host(), tcp.uri().port());
            engine.setUseClientMode(true);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
            TlsStream secured = new TlsStream(stream, engine, Math.max(1, timeoutNanos - (System.nanoTime() - start)));
            secured.handshake();
            return secured;
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    @Override
    public TransportUri uri() {
        return tcp.uri();
    }
}
