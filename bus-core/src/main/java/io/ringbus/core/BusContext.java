package io.ringbus.core;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RingConfig;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where a bus keeps its topics and what new topics look like by default. Fluent setters;
 * {@link #conclude()} fills defaults and validates, and {@link Bus#open} calls it.
 *
 * <p>Defaults can come from system properties, the whole namespace being:
 * {@code ringbus.dir} (the bus directory) and {@code ringbus.bus} (the bus name). Without them the
 * directory is {@code /dev/shm/ringbus-$USER/<bus name>}, bus name {@code default}. Any directory
 * works; one on disk keeps topics across a reboot.
 */
public final class BusContext {
    /** Property naming the bus directory. */
    public static final String DIR_PROPERTY = "ringbus.dir";
    /** Property naming the bus. */
    public static final String BUS_PROPERTY = "ringbus.bus";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private String busName;
    private Path directory;
    private int fileMode = 0600;
    private int defaultCapacity = RingConfig.DEFAULT_CAPACITY;
    private ProducerMode defaultProducerMode = ProducerMode.MANY;
    private int defaultMaxPublishers = 16;
    private int defaultMaxSubscribers = RingConfig.DEFAULT_MAX_CURSORS;
    private boolean concluded;

    /**
     * A context with every default (see the class comment for the properties that may set them); the
     * setters change it until {@link #conclude()}.
     */
    public BusContext() {
    }

    /** The bus name: letters, digits, '.', '_' and '-'. */
    public BusContext busName(String busName) {
        this.busName = busName;
        return this;
    }

    /** The directory holding the bus's topic files; overrides the bus name's default location. */
    public BusContext directory(Path directory) {
        this.directory = directory;
        return this;
    }

    /**
     * Mode of new topic files: 0600 (owner only, the default) or 0660 (the owner's group too; the
     * directory must then be group-accessible, which the bus does not change for you).
     */
    public BusContext fileMode(int fileMode) {
        this.fileMode = fileMode;
        return this;
    }

    /** Ring capacity of new topics. */
    public BusContext defaultCapacity(int defaultCapacity) {
        this.defaultCapacity = defaultCapacity;
        return this;
    }

    /** Producer mode of new topics. */
    public BusContext defaultProducerMode(ProducerMode defaultProducerMode) {
        this.defaultProducerMode = defaultProducerMode;
        return this;
    }

    /** Publisher slots of new topics. */
    public BusContext defaultMaxPublishers(int defaultMaxPublishers) {
        this.defaultMaxPublishers = defaultMaxPublishers;
        return this;
    }

    /** Subscriber slots of new topics. */
    public BusContext defaultMaxSubscribers(int defaultMaxSubscribers) {
        this.defaultMaxSubscribers = defaultMaxSubscribers;
        return this;
    }

    /** Fills defaults and validates; returns this. Idempotent. */
    public BusContext conclude() {
        if (concluded) {
            return this;
        }
        if (busName == null) {
            busName = System.getProperty(BUS_PROPERTY, "default");
        }
        if (!NAME.matcher(busName).matches()) {
            throw new IllegalArgumentException("bus name '" + busName + "' must be 1-100 letters, digits, '.', '_'"
                + " or '-', starting with a letter or digit");
        }
        if (directory == null) {
            String configured = System.getProperty(DIR_PROPERTY);
            directory = configured != null ? Path.of(configured) : defaultDirectory(busName);
        }
        directory = directory.toAbsolutePath().normalize();
        if (fileMode != 0600 && fileMode != 0660) {
            throw new IllegalArgumentException("fileMode 0" + Integer.toOctalString(fileMode)
                + " must be 0600 (owner only) or 0660 (owner and group)");
        }
        new TopicConfig().shapeForCreation(this);
        concluded = true;
        return this;
    }

    /** {@code /dev/shm/ringbus-$USER/<bus>}. */
    public static Path defaultDirectory(String busName) {
        String user = System.getProperty("user.name", "unknown").replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of("/dev/shm", "ringbus-" + user, busName);
    }

    /**
     * Checks that a topic name is acceptable as a file name: 1 to 100 letters, digits, '.', '_' or '-',
     * starting with a letter or digit.
     *
     * @throws IllegalArgumentException naming the topic when it is not
     */
    public static void checkTopicName(String topic) {
        if (topic == null || !NAME.matcher(topic).matches()) {
            throw new IllegalArgumentException("topic name '" + topic + "' must be 1-100 letters, digits, '.', '_'"
                + " or '-', starting with a letter or digit");
        }
    }

    /** The bus name; before {@link #conclude()}, null unless set. */
    public String busName() {
        return busName;
    }

    /**
     * The directory of the bus's topic files: absolute and normalised after {@link #conclude()};
     * before, null unless set.
     */
    public Path directory() {
        return directory;
    }

    /** The mode new topic files are created with: 0600 (the default) or 0660. */
    public int fileMode() {
        return fileMode;
    }

    /** The ring capacity, in bytes, of topics created without one: 1 MiB unless set. */
    public int defaultCapacity() {
        return defaultCapacity;
    }

    /** The producer mode of topics created without one: {@link ProducerMode#MANY} unless set. */
    public ProducerMode defaultProducerMode() {
        return defaultProducerMode;
    }

    /** Publisher slots of topics created without a number: 16 unless set. */
    public int defaultMaxPublishers() {
        return defaultMaxPublishers;
    }

    /** Subscriber slots of topics created without a number: 64 unless set. */
    public int defaultMaxSubscribers() {
        return defaultMaxSubscribers;
    }
}
