package dev.iotbridge.harness.bench;

import dev.iotbridge.harness.StackOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** The flags of the bench runner ({@code make bench} = harness/run.sh, which passes its own flags through). */
@Command(name = "harness/run.sh", sortOptions = false, usageHelpWidth = 110,
        description = "Benchmarks the function (JVM and native zips) side by side with the Python handlers "
                + "on the local stack (docs/benchmarks.md). make bench = harness/run.sh with no flags; "
                + "run.sh's own flags: --smoke, --no-build, --no-docs (harness/run.sh --help).")
public final class BenchOptions extends StackOptions {
    @Option(names = "--messages", paramLabel = "N", description = "messages per throughput run (default: ${DEFAULT-VALUE})")
    int messages = 5_000;

    /** Messages for the sequential Python handlers (sample, corrected): 20× slower, the rate settles as soon. */
    @Option(names = "--sequential-messages", paramLabel = "N", description = "the same for the sequential Python handlers (default: ${DEFAULT-VALUE})")
    int sequentialMessages = 1_000;

    /** Batch sizes of the throughput scenario; the first one also for cold start and end to end. */
    List<Integer> batchSizes = List.of(10, 100);
    int batchSize = 10;

    @Option(names = "--e2e-warmup-s", paramLabel = "N", description = "end-to-end warm-up from the process start, not in the "
            + "steady state figures; cold-start latency is reported apart (default: ${DEFAULT-VALUE})")
    int e2eWarmupSeconds = 90;

    @Option(names = "--cold-starts", paramLabel = "N", description = "fresh process starts per competitor (default: ${DEFAULT-VALUE})")
    int coldStarts = 5;

    @Option(names = "--e2e-rate", paramLabel = "N", description = "end-to-end publish rate, msg/s (default: ${DEFAULT-VALUE})")
    int e2eRate = 200;

    @Option(names = "--e2e-seconds", paramLabel = "N", description = "end-to-end measured time after the warm-up (default: ${DEFAULT-VALUE})")
    int e2eSeconds = 30;

    @Option(names = "--timeout-s", paramLabel = "N", description = "give up a throughput run after N s (default: ${DEFAULT-VALUE})")
    int timeoutSeconds = 900;

    boolean envelope = true;
    boolean smoke;

    @Option(names = "--profile", description = "record a JFR profile of the JVM function in the throughput run "
            + "(harness/target/profiles/: .jfr, hot-methods.txt, areas.txt)")
    boolean profile;

    @Option(names = "--extra-jvm-options", paramLabel = "S", description = "appended to the function's JAVA_TOOL_OPTIONS (analysis only)")
    String extraJvmOptions = "";

    @Option(names = "--native-options", paramLabel = "S", description = "appended to the native bootstrap's arguments, "
            + "e.g. \"-XX:MaxNewSize=16m\" (analysis only)")
    String nativeOptions = "";

    static final List<String> COMPETITORS = List.of("sample", "corrected", "concurrent", "jvm", "jvm-keepalive5", "native", "jvm-c2");
    List<String> competitors = List.of("sample", "corrected", "concurrent", "jvm", "jvm-keepalive5", "native");
    /** --competitors given: a native competitor asked for by name must run, not be skipped. */
    boolean competitorsGiven;

    static final List<String> SCENARIOS = List.of("throughput", "coldstart", "e2e");
    @Option(names = "--scenarios", paramLabel = "LIST", split = ",", description = "comma list of throughput,coldstart,e2e (default: all)")
    List<String> scenarios = SCENARIOS;

    @Option(names = "--docs", paramLabel = "PATH", description = "also write the markdown report (docs/benchmarks.md); only such a run "
            + "writes harness/results/ (<UTC time>.json + latest.json), any other run writes harness/target/results/")
    Path docs;

    public BenchOptions() {
        super("make bench");
    }

    @Option(names = "--batches", paramLabel = "LIST", split = ",", description = "batch sizes of the throughput scenario (default: 10,100); "
            + "the function's BRIDGE_MAX_CONCURRENCY and the concurrent Python pool are sized the same; the first also drives "
            + "cold start and end to end")
    void batches(List<Integer> sizes) {
        batchSizes = List.copyOf(sizes);
    }

    @Option(names = "--batch", paramLabel = "N", description = "= --batches N")
    void batch(int size) {
        batchSizes = List.of(size);
    }

    @Option(names = "--competitors", paramLabel = "LIST", split = ",", description = "comma list of "
            + "sample,corrected,concurrent,jvm,jvm-keepalive5,native (default: all; in the default, native runs when there is a "
            + "native zip (see --native-zip) and is left out with a note otherwise; jvm-keepalive5 = the function with the JDK's "
            + "default of 5 kept connections, i.e. before the fix); also jvm-c2: the function with full tiered JIT (analysis only)")
    void competitors(List<String> ids) {
        competitors = List.copyOf(ids);
        competitorsGiven = true;
    }

    @Option(names = "--no-envelope", description = "skip the extra envelope-v1 run of the function")
    void noEnvelope(boolean on) {
        envelope = !on;
    }

    @Option(names = "--smoke", description = "tiny counts (200 messages, 1 cold start, 5+3 s e2e): checks the harness; "
            + "a flag after it still sets its own count")
    void smoke(boolean on) {
        if (!on) {
            return;
        }
        smoke = true;
        messages = 200;
        sequentialMessages = 50;
        coldStarts = 1;
        e2eSeconds = 3;
        e2eWarmupSeconds = 5;
    }

    /** The defaults that depend on other flags, and the checks picocli's types do not make. */
    @Override
    public void resolve() {
        super.resolve();
        batchSize = batchSizes.get(0);
        for (String c : competitors) {
            if (!COMPETITORS.contains(c)) {
                throw new IllegalArgumentException("--competitors: unknown competitor '" + c + "' (one of " + String.join(",", COMPETITORS) + ")");
            }
        }
        for (String s : scenarios) {
            if (!SCENARIOS.contains(s)) {
                throw new IllegalArgumentException("--scenarios: unknown scenario '" + s + "' (one of " + String.join(",", SCENARIOS) + ")");
            }
        }
        if (batchSizes.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("--batches: batch sizes must be 1 or more, not " + batchSizes);
        }
    }
}
