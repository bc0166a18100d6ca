package dev.iotbridge.harness.chaos;

import dev.iotbridge.local.LocalBridgeStack;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Settings of a chaos run. Every value can be set by a flag ({@code --messages 5000} or
 * {@code --messages=5000}) or an environment variable ({@code CHAOS_MESSAGES=5000}); flags win.
 * {@code --quick} shrinks every count for a smoke run.
 */
public final class ChaosOptions {
    /** Scenarios to run (1–5). */
    public Set<Integer> scenarios = new LinkedHashSet<>(java.util.List.of(1, 2, 3, 4, 5, 6));
    /** Messages of scenarios 1 (no faults) and 2 (transient faults). */
    public int messages = 100_000;
    /** Messages of scenario 2 when set separately (0 = {@link #messages}). */
    public int faultMessages = 0;
    /** Messages of scenario 3 (function killed) and the kill period. */
    public int killMessages = 20_000;
    public Duration killEvery = Duration.ofSeconds(4);
    /** Scenario 3: BRIDGE_MAX_CONCURRENCY and iot-data latency, so that a batch's publishes land one wave after another. */
    public int killConcurrency = 2;
    public Duration killIotDataLatency = Duration.ofMillis(20);
    /** Scenario 4: messages sent as the destination goes down, and how long it is down (real time, before compression). */
    public int outageMessages = 2_000;
    public Duration outage = Duration.ofHours(6);
    /**
     * Scenario 4: the ONE time-compression factor. Visibility timeout (180 s), backoff base and cap
     * (60 s, 900 s), retention (4 days) and the outage are divided by it; must divide 60.
     */
    public long timeFactor = 60;
    /** Scenario 4: max_receive_count, the destination module's default (a count: not compressed). */
    public int outageMaxReceiveCount = 60;
    /** Scenario 6: share of iot-data requests answered 429, for how long, and the steady arrival rate meanwhile. */
    public double stormThrottle = 0.5;
    public Duration stormDuration = Duration.ofSeconds(60);
    public double stormRate = 100;
    /** BRIDGE_PUBLISH_MAX_ATTEMPTS of the function (its default): the storm's rate bound scales with it. */
    public int publishMaxAttempts = 2;
    /** Scenario 5: generated good messages mixed with the corpus (which has its own good cases). */
    public int corpusGood = 300;
    /** Scenario 2: share of iot-data requests that fail transiently (429, 500, 503, slow, reset in equal parts). */
    public double faultRate = 0.20;
    /** BRIDGE_PUBLISH_TIMEOUT of the function; the slow fault holds a request longer than this. */
    public Duration publishTimeout = Duration.ofSeconds(1);
    /** Function instances (each its own process, Runtime API and SQS poller: Lambda's concurrency). */
    public int instances = 2;
    /** Event source mapping batch size, batching window, and BRIDGE_MAX_CONCURRENCY. */
    public int batchSize = 10;
    public Duration batchWindow = Duration.ZERO;
    public int maxConcurrency = 10;
    /** Scenario 2 uses bigger batches: a batch lasts as long as its slowest (timed-out) record. */
    public int faultBatchSize = 300;
    public int faultMaxConcurrency = 300;
    /** Queue settings (the Terraform defaults are visibility 6 × function timeout and maxReceiveCount 5). */
    public int maxReceiveCount = 5;
    public Duration visibilityTimeout = Duration.ofSeconds(30);
    public Duration functionTimeout = Duration.ofSeconds(10);
    /** Latency the local iot-data endpoint adds to every request (0 = as fast as the machine). */
    public Duration iotDataLatency = Duration.ZERO;
    /** Give up waiting for a scenario to drain after this long (what is missing then counts as lost). */
    public Duration drainTimeout = Duration.ofMinutes(30);
    /** Give up earlier when nothing was delivered or quarantined for this long (null: only the drain timeout). */
    public Duration progressTimeout;
    /** Sender threads for straight-to-queue injection. */
    public int senders = 4;
    public Path functionZip;
    /** Work directories (function logs) go to workRoot/<scenario>; null = temporary, removed afterwards. */
    public Path workRoot;
    /** Also write the table as Markdown to this file. */
    public Path markdownOut;
    public boolean verbose;
    public PrintStream out = System.out;
    public Duration progressEvery = Duration.ofSeconds(5);

    public int faultMessages() { return faultMessages > 0 ? faultMessages : messages; }

    /** Counts for a run of a few minutes (CI-sized: see ChaosSmokeTest). */
    public ChaosOptions quick() {
        messages = 3_000;
        killMessages = 3_000;
        outageMessages = 500;
        outage = Duration.ofHours(1);   // 60 s at the default time factor: a quick run does not prove the 6 hours
        stormDuration = Duration.ofSeconds(20);
        corpusGood = 100;
        return this;
    }

    public Path functionZip() {
        if (functionZip != null) return functionZip;
        String prop = System.getProperty("local.function.zip");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        Path root = LocalBridgeStack.repoRoot();
        return root == null ? Path.of("function/target/function.zip") : root.resolve("function/target/function.zip");
    }

    public static ChaosOptions parse(String[] args, Map<String, String> env) {
        ChaosOptions o = new ChaosOptions();
        if ("1".equals(env.get("CHAOS_QUICK")) || "true".equals(env.get("CHAOS_QUICK"))) o.quick();
        for (String a : args) if (a.equals("--quick")) o.quick();
        // environment first, flags override
        env.forEach((k, v) -> {
            if (k.startsWith("CHAOS_") && !k.equals("CHAOS_QUICK")) {
                o.set(k.substring(6).toLowerCase().replace('_', '-'), v);
            }
        });
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) continue;
            if (a.equals("--verbose")) { o.verbose = true; continue; }
            if (a.equals("--help") || a.equals("-h")) { usage(System.out); System.exit(0); }
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + a);
            String k = a.substring(2);
            String v;
            int eq = k.indexOf('=');
            if (eq >= 0) { v = k.substring(eq + 1); k = k.substring(0, eq); }
            else if (i + 1 < args.length) v = args[++i];
            else throw new IllegalArgumentException("--" + k + " needs a value");
            o.set(k, v);
        }
        return o;
    }

    private void set(String k, String v) {
        switch (k) {
            case "scenarios" -> {
                scenarios = new LinkedHashSet<>();
                for (String s : v.split(",")) if (!s.isBlank()) scenarios.add(Integer.parseInt(s.trim()));
            }
            case "messages" -> messages = Integer.parseInt(v);
            case "fault-messages" -> faultMessages = Integer.parseInt(v);
            case "kill-messages" -> killMessages = Integer.parseInt(v);
            case "kill-every" -> killEvery = duration(v);
            case "outage-messages" -> outageMessages = Integer.parseInt(v);
            case "outage" -> outage = duration(v);
            case "time-factor" -> timeFactor = Long.parseLong(v);
            case "outage-max-receive-count" -> outageMaxReceiveCount = Integer.parseInt(v);
            case "kill-concurrency" -> killConcurrency = Integer.parseInt(v);
            case "kill-iot-data-latency" -> killIotDataLatency = duration(v);
            case "storm-throttle" -> stormThrottle = Double.parseDouble(v);
            case "storm-duration" -> stormDuration = duration(v);
            case "storm-rate" -> stormRate = Double.parseDouble(v);
            case "publish-max-attempts" -> publishMaxAttempts = Integer.parseInt(v);
            case "corpus-good" -> corpusGood = Integer.parseInt(v);
            case "fault-rate" -> faultRate = Double.parseDouble(v);
            case "publish-timeout" -> publishTimeout = duration(v);
            case "instances" -> instances = Integer.parseInt(v);
            case "batch-size" -> batchSize = Integer.parseInt(v);
            case "batch-window" -> batchWindow = duration(v);
            case "max-concurrency" -> maxConcurrency = Integer.parseInt(v);
            case "fault-batch-size" -> faultBatchSize = Integer.parseInt(v);
            case "fault-max-concurrency" -> faultMaxConcurrency = Integer.parseInt(v);
            case "max-receive-count" -> maxReceiveCount = Integer.parseInt(v);
            case "visibility-timeout" -> visibilityTimeout = duration(v);
            case "function-timeout" -> functionTimeout = duration(v);
            case "iot-data-latency" -> iotDataLatency = duration(v);
            case "drain-timeout" -> drainTimeout = duration(v);
            case "progress-timeout" -> progressTimeout = duration(v);
            case "senders" -> senders = Integer.parseInt(v);
            case "function" -> functionZip = Path.of(v);
            case "work-dir" -> workRoot = Path.of(v);
            case "markdown" -> markdownOut = Path.of(v);
            case "progress-every" -> progressEvery = duration(v);
            case "verbose" -> verbose = Boolean.parseBoolean(v);
            default -> throw new IllegalArgumentException("unknown option --" + k + " (see --help)");
        }
    }

    /** "1s", "500ms", "2m", or ISO-8601 "PT1S". */
    static Duration duration(String v) {
        String s = v.trim();
        if (s.startsWith("P") || s.startsWith("p")) return Duration.parse(s);
        if (s.endsWith("ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        if (s.endsWith("s")) return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
        if (s.endsWith("m")) return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
        if (s.endsWith("h")) return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
        return Duration.ofSeconds(Long.parseLong(s));
    }

    public static void usage(PrintStream p) {
        p.println("""
                make chaos [ARGS="..."]  —  or  bash .ci/chaos.sh [flags]
                  --scenarios 1,2,3,4,5,6   which scenarios (1 no faults, 2 transient faults, 3 function killed,
                                            4 destination down 6 h time-compressed, 5 bad-input corpus,
                                            6 throttling storm)
                  --messages N              scenarios 1 and 2 (default 100000); --fault-messages N for 2 alone
                  --kill-messages N         scenario 3 (default 20000); --kill-every 4s; --kill-concurrency 2
                                            --kill-iot-data-latency 20ms (a batch's publishes in waves)
                  --outage-messages N       scenario 4 (default 2000); --outage 6h (real time) --time-factor 60
                                            (visibility 180 s, backoff 60 s..900 s, retention 4 d and the outage
                                            are divided by it); --outage-max-receive-count 60
                  --storm-rate 100 --storm-duration 60s --storm-throttle 0.5   scenario 6
                  --corpus-good N           scenario 5: generated good messages mixed with the corpus (default 300)
                  --fault-rate 0.2          scenario 2: share of iot-data requests failing (429/500/503/slow/reset)
                  --publish-timeout 1s      BRIDGE_PUBLISH_TIMEOUT (the slow fault holds requests 1.5 x longer)
                  --instances 2             function instances (Lambda concurrency)
                  --batch-size 10 --batch-window 0s --max-concurrency 10
                  --fault-batch-size 300 --fault-max-concurrency 300   (scenario 2)
                  --max-receive-count 5 --visibility-timeout 30s --function-timeout 10s
                  --drain-timeout 30m --work-dir DIR --markdown FILE --verbose --quick
                every flag also as an environment variable: CHAOS_MESSAGES=5000, CHAOS_QUICK=1, ...""");
    }
}
