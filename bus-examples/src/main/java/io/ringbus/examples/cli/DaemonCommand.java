package io.ringbus.examples.cli;

import io.ringbus.core.BusContext;
import io.ringbus.core.os.Daemons;
import io.ringbus.core.os.Processes;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.transport.AuthToken;
import io.ringbus.transport.TlsContexts;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.bridge.BridgeContext;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bus daemon}: runs a {@link Bridge} that serves the topics of one bus to stream clients on
 * Unix sockets, TCP or FIFOs, until SIGTERM or SIGINT, which stop it cleanly (listeners closed,
 * socket files and FIFOs removed, pid file removed, exit 0). {@code --detach} starts it as a daemon
 * in a new session and returns once it is listening.
 */
@Command(name = "daemon",
    mixinStandardHelpOptions = true,
    description = {"Serves the topics of a bus to clients that reach it over a Unix socket, TCP, FIFOs or POSIX"
            + " message queues (./bus pub/sub --via URI, BusClients.open(URI) in Java, or any program speaking the"
            + " frame format)."
            + " Prints one line per listener, then runs until SIGTERM or SIGINT (Ctrl-C), which stop it cleanly:"
            + " it closes every connection, removes its socket files and its pid file, and exits 0.",
        "Unix sockets are made mode 0600 in a 0700 directory and serve only peers of the same user"
            + " (SO_PEERCRED); TCP listens on loopback only unless --allow-remote is given, requires a token"
            + " with --auth-token-file, and is encrypted with --tls-keystore.",
        "mq:/NAME serves POSIX message queues: a request queue /NAME (0600) and a pair of 0600 queues per client."
            + " The kernel's limits apply (fs.mqueue.msg_max, msgsize_max, queues_max in /proc/sys/fs/mqueue, and"
            + " the user's RLIMIT_MSGQUEUE, ulimit -q): each client connection takes 2 x maxmsg x (msgsize + 96) bytes"
            + " of the latter; ./bus stat shows them while an mq daemon runs.",
        "A pid file (default DIR/daemon.pid) holds the daemon's pid and a lock it keeps while it runs: a second"
            + " daemon with the same pid file is refused; one left by a daemon that died is replaced."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"0:stopped by SIGTERM or SIGINT (it handles both, so never 130 or 143); with --detach: the"
            + " daemon is running",
        "1:a failure the one-line message explains (address in use, a live daemon has the pid file, ...)",
        ExitCodes.USAGE},
    footer = {"", "Examples:",
        "  ./bus daemon --dir /tmp/rb/bus --listen unix:/tmp/rb/bus.sock     # foreground",
        "  ./bus daemon --bus b --listen tcp://127.0.0.1:7400 --detach       # background",
        "  kill $(cat /dev/shm/ringbus-$USER/b/daemon.pid)                   # stops it"})
public final class DaemonCommand implements Callable<Integer> {
    /** The hidden option a detaching daemon passes to the child it starts. */
    static final String DETACHED_CHILD_OPTION = "--detached-child";
    /** Name of the pid file in the bus directory when {@code --pid-file} is not given. */
    static final String PID_FILE_NAME = "daemon.pid";
    /** Name of the log file in the bus directory when {@code --log} is not given. */
    static final String LOG_FILE_NAME = "daemon.log";
    /** The start of the line the daemon prints for each listener. */
    static final String LISTENING = "listening on ";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Option(names = "--listen", paramLabel = "URI", required = true, arity = "1..*",
        description = "Where to listen (repeatable): unix:/PATH/bus.sock, tcp://127.0.0.1:PORT (port 0: any free"
            + " port, printed), fifo:/DIR, mq:/NAME.")
    List<String> listen;

    @Option(names = "--allow-remote",
        description = "Let a tcp:// listener bind an address other than loopback. Needs --auth-token-file, or"
            + " --insecure to let anyone who can reach the port publish and subscribe.")
    boolean allowRemote;

    @Option(names = "--insecure",
        description = "With --allow-remote and no --auth-token-file: serve TCP clients without authentication,"
            + " anyone who can reach the port. Refused without it.")
    boolean insecure;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
        description = "Require TCP clients to prove they hold the token in FILE (mode 0600: only its owner may read"
            + " it): each hello is answered with a fresh random challenge, and a client is served only if it"
            + " answers with HMAC-SHA256 of it (./bus pub|sub --auth-token-file FILE). The token never crosses the"
            + " connection and a recorded exchange does not open another. Unix sockets need no token.")
    Path authTokenFile;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
        description = "Encrypt TCP with TLS: the daemon's key and certificate in a PKCS#12 key store (keytool"
            + " -genkeypair -storetype PKCS12), with --tls-keystore-password-file. Clients then need --tls-cert.")
    Path tlsKeyStore;

    @Option(names = "--tls-keystore-password-file", paramLabel = "FILE",
        description = "The password of --tls-keystore, in a file only its owner may read (chmod 600).")
    Path tlsPasswordFile;

    @Option(names = "--allow-publish", paramLabel = "PATTERN",
        description = "Let clients publish only to topics matching PATTERN (repeatable; default: every topic): * stands"
            + " for any characters, ? for one (prices.*). Another topic's hello is refused, naming it.")
    List<String> allowPublish = List.of();

    @Option(names = "--allow-subscribe", paramLabel = "PATTERN",
        description = "Let clients subscribe only to topics matching PATTERN (repeatable; default: every topic), as"
            + " --allow-publish.")
    List<String> allowSubscribe = List.of();

    @Option(names = "--event-loops", paramLabel = "N",
        description = "Event loops serving Unix and TCP connections (default 2; 0 to 64): two threads each, whatever"
            + " the number of connections. 0 gives every connection a thread of its own.")
    Integer eventLoops;

    @Option(names = "--dedicated-threads", paramLabel = "N",
        description = "How many socket connections, the first ones, get a thread of their own for the shortest round"
            + " trip (default 8; 0 puts every one on the event loops).")
    Integer dedicatedThreads;

    @Option(names = "--detach",
        description = "Run in the background: starts the daemon as a new process (a new session, working directory"
            + " /, umask 077, standard input /dev/null, output to --log), waits until it listens, prints its pid,"
            + " and exits 0; or prints its error and exits 1.")
    boolean detach;

    @Option(names = "--log", paramLabel = "FILE",
        description = "Log of a --detach daemon: its output and the bridge's messages (default: DIR/daemon.log).")
    Path logFile;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Pid file (default: DIR/daemon.pid).")
    Path pidFile;

    @Option(names = DETACHED_CHILD_OPTION, hidden = true)
    boolean detachedChild;

    /** The time at the start of a log line. */
    static String timestamp() {
        return LocalDateTime.now().format(TIME);
    }

    @Override
    public Integer call() throws Exception {
        BusContext busContext = bus.context();
        Path directory = busContext.directory().toAbsolutePath();
        Path pidPath = pidFile != null ? pidFile.toAbsolutePath() : directory.resolve(PID_FILE_NAME);
        Path logPath = logFile != null ? logFile.toAbsolutePath() : directory.resolve(LOG_FILE_NAME);
        PrintWriter err = spec.commandLine().getErr();
        BridgeContext bridgeContext = new BridgeContext()
            .busContext(busContext)
            .allowNonLoopback(allowRemote)
            .insecure(insecure)
            .log(line -> {
                err.println(timestamp() + " " + line);
                err.flush();
            });
        listen.forEach(bridgeContext::listen);
        List<String> threadOptions = new java.util.ArrayList<>();
        if (allowRemote && authTokenFile == null && !insecure) {
            throw new ParameterException(spec.commandLine(), "--allow-remote without --auth-token-file lets anyone"
                + " who can reach the port publish and subscribe to every topic: add --auth-token-file FILE, or"
                + " --insecure if that is what you want");
        }
        if (authTokenFile != null) {
            bridgeContext.authToken(AuthToken.readFile(authTokenFile)); // refused here, before any detaching
            threadOptions.addAll(List.of("--auth-token-file", authTokenFile.toAbsolutePath().toString()));
        }
        if (insecure) {
            threadOptions.add("--insecure");
        }
        if ((tlsKeyStore == null) != (tlsPasswordFile == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-keystore and --tls-keystore-password-file go"
                + " together: give both");
        }
        if (tlsKeyStore != null) {
            bridgeContext.tls(TlsContexts.server(tlsKeyStore, tlsPasswordFile));
            threadOptions.addAll(List.of("--tls-keystore", tlsKeyStore.toAbsolutePath().toString(),
                "--tls-keystore-password-file", tlsPasswordFile.toAbsolutePath().toString()));
        }
        for (String glob : allowPublish) {
            bridgeContext.allowPublish(glob);
            threadOptions.addAll(List.of("--allow-publish", glob));
        }
        for (String glob : allowSubscribe) {
            bridgeContext.allowSubscribe(glob);
            threadOptions.addAll(List.of("--allow-subscribe", glob));
        }
        if (eventLoops != null) {
            bridgeContext.eventLoops(eventLoops);
            threadOptions.addAll(List.of("--event-loops", eventLoops.toString()));
        }
        if (dedicatedThreads != null) {
            bridgeContext.dedicatedThreads(dedicatedThreads);
            threadOptions.addAll(List.of("--dedicated-threads", dedicatedThreads.toString()));
        }
        List<TransportUri> uris;
        try {
            uris = bridgeContext.conclude().listenUris();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new ParameterException(spec.commandLine(), message.startsWith("eventLoops")
                ? message.replaceFirst("eventLoops", "--event-loops")
                : message.startsWith("dedicatedThreads")
                ? message.replaceFirst("dedicatedThreads", "--dedicated-threads")
                : message.startsWith("allowPublish")
                ? message.replaceFirst("allowPublish", "--allow-publish")
                : message.startsWith("allowSubscribe")
                ? message.replaceFirst("allowSubscribe", "--allow-subscribe")
                : "--listen: " + message);
        }
        if (detach && !detachedChild) {
            return new DetachedDaemon(directory, uris, allowRemote, pidPath, logPath, threadOptions)
                .launch(spec.commandLine().getOut(), err);
        }
        if (detachedChild) {
            Daemons.newSession();
            Daemons.setUmask(0077);
        }
        return serve(bridgeContext, directory, pidPath, logPath);
    }

    private int serve(BridgeContext bridgeContext, Path directory, Path pidPath, Path logPath)
        throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        SharedFiles.ensureDirectory(directory);
        PidFile.checkNotRunning(pidPath);
        CountDownLatch stop = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        try (TerminationSignals.Installed handlers = TerminationSignals.handle(signal -> {
            received.set(signal);
            stop.countDown();
        })) {
            return serveUntilStopped(bridgeContext, directory, pidPath, logPath, stop, received);
        }
    }

    private int serveUntilStopped(BridgeContext bridgeContext, Path directory, Path pidPath, Path logPath,
        CountDownLatch stop, AtomicInteger received) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Bridge bridge = Bridge.start(bridgeContext);
        PidFile pid;
        try {
            for (TransportUri uri : bridge.listening()) {
                out.println(LISTENING + uri);
            }
            out.flush();
            pid = PidFile.claim(pidPath);
        } catch (RuntimeException e) {
            bridge.close();
            throw e;
        }
        // Other ends (SIGHUP, an error elsewhere) still close the bridge and remove the pid file.
        Thread cleanup = new Thread(() -> {
            bridge.close();
            pid.close();
        }, "bus-daemon-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        out.println("daemon pid " + Processes.currentPid() + " serving bus " + directory + "; pid file " + pidPath
            + (detachedChild ? "; log " + logPath : ""));
        out.flush();
        stop.await();
        bridgeContext.log().accept("stopping on " + TerminationSignals.name(received.get()) + " after serving "
            + bridge.sessionsServed() + " connections");
        bridge.close();
        pid.close();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException ignored) {
            // The JVM is shutting down already; the hook finds everything closed.
        }
        return 0;
    }
}
