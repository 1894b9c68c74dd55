package io.ringbus.transport.bridge;

import io.ringbus.core.BusContext;
import io.ringbus.core.WakeupMode;
import io.ringbus.transport.AuthToken;
import io.ringbus.transport.TransportUri;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * What a {@link Bridge} serves and how. Fluent setters; {@link #conclude()} fills defaults and
 * validates.
 */
public final class BridgeContext {
    private BusContext busContext;
    private final List<String> listen = new ArrayList<>();
    private final List<TransportUri> listenUris = new ArrayList<>();
    private boolean allowNonLoopback;
    private AuthToken authToken;
    private boolean insecure;
    private SSLContext tls;
    private final List<String> allowPublish = new ArrayList<>();
    private final List<String> allowSubscribe = new ArrayList<>();
    private List<Pattern> publishPatterns = List.of();
    private List<Pattern> subscribePatterns = List.of();
    private WakeupMode sessionWakeup = WakeupMode.BLOCKING;
    private Duration helloTimeout = Duration.ofSeconds(5);
    private int eventLoops = 2;
    private int dedicatedThreads = 8;
    private Consumer<String> log = line -> System.err.println("ringbus bridge: " + line);
    private boolean concluded;

    /**
     * A context with every default: the default bus, no listening path yet (add one with the setters,
     * or serve streams with {@link Bridge#serve}), loopback only, blocking session wakeups, a 5 s hello
     * timeout, log lines on standard error.
     */
    public BridgeContext() {
    }

    /** The bus whose topics are served (default: {@code new BusContext()}). */
    public BridgeContext busContext(BusContext busContext) {
        this.busContext = busContext;
        return this;
    }

    /** Adds a place to listen: {@code unix:PATH}, {@code tcp://HOST:PORT} or {@code fifo:DIR}. */
    public BridgeContext listen(String uri) {
        listen.add(uri);
        return this;
    }

    /**
     * Whether a TCP listener may bind an address other than loopback (default false). Only with an
     * {@link #authToken}, or with {@link #insecure} said in so many words: {@link #conclude()} refuses it
     * otherwise.
     */
    public BridgeContext allowNonLoopback(boolean allowNonLoopback) {
        this.allowNonLoopback = allowNonLoopback;
        return this;
    }

    /**
     * The token TCP clients must prove they hold (default none: TCP clients are not authenticated). With
     * one, every TCP connection's hello is answered with a {@code CHALLENGE} and served only after a right
     * {@code AUTH} (see {@link AuthToken}); Unix sockets keep their {@code SO_PEERCRED} check and need no
     * token (a client that has one connects all the same).
     */
    public BridgeContext authToken(AuthToken authToken) {
        this.authToken = authToken;
        return this;
    }

    /**
     * Encrypts every TCP connection with TLS through this context (default none: plaintext TCP); make one with
     * {@code TlsContexts.server}. A client that does not speak TLS fails the handshake and is closed, with a
     * line in the log. TLS connections are served on a thread each (the event loops serve plaintext sockets).
     */
    public BridgeContext tls(SSLContext tls) {
        this.tls = tls;
        return this;
    }

    /**
     * Whether {@link #allowNonLoopback} may go without an {@link #authToken} (default false): anyone who
     * reaches the port may then publish and subscribe to every topic allowed.
     */
    public BridgeContext insecure(boolean insecure) {
        this.insecure = insecure;
        return this;
    }

    /**
     * Adds a glob of the topics clients may publish to (repeatable; without any, every topic): {@code *}
     * stands for any run of characters, {@code ?} for one, anything else for itself ({@code prices.*}).
     * A publisher's hello for another topic gets a {@code REJECT} naming the topic and the option. Applies
     * to every connection of the bridge, whatever its path; not to processes on shared memory.
     */
    public BridgeContext allowPublish(String glob) {
        allowPublish.add(glob);
        return this;
    }

    /** Adds a glob of the topics clients may subscribe to, as {@link #allowPublish} for publishers. */
    public BridgeContext allowSubscribe(String glob) {
        allowSubscribe.add(glob);
        return this;
    }

    /**
     * How the bridge's own subscribers on dedicated threads ({@link #dedicatedThreads}, and every pipe,
     * FIFO and message-queue connection) wait for messages to forward: {@code BLOCKING} (default; costs
     * one futex wakeup per idle-to-busy transition) or {@code SPIN} (lowest latency, a core per
     * subscriber connection). Subscriptions on the event loops wait as the loop does, whatever this says.
     */
    public BridgeContext sessionWakeup(WakeupMode sessionWakeup) {
        this.sessionWakeup = sessionWakeup;
        return this;
    }

    /**
     * How many event loops serve Unix and TCP connections (default 2): each is two threads (the loop and its
     * ring watch) whatever the number of connections. 0 serves every connection on a thread of its own, as
     * pipe, FIFO and message-queue connections always are.
     */
    public BridgeContext eventLoops(int eventLoops) {
        this.eventLoops = eventLoops;
        return this;
    }

    /**
     * How many socket connections, the first ones, get a thread of their own instead of an event loop
     * (default 8; 0 puts every socket connection on the loops). Such a thread spins for
     * {@code SpinBeforeWait} before it waits and is woken by a publisher directly, so a client's round trip
     * stays as short as the machine allows; on a loop, a subscriber idle past its spin is woken through the
     * loop's ring watch, a wakeup more. Only with {@link #eventLoops} above 0.
     */
    public BridgeContext dedicatedThreads(int dedicatedThreads) {
        this.dedicatedThreads = dedicatedThreads;
        return this;
    }

    /** How long a new connection may take to say hello before it is closed (default 5 s). */
    public BridgeContext helloTimeout(Duration helloTimeout) {
        this.helloTimeout = helloTimeout;
        return this;
    }

    /** Where the bridge reports refused peers and malformed frames, one line each (default stderr). */
    public BridgeContext log(Consumer<String> log) {
        this.log = log;
        return this;
    }

    /** Fills defaults and validates; returns this. */
    public BridgeContext conclude() {
        if (concluded) {
            return this;
        }
        if (busContext == null) {
            busContext = new BusContext();
        }
        for (String text : listen) {
            TransportUri uri = TransportUri.parse(text);
            if (uri.kind() == TransportUri.Kind.SHM || uri.kind() == TransportUri.Kind.PIPE) {
                throw new IllegalArgumentException("A bridge listens on unix:, tcp:// or fifo:, not " + uri
                    + " (pipes are served with Bridge.serve)");
            }
            listenUris.add(uri);
        }
        publishPatterns = globs(allowPublish, "allowPublish");
        subscribePatterns = globs(allowSubscribe, "allowSubscribe");
        if (allowNonLoopback && authToken == null && !insecure) {
            throw new IllegalArgumentException("allowNonLoopback without an authToken lets anyone who reaches the"
                + " port publish and subscribe: give an authToken, or say insecure(true) if that is what you want");
        }
        if (sessionWakeup == WakeupMode.SIGNAL) {
            throw new IllegalArgumentException("sessionWakeup must be BLOCKING or SPIN");
        }
        if (helloTimeout == null || helloTimeout.isNegative() || helloTimeout.isZero()) {
            throw new IllegalArgumentException("helloTimeout must be positive, not " + helloTimeout);
        }
        if (eventLoops < 0 || eventLoops > 64) {
            throw new IllegalArgumentException("eventLoops must be 0 to 64, not " + eventLoops);
        }
        if (dedicatedThreads < 0 || dedicatedThreads > 1024) {
            throw new IllegalArgumentException("dedicatedThreads must be 0 to 1024, not " + dedicatedThreads);
        }
        if (log == null) {
            throw new IllegalArgumentException("log must not be null");
        }
        concluded = true;
        return this;
    }

    private static List<Pattern> globs(List<String> globs, String option) {
        List<Pattern> patterns = new ArrayList<>();
        for (String glob : globs) {
            if (glob == null || glob.isEmpty() || !glob.matches("[A-Za-z0-9._*?-]+")) {
                throw new IllegalArgumentException(option + " '" + glob + "' must be a topic name in which * stands"
                    + " for any characters and ? for one");
            }
            StringBuilder regex = new StringBuilder();
            for (char c : glob.toCharArray()) {
                regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
            }
            patterns.add(Pattern.compile(regex.toString()));
        }
        return List.copyOf(patterns);
    }

    /** The bus context. */
    public BusContext busContext() {
        return busContext;
    }

    /** The parsed listen URIs. */
    public List<TransportUri> listenUris() {
        return List.copyOf(listenUris);
    }

    /** Whether non-loopback TCP is allowed. */
    public boolean allowNonLoopback() {
        return allowNonLoopback;
    }

    /** The token TCP clients must prove they hold, or null. */
    public AuthToken authToken() {
        return authToken;
    }

    /** The globs of topics clients may publish to; empty: every topic. */
    public List<String> allowedPublish() {
        return List.copyOf(allowPublish);
    }

    /** The globs of topics clients may subscribe to; empty: every topic. */
    public List<String> allowedSubscribe() {
        return List.copyOf(allowSubscribe);
    }

    /** Whether a client may publish to ({@code publish}) or subscribe to {@code topic} (after conclude). */
    public boolean allows(boolean publish, String topic) {
        List<Pattern> patterns = publish ? publishPatterns : subscribePatterns;
        if (patterns.isEmpty()) {
            return true;
        }
        for (Pattern pattern : patterns) {
            if (pattern.matcher(topic).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The TLS context of TCP listeners, or null. */
    public SSLContext tls() {
        return tls;
    }

    /** Whether non-loopback TCP may go without authentication. */
    public boolean insecure() {
        return insecure;
    }

    /** The sessions' wakeup mode. */
    public WakeupMode sessionWakeup() {
        return sessionWakeup;
    }

    /** Event loops for socket connections (0: a thread per connection). */
    public int eventLoops() {
        return eventLoops;
    }

    /** Socket connections served on threads of their own before the event loops take the rest. */
    public int dedicatedThreads() {
        return dedicatedThreads;
    }

    /** Hello timeout. */
    public Duration helloTimeout() {
        return helloTimeout;
    }

    /** The log. */
    public Consumer<String> log() {
        return log;
    }
}
