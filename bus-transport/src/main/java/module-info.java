/**
 * ringbus transport: the publish/subscribe API of {@code io.ringbus.core} over pipes, FIFOs, Unix and
 * TCP sockets, and the bridge that serves a bus to them. The API is {@code io.ringbus.transport} (start
 * at {@code BusClients}), {@code io.ringbus.transport.bridge} to host a bridge,
 * {@code io.ringbus.transport.frame}, the frame format, {@code io.ringbus.transport.stream}, the byte
 * streams a bridge serves, {@code io.ringbus.transport.gateway}, topics across hosts over Aeron, and
 * {@code io.ringbus.transport.record}, topics recorded into Chronicle Queues and replayed; the client and shm
 * packages are internal.
 */
module io.ringbus.transport {
    // BusClient hands out io.ringbus.core's Publisher and Subscriber.
    requires transitive io.ringbus.core;
    // SO_PEERCRED: the bridge serves a Unix socket to its own user only.
    requires jdk.net;

    exports io.ringbus.transport;
    exports io.ringbus.transport.bridge;
    exports io.ringbus.transport.frame;
    // Bridge.serve takes a ByteStream (pipes to a child, from FdStream), and a new path is added here.
    exports io.ringbus.transport.stream;
    // Codec views: Chronicle Bytes is optional (a user who never touches the views needs neither the jar
    // nor its JVM flags); Agrona comes with io.ringbus.core.
    requires static chronicle.bytes;
    exports io.ringbus.transport.codec;
    // The Aeron gateway: Aeron is optional too (its JVM flag with it); agrona comes with io.ringbus.core.
    requires static io.aeron.client;
    requires static io.aeron.driver;
    exports io.ringbus.transport.gateway;
    // Recording into Chronicle Queues (bus record, bus replay): optional as well, with Chronicle's flags.
    requires static chronicle.queue;
    requires static chronicle.wire;
    exports io.ringbus.transport.record;
}
