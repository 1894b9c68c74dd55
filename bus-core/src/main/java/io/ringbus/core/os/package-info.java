/**
 * The operating-system layer: shared files and their mappings ({@link io.ringbus.core.os.SharedFiles},
 * {@link io.ringbus.core.os.MappedFile}), futex waits ({@link io.ringbus.core.os.Futex}), process
 * identity ({@link io.ringbus.core.os.Processes}), descriptors for pipes and FIFOs
 * ({@link io.ringbus.core.os.FileDescriptors}), lock files ({@link io.ringbus.core.os.LockFile}) and
 * daemon set-up ({@link io.ringbus.core.os.Daemons}). Only the package-private {@code PosixBindings} uses the
 * FFM linker; the public classes show no native types beyond {@code MemorySegment}. Not API; may change
 * without notice (the module {@code io.ringbus.core} exports it to {@code io.ringbus.transport} only).
 *
 * <h2>Choices</h2>
 * <ul>
 *   <li><b>Mapping from the checked descriptor.</b> Files are opened with {@code O_NOFOLLOW} through FFM,
 *       checked with {@code statx} on that descriptor, then mapped with {@code mmap} on that same
 *       descriptor. Mapping with {@code FileChannel.open(path)} instead would open the path a second time,
 *       and the channel's descriptor cannot be inspected without {@code --add-opens}; a re-check by path
 *       would be racy.</li>
 *   <li><b>statx, not fstat.</b> {@code struct statx} has one layout on every architecture;
 *       {@code struct stat} does not.</li>
 *   <li><b>Errors as {@code -errno}.</b> Each binding captures errno per call
 *       ({@code Linker.Option.captureCallState}) and returns it negated, kernel style.</li>
 * </ul>
 *
 * <h2>Pitfalls for code built on this package</h2>
 * <ul>
 *   <li><b>POSIX record locks ({@code FileChannel.lock}) belong to the process and the file, not to a
 *       descriptor.</b> Closing <em>any</em> descriptor of the file (a {@code MappedFile}, another
 *       {@code FileChannel}) releases every such lock the process holds on it, while the Java
 *       {@code FileLock} still says {@code isValid()}. With a publisher and a subscriber of one topic in
 *       one JVM, closing one drops the other's liveness lock. Open-file-description locks
 *       ({@code fcntl(F_OFD_SETLK)} on the {@code MappedFile}'s own descriptor) do not have this
 *       problem.</li>
 *   <li>A created file exists, empty, until {@code posix_fallocate} has run: an opener racing with a
 *       creator can see a short file ({@link io.ringbus.core.os.FileTruncatedException}) and should retry
 *       for a while, or wait for the header's ready flag.</li>
 *   <li>After another process truncates a mapped file, Java accesses throw {@code InternalError} and
 *       futex calls give {@code CorruptRingException} (EFAULT); any other libc call on that memory would
 *       kill the JVM with SIGBUS.</li>
 * </ul>
 */
package io.ringbus.core.os;
