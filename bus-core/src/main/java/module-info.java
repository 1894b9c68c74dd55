/**
 * ringbus core: a message bus over shared-memory rings. The API is {@code io.ringbus.core} (start at
 * {@code Bus}) and, for a ring used without the bus, {@code io.ringbus.core.ring}. The topic layer and
 * the OS bindings are exported to {@code io.ringbus.transport} alone; {@code io.ringbus.core.ring.internal}
 * to no one.
 *
 * <p>ringbus calls native functions (futex, fallocate, mmap) through the FFM API: run with
 * {@code --enable-native-access=io.ringbus.core} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
// "module": io.ringbus.transport, named by the qualified exports, is built after this module.
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.ringbus.core {
    // SubscriberConfig's idle strategy is Agrona's IdleStrategy: a user of the API needs to read it too.
    // Agrona's jar is an automatic module (Automatic-Module-Name: org.agrona).
    requires transitive org.agrona;
    // sun.misc.Signal, the one supported way to catch a signal (SIGNAL wakeups).
    requires jdk.unsupported;

    exports io.ringbus.core;
    exports io.ringbus.core.ring;
    exports io.ringbus.core.os to io.ringbus.transport;
    exports io.ringbus.core.topic to io.ringbus.transport;
}
