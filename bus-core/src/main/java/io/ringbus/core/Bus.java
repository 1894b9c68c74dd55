package io.ringbus.core;

import io.ringbus.core.os.SharedFiles;
import io.ringbus.core.topic.ShmPublisher;
import io.ringbus.core.topic.ShmSubscriber;
import io.ringbus.core.topic.TopicFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A bus: a directory of topic files shared by any number of processes. Open one per process (or
 * more; each maps its topics separately), then make publishers and subscribers of named topics.
 *
 * <pre>{@code
 * try (Bus bus = Bus.open(new BusContext().busName("quotes"))) {
 *     Publisher publisher = bus.newPublisher("prices", new TopicConfig());
 *     publisher.offer("hello".getBytes());
 * }
 * }</pre>
 *
 * <p>Thread-safe. Closing the bus closes every publisher and subscriber it made and unmaps its
 * topics.
 */
public final class Bus implements AutoCloseable {
    private final BusContext context;
    /** The file each topic name opens now: what new endpoints use. */
    private final Map<String, TopicFile> topics = new HashMap<>();
    /**
     * Endpoints per mapped file, also of files no longer in {@link #topics} (removed from the directory while
     * mapped here): each is unmapped when its last endpoint closes.
     */
    private final Map<TopicFile, Integer> users = new IdentityHashMap<>();
    private final java.util.Set<AutoCloseable> endpoints = new java.util.LinkedHashSet<>();
    private boolean closed;

    private Bus(BusContext context) {
        this.context = context;
    }

    /**
     * Opens the bus directory, creating it (mode 0700, and its parent for the default location) if
     * needed, after checking that an existing one is a real directory owned by this user and not
     * writable by others.
     */
    public static Bus open(BusContext context) {
        context.conclude();
        Path directory = context.directory();
        if (directory.getParent() != null && directory.startsWith("/dev/shm/")
            && directory.getParent().getFileName().toString().startsWith("ringbus-")) {
            SharedFiles.ensureDirectory(directory.getParent());
        }
        SharedFiles.ensureDirectory(directory);
        return new Bus(context);
    }

    /** The concluded context. */
    public BusContext context() {
        return context;
    }

    /** A publisher on {@code topic}, created with the context's defaults if it does not exist. */
    public Publisher newPublisher(String topic) {
        return newPublisher(topic, new TopicConfig());
    }

    /**
     * A publisher on {@code topic}; the topic is created with {@code config} (filled with the context's
     * defaults) if it does not exist, or must match what {@code config} sets if it does.
     *
     * @throws TopicMismatchException when the existing topic differs
     * @throws CorruptRingException when the file is not a good topic, or another process truncated it
     */
    public synchronized Publisher newPublisher(String topic, TopicConfig config) {
        return newEndpoint(topic, config, ShmPublisher::new);
    }

    /** A subscriber on {@code topic} with default settings (latest, blocking, back-pressure). */
    public Subscriber newSubscriber(String topic) {
        return newSubscriber(topic, new TopicConfig(), new SubscriberConfig());
    }

    /**
     * A subscriber on {@code topic}, created with {@code topicConfig} if it does not exist.
     *
     * @throws TopicMismatchException when the existing topic differs from {@code topicConfig}
     * @throws CorruptRingException when the file is not a good topic, or another process truncated it
     */
    public synchronized Subscriber newSubscriber(String topic, TopicConfig topicConfig, SubscriberConfig config) {
        config.conclude(); // a bad subscriber config creates no topic
        return newEndpoint(topic, topicConfig, (file, onClose) -> new ShmSubscriber(file, config, onClose));
    }

    /**
     * Maps the topic (or uses this bus's mapping), makes the endpoint, and checks last, with a system call,
     * that the file is still whole: a truncation under any of it is a typed error, and that call is where
     * HotSpot delivers, at the latest, the {@code InternalError} of a faulting access above (see
     * {@link LostPages}), inside this try rather than in the caller.
     */
    private <E extends AutoCloseable> E newEndpoint(String topic, TopicConfig config,
        BiFunction<TopicFile, Runnable, E> factory) {
        TopicFile file = acquire(topic, config);
        List<E> made = new ArrayList<>(1);
        try {
            E endpoint = factory.apply(file,
                () -> releaseEndpoint(topic, file, made.isEmpty() ? null : made.getFirst()));
            made.add(endpoint);
            endpoints.add(endpoint);
            file.ensureWhole();
            return endpoint;
        } catch (RuntimeException failure) {
            discard(topic, file, made);
            throw failure;
        } catch (InternalError fault) {
            discard(topic, file, made);
            throw LostPages.typed(fault, file.path());
        }
    }

    /** After a failure making an endpoint: closes it if it was made (which releases the topic), else releases. */
    private void discard(String topic, TopicFile file, List<? extends AutoCloseable> made) {
        try {
            if (made.isEmpty()) {
                releaseEndpoint(topic, file, null);
            } else {
                made.getFirst().close();
            }
        } catch (Exception | InternalError alsoFailed) {
            // The first failure is the one to report; endpoints never throw for lost pages while closing.
        }
    }

    /**
     * The largest message of a topic this bus has open (through a publisher or subscriber it made).
     *
     * @throws IllegalStateException when the topic is not open here
     */
    public synchronized int maxMessageLength(String topic) {
        TopicFile file = topics.get(topic);
        if (file == null) {
            throw new IllegalStateException("topic '" + topic + "' is not open in this bus");
        }
        return file.shape().maxMessageLength();
    }

    /**
     * Whether the messages of a topic this bus has open carry their publish time ({@link TopicConfig#timestamps}).
     *
     * @throws IllegalStateException when the topic is not open here
     */
    public synchronized boolean timestamps(String topic) {
        TopicFile file = topics.get(topic);
        if (file == null) {
            throw new IllegalStateException("topic '" + topic + "' is not open in this bus");
        }
        return file.timestamps();
    }

    private TopicFile acquire(String topic, TopicConfig config) {
        if (closed) {
            throw new IllegalStateException("bus is closed");
        }
        BusContext.checkTopicName(topic);
        TopicFile file = topics.get(topic);
        if (file != null && !file.file().isAt(file.path())) {
            // Removed (and perhaps made anew) by another process since this bus mapped it: new endpoints open
            // what the path names now, as any other process would, and do not join a file nobody else can
            // find; the endpoints that have it keep it until they close.
            topics.remove(topic);
            file = null;
        }
        if (file == null) {
            file = TopicFile.openOrCreate(context.directory(), topic, config.shapeForCreation(context),
                context.fileMode(), config::differencesFrom);
            topics.put(topic, file);
        } else {
            String mismatch = config.differencesFrom(file.shape());
            if (mismatch != null) {
                throw new TopicMismatchException("Topic '" + topic + "' exists with another shape: " + mismatch);
            }
        }
        users.merge(file, 1, Integer::sum);
        return file;
    }

    private synchronized void releaseEndpoint(String topic, TopicFile file, AutoCloseable endpoint) {
        endpoints.remove(endpoint);
        Integer count = users.merge(file, -1, Integer::sum);
        if (count != null && count <= 0) {
            users.remove(file);
            topics.remove(topic, file);
            file.close();
        }
    }

    /** Closes every publisher and subscriber this bus made, then unmaps its topics. Idempotent. */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(endpoints);
            endpoints.clear();
        }
        for (AutoCloseable endpoint : toClose) {
            try {
                endpoint.close();
            } catch (Exception ignored) {
                // Closing is best effort; the OS releases the slots when the process exits anyway.
            }
        }
        synchronized (this) {
            topics.values().forEach(TopicFile::close);
            topics.clear();
            List.copyOf(users.keySet()).forEach(TopicFile::close); // files removed while mapped, if any left
            users.clear();
        }
    }
}
