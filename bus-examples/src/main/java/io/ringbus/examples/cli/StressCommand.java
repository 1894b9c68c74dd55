package io.ringbus.examples.cli;

import io.ringbus.examples.support.DurationConverter;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.examples.support.SizeConverter;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.stress.process.FaultKind;
import io.ringbus.stress.process.ProgressBar;
import io.ringbus.stress.process.StressFigures;
import io.ringbus.stress.process.StressOptions;
import io.ringbus.stress.process.StressRun;
import io.ringbus.stress.process.Via;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bus stress}: publisher and subscriber processes on one topic, with faults injected, every
 * message checked; the harness is {@link StressRun} (module stress-tests).
 */
@Command(name = "stress",
    mixinStandardHelpOptions = true,
    description = {"Publisher and subscriber processes on one topic with faults injected (kill -9, crash points,"
            + " SIGSTOP, a truncated or scribbled topic, a full file system, subscribers joining and leaving, a busy"
            + " machine, the bus CLI itself in the loop); every message checked, every process watched for hangs.",
        "",
        "Starts N publisher processes and M subscriber processes (separate JVMs) on one topic in a fresh"
            + " bus directory, for a duration or a message count, and injects faults (all of them unless --faults"
            + " says otherwise). Every message carries its publisher's id, a sequence number and a CRC32C of its"
            + " bytes; every subscriber checks every one. Killed processes are replaced (a new publisher gets a new"
            + " id; a durable subscriber resumes; a non-durable one starts afresh and owes only what was committed"
            + " after it joined).",
        "",
        "Faults (each with a rate per minute; injected one at a time):",
        "  pub-kill             kill -9 of a publisher at a random time",
        "  crash-after-claim    kill -9 of a publisher stopped at a crash point (a",
        "  crash-mid-payload    test hook, armed at run time): after its claim, half",
        "  crash-before-commit  way through its payload, before its commit, or while",
        "  crash-wrap-padding   writing the padding at the ring's end",
        "  sub-kill             kill -9 of a subscriber (a durable one resumes)",
        "  pub-stop, sub-stop   SIGSTOP for 50-800 ms, then SIGCONT",
        "  truncate, scribble   a peer truncates, or scribbles random bytes into, a",
        "                       separate VICTIM topic (see below)",
        "  full-fs              creating a topic on a full 1 MiB tmpfs must fail with",
        "                       FileSystemFullException while a topic already there",
        "                       keeps every message (root only; else skipped, with why)",
        "  sub-join             a subscriber joins at earliest, at latest, or by a",
        "                       durable name, while the publishers run flat out; reads",
        "                       0.2-3 s, leaves (close or kill -9); the durable joiner",
        "                       stays after its first join and later leaves and comes",
        "                       back 0.05-2 s after",
        "  cpu-busy             a busy process spins on 1 to N cores (N: the machine's)",
        "                       for 5-20 s while the next faults run",
        "  cli-sub              ./bus pub fed flat out (1 or 2), ./bus sub --name audit",
        "                       killed -9 while it prints and restarted (appending to",
        "                       its file), ./bus sub --from earliest|latest joining and",
        "                       leaving (one episode in three without audit: bus pub",
        "                       runs free until a joiner joins); every output file",
        "                       checked line by line (see below)",
        "  cli-truncate         a peer truncates a topic while ./bus pub writes, alone",
        "                       or beside ./bus sub: a one-line error or carrying on",
        "  gateway-kill         --via aeron only: kill -9 of the exporting or the",
        "                       importing gateway, restarted 0.05-1 s later",
        "",
        "Every choice (which fault, when, which process, how long, which start position) is drawn from --seed,"
            + " printed in the figures: a failing run's choices come back with the same --seed (its timing does not).",
        "",
        "Truncating and scribbling destroy data by design, so they hit a victim topic with its own publisher and"
            + " subscriber, and the main topic's figures stay clean: each victim process must end with a typed"
            + " error or carry on (damaged messages rejected by their CRC), never crash the JVM or hang; then the"
            + " victim topic is removed and made anew.",
        "",
        "The CLI faults run the bus CLI of this very build (the same class path), on shm, on topics of their own."
            + " Each line fed to ./bus pub carries its publisher, a sequence number and a CRC32C, so each output file"
            + " of ./bus sub is checked from its bytes: the durable audit file must hold every line published, once,"
            + " whole, across its kills (the file is cut where each killed incarnation stopped); a joiner's file no"
            + " gap, repeat or half line. A failure names exactly what was lost (which lines, between which bytes,"
            + " across which kill) and every half line (where, and what of it was written). Lines printed again at"
            + " the start of a restarted incarnation, in order, up to where the killed one stopped, are reported"
            + " apart as redelivered (what committing after printing gives after a kill -9); any other repeat is"
            + " duplicated.",
        "",
        "Hangs: a publisher that commits nothing for --hang-limit while it publishes and every subscriber that"
            + " may hold it back is live (a durable one that is away holds it back by design), or a subscriber that"
            + " receives nothing for --hang-limit while messages it must receive were committed or (shm) its cursor"
            + " is behind the tail, is a finding, with every process's figures and the topic as ./bus stat shows it"
            + " (positions, lag, alive or dead); the hung process is then killed -9 and the run goes on. The CLI's:"
            + " a ./bus pub that reads no input, a ./bus sub that prints nothing it owes, or either not exiting when"
            + " told. A joiner never leaves while it or a publisher is stalled: a leave does not hide a hang.",
        "",
        "Stack traces: a line 'Exception in thread' or '\\tat ' on any child's standard error (the CLI's"
            + " included) is a finding, with the first lines of the trace.",
        "",
        "Figures: sent and committed, received per subscriber, lost (committed but never received by a live"
            + " tethered or durable subscriber), duplicated, out of order, torn (CRC or length), faults by kind,"
            + " the time from a publisher's death until the others moved again (p50, p99, max; with one publisher,"
            + " from its successor's start, as a JVM's start is not the bus's), the longest stall, JVM crashes"
            + " (hs_err files) and files left in the bus directory after the run removed its topics.",
        "A durable subscriber killed between a handler's return and its cursor store gets that one message again"
            + " (documented). Each subscriber stores, after every message, which message it accepted last; a"
            + " repeat of exactly that message as the first after a resume is reported apart as a durable window"
            + " repeat (at most one per durable kill); any other repeat counts as duplicated.",
        "",
        "Evictable subscribers (--evictable K: the K subscribers after the durable ones) read with"
            + " SlowConsumerPolicy.EVICT: publishers evict one stalled for 200 ms (a sub-stop), so it may lose"
            + " messages, but each message it misses must come right after a loss report of its LossListener (counted"
            + " as announced_lost); a gap without one, a repeat, a message out of order or a torn copy (an overwrite"
            + " the validated read missed) fails the run. The end marker (below) is published for them too.",
        "",
        "With --via aeron the publishers write bus A and the subscribers (joiners too) read bus B; two gateway"
            + " processes (the library of bus gateway, each with Aeron's one JVM flag) export the topic of A to a"
            + " loopback UDP channel and import it into B. The exporter is evictable after 1 s: untethered, so a"
            + " message may be lost, but only where the importer says so: its loss notice (LOSS from=F to=T"
            + " bytes=N, in the topic) must come before every gap. Such messages are counted as announced_lost, not"
            + " lost; a gap without a notice, a repeat or a message out of order fails the run. At the end this"
            + " process publishes one marker message into A, so that a loss at the very end is announced too.",
        "",
        "Over a stream path (--via pipe, fifo, unix, tcp) this process hosts a bridge over the run's bus directory"
            + " and every publisher and subscriber process (the victim topic's too) connects through it; the full-fs"
            + " episode stays on shm (its bus is the tmpfs). The crash points are then skipped (listed in"
            + " faults_skipped): they stop a shm writer, which is the bridge in this process. A stream publisher"
            + " killed -9 may have had messages accepted by offer still in its buffers or stream: never published,"
            + " they must be the end of its sequence and are reported as in_flight_at_kill, not lost (a gap before"
            + " the last message any subscriber got of it is lost). A durable stream subscriber killed -9 loses what"
            + " the bridge had written into its stream (documented): reported as durable_in_flight_gap, at most the"
            + " forwarding window (bridge and client frame buffers plus the kernel's buffers) per kill; beyond it,"
            + " lost. The bridge must stay up through the victim topic's truncations and scribbles: its sessions end"
            + " with typed errors (counted under bridge; an untyped one is an error).",
        "",
        "Exits 1 when lost, duplicated, out of order, torn, hung, stack traces, JVM crashes or leftover files is"
            + " above zero (the CLI's lost, duplicated, out of order, half or bad lines included), when a"
            + " publisher's death held the others up for more than 1 s (unless a cpu-busy process was spinning:"
            + " those are reported apart), or on any other error found (a process"
            + " that failed by itself, a hostile fault answered otherwise than above, a full file system"
            + " that lost data)."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":every check passed",
        "1:a check failed (the figures say which: lost, duplicated, out of order, torn, hung, a stack trace, a JVM"
            + " crash, leftover files, a stall over 1 s, an error found), or a failure the one-line message explains",
        "2:bad usage (including a bad --faults, --via or --size)",
        ExitCodes.SIGNALS + ", after killing its processes and removing its directory"},
    footer = {"", "Examples:",
        "  ./bus stress                       # 30 s, 2 publishers, 2 subscribers",
        "                                     # (1 durable), every fault",
        "  ./bus stress --duration 2m --json  # ends with one JSON object of figures",
        "  ./bus stress --via unix --duration 1m  # every client through a bridge",
        "  ./bus stress --duration 1h --faults pub-kill=20,crash-mid-payload=20,sub-kill",
        "  ./bus stress --duration 2m --faults sub-join=30,cpu-busy,cli-sub  # joins, busy",
        "                                     # machine, the CLI's own pub and sub",
        "  ./bus stress --seed 42 --duration 5m     # replays a failing run's choices",
        "  ./bus stress --count 5000000 --faults none --size 64 --publishers 4"})
public final class StressCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--publishers"}, paramLabel = "N", description = "Publisher processes (default 2).")
    int publishers = 2;

    @Option(names = {"-s", "--subscribers"}, paramLabel = "M", description = "Subscriber processes (default 2).")
    int subscribers = 2;

    @Option(names = "--durable", paramLabel = "K", description = "How many of the subscribers are durable (default 1).")
    int durable = 1;

    @Option(names = "--evictable", paramLabel = "K",
        description = "How many of the other subscribers are evictable: publishers evict one stalled for 200 ms, and"
            + " it may lose messages, each gap only after its loss listener said so (default 0).")
    int evictable;

    @Option(names = "--producer-mode", paramLabel = "MODE",
        description = "The topic's producer mode: many (default), or single (needs -p 1 and --via shm: the one"
            + " publisher's replacement takes over its slot after each kill).")
    String producerMode = "many";

    @Option(names = {"-d", "--duration"}, paramLabel = "TIME", converter = DurationConverter.class,
        description = "How long publishers publish: 90s, 2m, 1h (default 30s).")
    Duration duration = Duration.ofSeconds(30);

    @Option(names = {"-n", "--count"}, paramLabel = "N",
        description = "Publish about N messages in all instead (a killed publisher's last may add one each).")
    long count = -1;

    @Option(names = "--via", paramLabel = "PATH",
        description = "shm (default), or through a bridge in this process: pipe, fifo, unix, tcp, mq; or aeron: the"
            + " subscribers on a second bus that two gateway processes fill over loopback UDP.")
    String via = "shm";

    @Option(names = "--size", paramLabel = "BYTES|random",
        description = "Message size: a number of bytes (16 or more), or random, a mix up to the maximum (default).")
    String size = "random";

    @Option(names = "--capacity", paramLabel = "BYTES", converter = SizeConverter.class,
        description = "Ring capacity of the topic (default 64k: small, so that it wraps and fills often).")
    int capacity = 64 * 1024;

    @Option(names = "--max-message", paramLabel = "BYTES", converter = SizeConverter.class,
        description = "Maximum message length (default capacity / 8).")
    int maxMessage;

    @Option(names = "--wakeup", paramLabel = "MODE", description = "How subscribers wait: blocking (default), spin,"
        + " signal.")
    String wakeup = "blocking";

    @Option(names = "--faults", paramLabel = "LIST",
        description = "Which faults: comma-separated, in order: all (default), none, KIND, KIND=RATE (per minute),"
            + " -KIND. pub-kill=20 is that fault alone; all,-full-fs every fault but one.")
    String faults = "all";

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the harness's random choices.")
    Long seed;

    @Option(names = "--hang-limit", paramLabel = "TIME", converter = DurationConverter.class,
        description = "How long a process that should make progress may make none before it counts as hung"
            + " (default 10s; 1s to 10m).")
    Duration hangLimit = Duration.ofSeconds(10);

    @Option(names = "--scratch", paramLabel = "DIR",
        description = "Where the run's directory is made and removed afterwards (default /dev/shm).")
    Path scratch;

    @Option(names = "--self-test", hidden = true, paramLabel = "LIST",
        description = "Break the run on purpose (lose, tear, leftover, crash, hang, trace) to see the checks catch it.")
    String selfTest = "";

    @Option(names = "--json", description = "End with one JSON object of figures (instead of the text report).")
    boolean json;

    @Override
    public Integer call() {
        StressOptions options;
        try {
            Via path = Via.parse(via);
            path.checkAvailable();
            options = new StressOptions()
                .publishers(publishers).subscribers(subscribers).durable(durable).evictable(evictable)
                .producerMode(producerMode(producerMode))
                .duration(duration).count(count).via(path).size(size).capacity(capacity).maxMessage(maxMessage)
                .wakeup(wakeup).faults(faults).scratchParent(scratch).selfTest(selfTest).hangLimit(hangLimit)
                .cli(BusCommand.class.getName())
                .seed(seed != null ? seed : System.nanoTime())
                .conclude();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage() + " (faults: " + FaultKind.labels() + ")");
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean terminal = System.console() != null && System.console().isTerminal();
        ProgressBar bar = terminal ? new ProgressBar(out) : null;
        if (!json) {
            out.println("ringbus stress: running" + (terminal ? "" : " (" + (count > 0 ? count + " messages"
                : duration.toSeconds() + " s") + ", figures at the end)"));
            out.flush();
        }
        StressFigures figures = new StressRun(options).run(progress -> {
            if (bar != null) {
                bar.show(progress);
            }
        });
        if (bar != null) {
            bar.clear();
        }
        out.print(json ? figures.toJson() + System.lineSeparator() : figures.toText());
        out.flush();
        return figures.passed() ? 0 : 1;
    }

    private static ProducerMode producerMode(String text) {
        return switch (text) {
            case "many" -> ProducerMode.MANY;
            case "single" -> ProducerMode.SINGLE;
            default -> throw new IllegalArgumentException("--producer-mode must be single or many, not '" + text + "'");
        };
    }
}
