package io.ringbus.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS contexts of a bridge ({@code BridgeContext.tls}) and of its clients ({@code TransportContext.tls})
 * from files: the bridge's key and certificate in a PKCS#12 key store with its password in a file only its
 * owner may read, and on the client the certificate(s) to trust in PEM. Make a pair with the JDK's keytool:
 *
 * <pre>
 * keytool -genkeypair -alias bus -keyalg EC -groupname secp256r1 -dname CN=bus.example.org \
 *     -ext SAN=dns:bus.example.org -validity 365 -storetype PKCS12 -keystore bus.p12 \
 *     -storepass:file bus.pass
 * keytool -exportcert -rfc -alias bus -keystore bus.p12 -storepass:file bus.pass -file bus.pem
 * </pre>
 */
public final class TlsContexts {
    private TlsContexts() {
    }

    /**
     * A bridge's context: the key and certificate chain in the PKCS#12 {@code keyStore}, whose password is
     * the first line of {@code passwordFile} (mode 0600).
     *
     * @throws TransportException saying what is wrong with either file
     */
    public static SSLContext server(Path keyStore, Path passwordFile) {
        byte[] bytes = SecretFiles.read(passwordFile, "Password file", "(umask 077; echo PASSWORD > " + passwordFile
            + ")");
        char[] password = new String(bytes, 0, SecretFiles.withoutLineEnd(bytes), StandardCharsets.UTF_8).toCharArray();
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new TransportException("Cannot load the TLS key store " + keyStore + " (PKCS#12, with the password"
                + " in " + passwordFile + "): " + e.getMessage(), e);
        }
    }

    /**
     * A client's context that trusts the certificates in the PEM file {@code certificates} (the bridge's own,
     * or the authority that signed it), and nothing else.
     *
     * @throws TransportException if the file holds no readable certificate
     */
    public static SSLContext trusting(Path certificates) {
        try (InputStream in = Files.newInputStream(certificates)) {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (read.isEmpty()) {
                throw new TransportException("No certificate in " + certificates + " (PEM, as keytool -exportcert"
                    + " -rfc writes)");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : read) {
                store.setCertificateEntry("trusted-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new TransportException("Cannot read the certificates to trust in " + certificates + " (PEM): "
                + e.getMessage(), e);
        }
    }
}
