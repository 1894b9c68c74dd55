package io.ringbus.core.os;

/**
 * What {@code statx} said about an open descriptor, or the error number it failed with
 * ({@code errno != 0}, every other field zero).
 *
 * @param errno  0, or the error of the failed call
 * @param mode   {@code st_mode}: file type and permission bits
 * @param uid    owner
 * @param gid    group
 * @param size   size in bytes
 * @param blocks 512-byte blocks allocated, or -1 when the file system did not say
 * @param device the device (major in the high 32 bits, minor in the low ones)
 * @param inode  the inode number
 */
record FileStat(int errno, int mode, int uid, int gid, long size, long blocks, long device, long inode) {
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;
    static final int S_IFIFO = 0010000;

    static FileStat failed(int errno) {
        return new FileStat(errno, 0, 0, 0, 0, 0, 0, 0);
    }

    boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    boolean isFifo() {
        return (mode & S_IFMT) == S_IFIFO;
    }

    /** The permission bits, including set-id and sticky bits ({@code mode & 07777}). */
    int permissions() {
        return mode & 07777;
    }

    /** A name for the file type, for messages. */
    String typeName() {
        return switch (mode & S_IFMT) {
            case S_IFREG -> "a regular file";
            case S_IFDIR -> "a directory";
            case S_IFLNK -> "a symbolic link";
            case S_IFIFO -> "a FIFO";
            case 0140000 -> "a socket";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            default -> "a file of type " + Integer.toOctalString(mode & S_IFMT);
        };
    }
}
