package io.ringbus.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Reads files holding secrets (a token, a key store's password), refusing ones others may read. */
final class SecretFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
        PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private SecretFiles() {
    }

    /**
     * The bytes of {@code file}, which must be a regular file only its owner may read or write.
     *
     * @param what what the file is, for messages ("Token file")
     * @param makeOne how to make a good one, for messages
     * @throws TransportException saying what to do otherwise
     */
    static byte[] read(Path file, String what, String makeOne) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new TransportException(what + " " + file + " is not a regular file; make one with " + makeOne);
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(mode)) {
                throw new TransportException(what + " " + file + " has mode " + octal(mode) + ": others may "
                    + "read it. Make it readable by its owner only: chmod 600 " + file);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TransportException("Cannot read the " + what.toLowerCase() + " " + file + ": " + e, e);
        } catch (UnsupportedOperationException e) {
            throw new TransportException("Cannot check the mode of the " + what.toLowerCase() + " " + file
                + " (not a POSIX file system); it must be readable by its owner only", e);
        }
    }

    /** {@code bytes} less one trailing line end (LF or CRLF): the length to keep. */
    static int withoutLineEnd(byte[] bytes) {
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\n') {
            length--;
            if (length > 0 && bytes[length - 1] == '\r') {
                length--;
            }
        }
        return length;
    }

    private static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission permission : mode) {
            bits |= 1 << (8 - permission.ordinal());
        }
        return String.format("0%03o", bits);
    }
}
