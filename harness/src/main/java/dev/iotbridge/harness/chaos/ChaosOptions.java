package dev.iotbridge.harness.chaos;

import dev.iotbridge.harness.Cli;
import dev.iotbridge.local.LocalBridgeStack;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Settings of a chaos run. Every value can be set by a flag ({@code --messages 5000} or
 * {@code --messages=5000}) or an environment variable ({@code CHAOS_MESSAGES=5000}); flags win over
 * the environment, the environment over {@code --quick}, which shrinks the counts for a run of a few
 * minutes. The fields hold the full run's defaults, so a test sets them directly.
 */
@Command(name = "make chaos ARGS=\"...\"", sortOptions = false, usageHelpWidth = 110,
        description = "The fault-injection suite on the local stack (docs/reliability.md), also bash .ci/chaos.sh [--no-build] [flags]. "
                + "Scenarios: 1 no faults, 2 transient faults, 3 function killed, 4 destination down 6 h time-compressed, "
                + "5 bad-input corpus, 6 throttling storm. Exit 0 only when lost = 0 and every check passed.",
        footer = "Every flag also as an environment variable: CHAOS_MESSAGES=5000, CHAOS_QUICK=1, ... (a flag wins).")
public final class ChaosOptions implements Cli.Resolved {
    /** The counts of --quick: a run of a few minutes (CI-sized: see ChaosSmokeTest). */
    static final Map<String, String> QUICK = Map.of(
            "--messages", "3000",
            "--kill-messages", "3000",
            "--outage-messages", "500",
            "--outage", "1h",   // 60 s at the default time factor: a quick run does not prove the 6 hours
            "--storm-duration", "20s",
            "--corpus-good", "100");

    @Mixin
    Cli.Help help;

    @Option(names = "--quick", description = "small counts, a few minutes: 3,000 messages for scenarios 1-3, 500 for 4 with a "
            + "1 h outage, 20 s storm, 100 generated good messages for 5 (CHAOS_QUICK=1)")
    boolean quick;

    @Option(names = "--scenarios", paramLabel = "LIST", split = ",", description = "which scenarios (default: 1,2,3,4,5,6)")
    public Set<Integer> scenarios = new LinkedHashSet<>(List.of(1, 2, 3, 4, 5, 6));

    @Option(names = "--messages", paramLabel = "N", description = "messages of scenarios 1 (no faults) and 2 (transient faults) (default: ${DEFAULT-VALUE})")
    public int messages = 100_000;

    @Option(names = "--fault-messages", paramLabel = "N", description = "messages of scenario 2 alone (default: 0 = --messages)")
    public int faultMessages = 0;

    @Option(names = "--kill-messages", paramLabel = "N", description = "messages of scenario 3, function killed (default: ${DEFAULT-VALUE})")
    public int killMessages = 20_000;

    @Option(names = "--kill-every", paramLabel = "DURATION", description = "scenario 3: the kill period (default: 4s)")
    public Duration killEvery = Duration.ofSeconds(4);

    /** Scenario 3: BRIDGE_MAX_CONCURRENCY and iot-data latency, so that a batch's publishes land one wave after another. */
    @Option(names = "--kill-concurrency", paramLabel = "N", description = "scenario 3: BRIDGE_MAX_CONCURRENCY, a batch's publishes in waves (default: ${DEFAULT-VALUE})")
    public int killConcurrency = 2;

    @Option(names = "--kill-iot-data-latency", paramLabel = "DURATION", description = "scenario 3: iot-data latency per request (default: 20ms)")
    public Duration killIotDataLatency = Duration.ofMillis(20);

    @Option(names = "--outage-messages", paramLabel = "N", description = "scenario 4: messages sent as the destination goes down (default: ${DEFAULT-VALUE})")
    public int outageMessages = 2_000;

    @Option(names = "--outage", paramLabel = "DURATION", description = "scenario 4: how long the destination is down, real time before compression (default: 6h)")
    public Duration outage = Duration.ofHours(6);

    /**
     * Scenario 4: the ONE time-compression factor. Visibility timeout (180 s), backoff base and cap
     * (60 s, 900 s), retention (4 days) and the outage are divided by it; must divide 60.
     */
    @Option(names = "--time-factor", paramLabel = "N", description = "scenario 4: visibility 180 s, backoff 60 s..900 s, retention 4 d "
            + "and the outage are divided by it; must divide 60 (default: ${DEFAULT-VALUE})")
    public long timeFactor = 60;

    /** Scenario 4: max_receive_count, the destination module's default (a count: not compressed). */
    @Option(names = "--outage-max-receive-count", paramLabel = "N", description = "scenario 4: max_receive_count, a count, not compressed (default: ${DEFAULT-VALUE})")
    public int outageMaxReceiveCount = 60;

    @Option(names = "--storm-throttle", paramLabel = "SHARE", description = "scenario 6: share of iot-data requests answered 429 (default: ${DEFAULT-VALUE})")
    public double stormThrottle = 0.5;

    @Option(names = "--storm-duration", paramLabel = "DURATION", description = "scenario 6: how long the storm lasts (default: 60s)")
    public Duration stormDuration = Duration.ofSeconds(60);

    @Option(names = "--storm-rate", paramLabel = "MSG/S", description = "scenario 6: the steady arrival rate meanwhile (default: ${DEFAULT-VALUE})")
    public double stormRate = 100;

    /** BRIDGE_PUBLISH_MAX_ATTEMPTS of the function (its default): the storm's rate bound scales with it. */
    @Option(names = "--publish-max-attempts", paramLabel = "N", description = "BRIDGE_PUBLISH_MAX_ATTEMPTS of the function (default: ${DEFAULT-VALUE})")
    public int publishMaxAttempts = 2;

    @Option(names = "--corpus-good", paramLabel = "N", description = "scenario 5: generated good messages mixed with the corpus (default: ${DEFAULT-VALUE})")
    public int corpusGood = 300;

    @Option(names = "--fault-rate", paramLabel = "SHARE", description = "scenario 2: share of iot-data requests failing transiently "
            + "(429, 500, 503, slow, reset in equal parts) (default: ${DEFAULT-VALUE})")
    public double faultRate = 0.20;

    /** BRIDGE_PUBLISH_TIMEOUT of the function; the slow fault holds a request longer than this. */
    @Option(names = "--publish-timeout", paramLabel = "DURATION", description = "BRIDGE_PUBLISH_TIMEOUT; the slow fault holds requests 1.5 x longer (default: 1s)")
    public Duration publishTimeout = Duration.ofSeconds(1);

    @Option(names = "--instances", paramLabel = "N", description = "function instances, each its own process, Runtime API and SQS poller "
            + "(Lambda's concurrency) (default: ${DEFAULT-VALUE})")
    public int instances = 2;

    @Option(names = "--batch-size", paramLabel = "N", description = "event source mapping batch size (default: ${DEFAULT-VALUE})")
    public int batchSize = 10;

    @Option(names = "--batch-window", paramLabel = "DURATION", description = "event source mapping batching window (default: 0s)")
    public Duration batchWindow = Duration.ZERO;

    @Option(names = "--max-concurrency", paramLabel = "N", description = "BRIDGE_MAX_CONCURRENCY (default: ${DEFAULT-VALUE})")
    public int maxConcurrency = 10;

    /** Scenario 2 uses bigger batches: a batch lasts as long as its slowest (timed-out) record. */
    @Option(names = "--fault-batch-size", paramLabel = "N", description = "scenario 2: batch size (default: ${DEFAULT-VALUE})")
    public int faultBatchSize = 300;

    @Option(names = "--fault-max-concurrency", paramLabel = "N", description = "scenario 2: BRIDGE_MAX_CONCURRENCY (default: ${DEFAULT-VALUE})")
    public int faultMaxConcurrency = 300;

    @Option(names = "--max-receive-count", paramLabel = "N", description = "the queue's maxReceiveCount (default: ${DEFAULT-VALUE})")
    public int maxReceiveCount = 5;

    @Option(names = "--visibility-timeout", paramLabel = "DURATION", description = "the queue's visibility timeout (default: 30s)")
    public Duration visibilityTimeout = Duration.ofSeconds(30);

    @Option(names = "--function-timeout", paramLabel = "DURATION", description = "the function's timeout (default: 10s)")
    public Duration functionTimeout = Duration.ofSeconds(10);

    @Option(names = "--iot-data-latency", paramLabel = "DURATION", description = "latency the iot-data endpoint adds to every request "
            + "(default: 0s, as fast as the machine)")
    public Duration iotDataLatency = Duration.ZERO;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", description = "give up waiting for a scenario to drain after this long; "
            + "what is missing then counts as lost (default: 30m)")
    public Duration drainTimeout = Duration.ofMinutes(30);

    @Option(names = "--progress-timeout", paramLabel = "DURATION", description = "give up earlier when nothing was delivered or "
            + "quarantined for this long (default: none, only the drain timeout)")
    public Duration progressTimeout;

    @Option(names = "--progress-every", paramLabel = "DURATION", description = "a progress line this often (default: 5s)")
    public Duration progressEvery = Duration.ofSeconds(5);

    @Option(names = "--senders", paramLabel = "N", description = "sender threads for straight-to-queue injection (default: ${DEFAULT-VALUE})")
    public int senders = 4;

    @Option(names = "--function", paramLabel = "ZIP", description = "the function artifact, JVM or native zip "
            + "(default: -Dlocal.function.zip, else function/target/function.zip)")
    public Path functionZip;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "function logs go to DIR/<scenario> (default: a temporary directory, removed afterwards)")
    public Path workRoot;

    @Option(names = "--markdown", paramLabel = "FILE", description = "also write the table as Markdown to FILE")
    public Path markdownOut;

    @Option(names = "--verbose", description = "the local stacks' progress lines too")
    public boolean verbose;

    public PrintStream out = System.out;

    public int faultMessages() { return faultMessages > 0 ? faultMessages : messages; }

    public Path functionZip() {
        if (functionZip != null) return functionZip;
        String prop = System.getProperty("local.function.zip");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        Path root = LocalBridgeStack.repoRoot();
        return root == null ? Path.of("function/target/function.zip") : root.resolve("function/target/function.zip");
    }

    @Override
    public void resolve() {
        for (int n : scenarios) {
            if (n < 1 || n > 6) {
                throw new IllegalArgumentException("--scenarios: no scenario " + n + " (1 to 6)");
            }
        }
    }

    /**
     * The command line of a chaos run: a flag, else its {@code CHAOS_<NAME>} environment variable,
     * else the count of {@code --quick} (flag or CHAOS_QUICK=1), else the default. An environment
     * variable CHAOS_* that names no flag is refused like an unknown flag.
     */
    public static CommandLine commandLine(ChaosOptions o, Map<String, String> env, String[] args, Cli.Body<ChaosOptions> body) {
        boolean quick = List.of(args).contains("--quick") || "1".equals(env.get("CHAOS_QUICK")) || "true".equals(env.get("CHAOS_QUICK"));
        CommandLine cl = Cli.of(o, (options, c) -> {
            for (String k : env.keySet()) {
                if (k.startsWith("CHAOS_") && c.getCommandSpec().findOption(flagOf(k)) == null) {
                    throw new CommandLine.ParameterException(c, "environment variable " + k + " names no flag " + flagOf(k)
                            + " (see --help; CHAOS_<FLAG> with the flag's dashes as underscores)");
                }
            }
            return body.run(options, c);
        });
        cl.setDefaultValueProvider((ArgSpec arg) -> {
            if (!(arg instanceof OptionSpec opt)) return null;
            if (opt.longestName().equals("--quick")) return quick ? "true" : null;
            String fromEnv = env.get(envOf(opt.longestName()));
            if (fromEnv != null) {
                boolean flag = opt.type() == boolean.class || opt.type() == Boolean.class;
                return flag && fromEnv.equals("1") ? "true" : flag && fromEnv.equals("0") ? "false" : fromEnv;
            }
            return quick ? QUICK.get(opt.longestName()) : null;
        });
        return cl;
    }

    /** CHAOS_KILL_EVERY -> --kill-every */
    static String flagOf(String env) {
        return "--" + env.substring("CHAOS_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** --kill-every -> CHAOS_KILL_EVERY */
    static String envOf(String flag) {
        return "CHAOS_" + flag.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
