package io.ringbus.stress.process;

import io.ringbus.core.ring.ProducerMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a stress run does: its processes, its topic, its messages, how long, which faults at what
 * rates. Fluent setters; {@link #conclude()} validates.
 */
public final class StressOptions {
    /** How long an evictable subscriber may stall publishers before they evict it (shorter than most sub-stops). */
    public static final long EVICT_AFTER_MILLIS = 200;
    private int publishers = 2;
    private int subscribers = 2;
    private int durable = 1;
    private int evictable;
    private ProducerMode producerMode = ProducerMode.MANY;
    private Duration duration = Duration.ofSeconds(30);
    private long count = -1;
    private Via via = Via.SHM;
    private String size = "random";
    private int capacity = 64 * 1024;
    private int maxMessage;
    private String wakeup = "blocking";
    private final Map<FaultKind, Double> rates = new EnumMap<>(FaultKind.class);
    private long seed = System.nanoTime();
    private Path scratchParent;
    private Set<String> selfTest = Set.of();
    private Duration hangLimit = Duration.ofSeconds(10);
    private String cliMain;

    /** Every fault on, at its default rate. */
    public StressOptions() {
        faults("all");
    }

    /** Publisher processes (at once; each replaced when killed). */
    public StressOptions publishers(int publishers) {
        this.publishers = publishers;
        return this;
    }

    /** Subscriber processes, of which {@link #durable(int)} are durable. */
    public StressOptions subscribers(int subscribers) {
        this.subscribers = subscribers;
        return this;
    }

    /** How many of the subscribers are durable. */
    public StressOptions durable(int durable) {
        this.durable = durable;
        return this;
    }

    /**
     * How many of the non-durable subscribers are evictable ({@code SlowConsumerPolicy.EVICT} after
     * {@link #EVICT_AFTER_MILLIS} of stalling): they may lose messages, but only where their loss listener said
     * so before the gap.
     */
    public StressOptions evictable(int evictable) {
        this.evictable = evictable;
        return this;
    }

    /**
     * The main topic's producer mode: {@link ProducerMode#MANY} (default), or {@link ProducerMode#SINGLE} with
     * one publisher role (each replacement takes over the slot of the one killed before it).
     */
    public StressOptions producerMode(ProducerMode producerMode) {
        this.producerMode = producerMode;
        return this;
    }

    /** How long publishers publish (unless {@link #count(long)} is set). */
    public StressOptions duration(Duration duration) {
        this.duration = duration;
        return this;
    }

    /** Publish about this many messages in all, instead of for a duration (-1: use the duration). */
    public StressOptions count(long count) {
        this.count = count;
        return this;
    }

    /** The path the processes take to the bus. */
    public StressOptions via(Via via) {
        this.via = via;
        return this;
    }

    /** Message size: a number of bytes, or {@code random} (a mix up to the maximum). */
    public StressOptions size(String size) {
        this.size = size;
        return this;
    }

    /** Ring capacity of the topic. */
    public StressOptions capacity(int capacity) {
        this.capacity = capacity;
        return this;
    }

    /** Maximum message length (0: capacity / 8). */
    public StressOptions maxMessage(int maxMessage) {
        this.maxMessage = maxMessage;
        return this;
    }

    /** How subscribers wait: blocking, spin or signal. */
    public StressOptions wakeup(String wakeup) {
        this.wakeup = wakeup;
        return this;
    }

    /** Seed of every random choice the harness makes (timing is not reproducible). */
    public StressOptions seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Where the run's scratch directory is made (default /dev/shm, else the temporary directory). */
    public StressOptions scratchParent(Path scratchParent) {
        this.scratchParent = scratchParent;
        return this;
    }

    /**
     * How long a process that should make progress may make none before it counts as hung (a finding,
     * with what its topic looks like; the process is then killed so that the run goes on). A
     * publisher should while it publishes, is not stopped and every subscriber that may hold it back
     * is live; a subscriber should while it is not stopped and messages it must receive are committed.
     */
    public StressOptions hangLimit(Duration hangLimit) {
        this.hangLimit = hangLimit;
        return this;
    }

    /**
     * The {@code bus} CLI's main class (on this JVM's class path), for the faults that run it
     * ({@code cli-sub}, {@code cli-truncate}); null (the default) skips them, with the reason.
     * {@code bus stress} sets it.
     */
    public StressOptions cli(String mainClass) {
        this.cliMain = mainClass;
        return this;
    }

    /**
     * Breaks the harness's own run on purpose, to prove that its checks see what they must: {@code lose}
     * (subscribers ignore one message in 10,007, which must show as lost), {@code tear} (publishers
     * spoil one message in 10,009 after its CRC, which must show as torn), {@code leftover} (a stray
     * file in the bus directory, which must show as a leftover), {@code crash} (the first publisher's JVM
     * crashes after 50,000 messages, which must show as a JVM crash), {@code hang} (the last subscriber
     * stops reading after 50,000 messages but stays joined, which must show as hung), {@code trace} (the
     * first publisher prints a stack trace on standard error, which must show as a stack trace),
     * {@code unreported} (evictable subscribers' loss listeners hear nothing, so what they miss must show as
     * lost). Comma-separated; empty for none.
     */
    public StressOptions selfTest(String spec) {
        Set<String> chosen = new TreeSet<>();
        for (String item : spec.split(",")) {
            String word = item.trim();
            if (word.isEmpty()) {
                continue;
            }
            if (!List.of("lose", "tear", "leftover", "crash", "hang", "trace", "unreported").contains(word)) {
                throw new IllegalArgumentException("self-test '" + word
                    + "' must be lose, tear, leftover, crash, hang, trace or unreported");
            }
            chosen.add(word);
        }
        this.selfTest = Set.copyOf(chosen);
        return this;
    }

    /**
     * Which faults at which rates (replacing the earlier choice): a comma-separated list, read in order,
     * of {@code all} (every fault at its default rate), {@code none}, {@code KIND} (at its default rate),
     * {@code KIND=RATE} (per minute; 0 is off) or {@code -KIND} (off). So {@code pub-kill=20} is that
     * fault alone, and {@code all,-full-fs} every fault but one.
     */
    public StressOptions faults(String spec) {
        rates.clear();
        for (String item : spec.split(",")) {
            String word = item.trim();
            if (word.isEmpty()) {
                continue;
            }
            if (word.equals("all")) {
                for (FaultKind kind : FaultKind.values()) {
                    rates.put(kind, kind.defaultRate());
                }
            } else if (word.equals("none")) {
                rates.clear();
            } else if (word.startsWith("-")) {
                rates.remove(FaultKind.of(word.substring(1)));
            } else {
                int eq = word.indexOf('=');
                FaultKind kind = FaultKind.of(eq < 0 ? word : word.substring(0, eq));
                double rate = eq < 0 ? kind.defaultRate() : parseRate(word.substring(eq + 1), word);
                if (rate > 0) {
                    rates.put(kind, rate);
                } else {
                    rates.remove(kind);
                }
            }
        }
        return this;
    }

    private static double parseRate(String text, String item) {
        try {
            double rate = Double.parseDouble(text);
            if (rate < 0 || rate > 600 || Double.isNaN(rate)) {
                throw new NumberFormatException();
            }
            return rate;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("fault rate in '" + item + "' must be a number of faults per minute"
                + " between 0 and 600");
        }
    }

    /** Validates; returns this. */
    public StressOptions conclude() {
        require(publishers >= 1 && publishers <= 8, "--publishers must be between 1 and 8");
        require(subscribers >= 1 && subscribers <= 8, "--subscribers must be between 1 and 8");
        require(durable >= 0 && durable <= subscribers, "--durable must be between 0 and --subscribers");
        require(evictable >= 0 && durable + evictable <= subscribers,
            "--evictable must be between 0 and --subscribers minus --durable (durable subscribers stay tethered)");
        require(producerMode != null, "--producer-mode must be single or many");
        require(producerMode == ProducerMode.MANY || (publishers == 1 && via == Via.SHM),
            "--producer-mode single needs --publishers 1 and --via shm (a bridge or a gateway makes its topics for"
                + " many producers)");
        require(count == -1 || count > 0, "--count must be positive");
        require(duration != null && !duration.isNegative() && !duration.isZero() && duration.toDays() <= 7,
            "--duration must be positive and at most 7 days");
        require(Integer.bitCount(capacity) == 1 && capacity >= 4096 && capacity <= (1 << 30),
            "--capacity must be a power of two between 4k and 1g");
        require(maxMessage == 0 || (maxMessage >= StressMessage.HEADER_LENGTH && maxMessage <= capacity / 8),
            "--max-message must be between 16 and capacity / 8");
        require(wakeup.equals("blocking") || wakeup.equals("spin") || wakeup.equals("signal"),
            "--wakeup must be blocking, spin or signal");
        require(hangLimit != null && hangLimit.toMillis() >= 1000 && hangLimit.toMinutes() <= 10,
            "--hang-limit must be between 1 s and 10 min");
        via.checkAvailable();
        MessageSizes.parse(size, maxMessage());
        return this;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    public int publishers() {
        return publishers;
    }

    public int subscribers() {
        return subscribers;
    }

    public int durable() {
        return durable;
    }

    /** The main topic's producer mode. */
    public ProducerMode producerMode() {
        return producerMode;
    }

    /** How many subscribers, after the durable ones, are evictable. */
    public int evictable() {
        return evictable;
    }

    public Duration duration() {
        return duration;
    }

    public long count() {
        return count;
    }

    public Via via() {
        return via;
    }

    public String size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** The maximum message length (capacity / 8 unless set). */
    public int maxMessage() {
        return maxMessage > 0 ? maxMessage : capacity / 8;
    }

    public String wakeup() {
        return wakeup;
    }

    public long seed() {
        return seed;
    }

    /** The self-test breakages chosen (empty normally). */
    public Set<String> selfTest() {
        return selfTest;
    }

    public Duration hangLimit() {
        return hangLimit;
    }

    /** The CLI's main class, or null when the run has none. */
    public String cli() {
        return cliMain;
    }

    /** Rates per minute of the faults that are on. */
    public Map<FaultKind, Double> rates() {
        return Collections.unmodifiableMap(new EnumMap<>(rates));
    }

    /** The scratch directory's parent. */
    public Path scratchParent() {
        if (scratchParent != null) {
            return scratchParent;
        }
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }
}
