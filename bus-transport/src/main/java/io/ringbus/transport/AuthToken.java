package io.ringbus.transport;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A secret shared by a bridge and its clients, proving a client's right to a connection without the
 * secret ever crossing it. A bridge that requires it answers a client's {@code HELLO} with a
 * {@code CHALLENGE} frame carrying {@value #NONCE_LENGTH} fresh random bytes; the client answers with an
 * {@code AUTH} frame carrying {@link #answer HMAC-SHA256(token, nonce || hello payload)}, which the bridge
 * {@link #verify verifies} in constant time. A recorded exchange does not open a later connection: that
 * one gets another nonce. Binding the hello's bytes means an answer cannot be moved to another hello.
 *
 * <p>The token is read from a file that only its owner may read or write (mode 0600 or 0400), never
 * from a command line (which every user sees in {@code ps}). Its bytes are the secret, less one
 * trailing line end; at least {@value #MIN_LENGTH} bytes. Make one with
 * {@code (umask 077; head -c 32 /dev/urandom | base64 > bus.token)}.
 */
public final class AuthToken {
    /** Length of a challenge's nonce, in bytes. */
    public static final int NONCE_LENGTH = 32;
    /** Length of an answer (an HMAC-SHA256), in bytes. */
    public static final int ANSWER_LENGTH = 32;
    /** Shortest token accepted, in bytes. */
    public static final int MIN_LENGTH = 16;

    private static final String ALGORITHM = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private AuthToken(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
    }

    /**
     * A token of these bytes (embedding and tests; a program that has the secret from elsewhere).
     *
     * @throws IllegalArgumentException if it is shorter than {@value #MIN_LENGTH} bytes
     */
    public static AuthToken of(byte[] secret) {
        if (secret.length < MIN_LENGTH) {
            throw new IllegalArgumentException("an authentication token must have at least " + MIN_LENGTH
                + " bytes, not " + secret.length);
        }
        return new AuthToken(secret.clone());
    }

    /**
     * Reads the token in {@code file}.
     *
     * @throws TransportException saying what to do if the file cannot be read, is not a regular file, is
     *     readable or writable by others than its owner, or holds fewer than {@value #MIN_LENGTH} bytes
     */
    public static AuthToken readFile(Path file) {
        String makeOne = "(umask 077; head -c 32 /dev/urandom | base64 > " + file + ")";
        byte[] bytes = SecretFiles.read(file, "Token file", makeOne);
        int length = SecretFiles.withoutLineEnd(bytes);
        if (length < MIN_LENGTH) {
            throw new TransportException("Token file " + file + " holds " + length + " bytes; a token needs at "
                + "least " + MIN_LENGTH + ": " + makeOne);
        }
        AuthToken token = new AuthToken(Arrays.copyOf(bytes, length));
        Arrays.fill(bytes, (byte) 0);
        return token;
    }

    /** A fresh random nonce for a challenge. */
    public static byte[] newNonce() {
        byte[] nonce = new byte[NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** The answer to a challenge: HMAC-SHA256 of the nonce followed by the hello's payload. */
    public byte[] answer(byte[] nonce, byte[] helloPayload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(nonce);
            return mac.doFinal(helloPayload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + ALGORITHM, e);
        }
    }

    /** Whether {@code answer} is the right answer, compared in time independent of where it differs. */
    public boolean verify(byte[] nonce, byte[] helloPayload, byte[] answer) {
        return MessageDigest.isEqual(answer(nonce, helloPayload), answer);
    }

    @Override
    public String toString() {
        return "AuthToken[secret not shown]";
    }
}
