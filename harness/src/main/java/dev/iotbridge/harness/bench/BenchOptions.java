package dev.iotbridge.harness.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Command-line flags of the runner (harness/run.sh passes its own flags through). */
final class Options {
    int messages = 5_000;
    /** messages for the sequential Python handlers (sample, corrected): 20× slower, the rate settles as soon */
    int sequentialMessages = 1_000;
    /** batch sizes of the throughput scenario; the first one also for cold start and end to end */
    List<Integer> batchSizes = List.of(10, 100);
    int batchSize = 10;
    int memoryMb = 512;
    boolean cpuLimit = true;
    boolean memoryLimit = true;
    boolean tls = true;
    int e2eWarmupSeconds = 90;
    int latencyMs = 15;
    int coldStarts = 5;
    int e2eRate = 200;
    int e2eSeconds = 30;
    int timeoutSeconds = 900;
    boolean envelope = true;
    boolean smoke;
    boolean profile;
    String extraJvmOptions = "";
    String nativeOptions = "";
    List<String> competitors = List.of("sample", "corrected", "concurrent", "jvm", "jvm-keepalive5", "native");
    /** --competitors given: a native competitor asked for by name must run, not be skipped. */
    boolean competitorsGiven;
    List<String> scenarios = List.of("throughput", "coldstart", "e2e");
    Path benchDir = Path.of("harness").toAbsolutePath();
    Path functionZip;
    /**
     * The native competitor's zip: --native-zip, else {@link #BUILT_NATIVE_ZIP} when it exists, else
     * the function zip when that is a native one; null when there is none (native is then left out).
     */
    Path nativeZip;
    boolean nativeZipGiven;
    /** Where `make native-build` writes the native zip, relative to the repository root. */
    static final String BUILT_NATIVE_ZIP = "function/target/native/function.zip";
    Path python;
    Path javaHome = Path.of(System.getProperty("java.home"));
    Path docs;
    Path reportFrom;
    Path out;
    String commandLine = "make bench";

    // the load run (make load, dev.iotbridge.harness.Load)
    /** function instances of the event source mapping (its maximum concurrency), one run each */
    List<Integer> loadInstances = List.of(1, 2, 4);
    /** offered rates in msg/s, raised in this order for each instance count until the bridge falls behind */
    List<Integer> loadRates = List.of(100, 200, 400, 800, 1200, 1600);
    int loadStepSeconds = 15;
    /** the back-pressure step: offered rate and the iot-data publish quota below it (requests/s) */
    int loadQuotaRate = 300;
    int loadQuota = 150;
    /** instance count of the back-pressure step */
    int loadQuotaInstances = 2;

    static final String USAGE = """
            usage: harness/run.sh [flags]     (make bench = harness/run.sh with no flags)
              --messages N         messages per throughput run (default 5000)
              --sequential-messages N  the same for the sequential Python handlers (default 1000)
              --batches LIST       batch sizes of the throughput scenario (default 10,100); the function's
                                   BRIDGE_MAX_CONCURRENCY and the concurrent Python pool are sized the
                                   same; the first also drives cold start and end to end
              --batch N            = --batches N
              --memory-mb N        Lambda memory size whose memory (N MiB) and CPU share (N/1769 vCPU)
                                   limit every competitor process (default 512); also the JVM heap
                                   sizing and the cost
              --no-cpu-limit       run the competitors without Lambda's CPU share
              --no-memory-limit    run the competitors without Lambda's memory limit
              --plain-http         iot-data over plain HTTP (default: HTTPS with a CA made at start)
              --latency-ms N       iot-data per-request latency (default 15)
              --cold-starts N      fresh process starts per competitor (default 5)
              --e2e-rate N         end-to-end publish rate, msg/s (default 200)
              --e2e-seconds N      end-to-end measured time after the warm-up (default 30)
              --e2e-warmup-s N     end-to-end warm-up from the process start, not in the steady
                                   state figures (default 90); cold-start latency is reported apart
              --competitors LIST   comma list of sample,corrected,concurrent,jvm,jvm-keepalive5,native
                                   (default all; in the default, native runs when there is a native
                                   zip (see --native-zip) and is left out with a note otherwise;
                                   jvm-keepalive5 = the function with the JDK's default of 5 kept
                                   connections, i.e. before the fix); also jvm-c2: the function with
                                   full tiered JIT (analysis only)
              --scenarios LIST     comma list of throughput,coldstart,e2e (default all)
              --no-envelope        skip the extra envelope-v1 run of the function
              --smoke              tiny counts (200 messages, 1 cold start, 5+3 s e2e): checks the harness
              --profile            record a JFR profile of the JVM function in the throughput run
                                   (harness/target/profiles/: .jfr, hot-methods.txt, areas.txt)
              --extra-jvm-options S  appended to the function's JAVA_TOOL_OPTIONS (analysis only)
              --native-options S     appended to the native bootstrap's arguments, e.g. "-XX:MaxNewSize=16m" (analysis only)
              --timeout-s N        give up a throughput run after N s (default 900)
              --docs PATH          also write the markdown report (docs/benchmarks.md); only such a run
                                   writes harness/results/ (<UTC time>.json + latest.json), any other
                                   run writes harness/target/results/
              --out PATH           also copy the results JSON to PATH (e.g. a CI artifact)
              --native-zip PATH    the native competitor's zip, run side by side with the JVM one
                                   (default: function/target/native/function.zip from
                                   `make native-build` if it exists, else the function zip if that
                                   is native)
              --report-from JSON   run nothing: print the tables of a results file (and --docs)

            the load run (make load LOAD_ARGS="…", dev.iotbridge.harness.Load) takes --memory-mb, --latency-ms, --plain-http,
            --no-cpu-limit, --no-memory-limit, --native-zip, --function-zip, --out and:
              --instances LIST     function instances (the mapping's maximum concurrency), one run each (default 1,2,4)
              --rates LIST         offered msg/s, raised step by step until the bridge falls behind (default 100,200,400,800,1200,1600)
              --step-seconds N     measured seconds per step (default 15)
              --quota-rate N       offered msg/s of the back-pressure step (default 300)
              --quota N            iot-data publish quota (requests/s) of that step, below its rate (default 150; 0 skips the step)
              --quota-instances N  function instances of that step (default 2)
              --report-from JSON   measure nothing: put the capacity model beside a recorded run again (rewrites it and its .md)
            """;

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--messages" -> o.messages = Integer.parseInt(args[++i]);
                case "--batch" -> o.batchSizes = List.of(Integer.parseInt(args[++i]));
                case "--batches" -> o.batchSizes = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--sequential-messages" -> o.sequentialMessages = Integer.parseInt(args[++i]);
                case "--memory-mb" -> o.memoryMb = Integer.parseInt(args[++i]);
                case "--no-cpu-limit" -> o.cpuLimit = false;
                case "--no-memory-limit" -> o.memoryLimit = false;
                case "--plain-http" -> o.tls = false;
                case "--e2e-warmup-s" -> o.e2eWarmupSeconds = Integer.parseInt(args[++i]);
                case "--latency-ms" -> o.latencyMs = Integer.parseInt(args[++i]);
                case "--cold-starts" -> o.coldStarts = Integer.parseInt(args[++i]);
                case "--e2e-rate" -> o.e2eRate = Integer.parseInt(args[++i]);
                case "--e2e-seconds" -> o.e2eSeconds = Integer.parseInt(args[++i]);
                case "--timeout-s" -> o.timeoutSeconds = Integer.parseInt(args[++i]);
                case "--competitors" -> {
                    o.competitors = Arrays.asList(args[++i].split(","));
                    o.competitorsGiven = true;
                }
                case "--scenarios" -> o.scenarios = Arrays.asList(args[++i].split(","));
                case "--no-envelope" -> o.envelope = false;
                case "--profile" -> o.profile = true;
                case "--extra-jvm-options" -> o.extraJvmOptions = args[++i];
                case "--native-options" -> o.nativeOptions = args[++i];
                case "--smoke" -> {
                    o.smoke = true;
                    o.messages = 200;
                    o.sequentialMessages = 50;
                    o.coldStarts = 1;
                    o.e2eSeconds = 3;
                    o.e2eWarmupSeconds = 5;
                }
                case "--bench-dir" -> o.benchDir = Path.of(args[++i]).toAbsolutePath();
                case "--function-zip" -> o.functionZip = Path.of(args[++i]).toAbsolutePath();
                case "--native-zip" -> {
                    o.nativeZip = Path.of(args[++i]).toAbsolutePath();
                    o.nativeZipGiven = true;
                }
                case "--python" -> o.python = Path.of(args[++i]).toAbsolutePath();
                case "--java-home" -> o.javaHome = Path.of(args[++i]).toAbsolutePath();
                case "--docs" -> o.docs = Path.of(args[++i]).toAbsolutePath();
                case "--out" -> o.out = Path.of(args[++i]).toAbsolutePath();
                case "--report-from" -> o.reportFrom = Path.of(args[++i]).toAbsolutePath();
                case "--command" -> o.commandLine = args[++i];
                case "--instances" -> o.loadInstances = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--rates" -> o.loadRates = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--step-seconds" -> o.loadStepSeconds = Integer.parseInt(args[++i]);
                case "--quota-rate" -> o.loadQuotaRate = Integer.parseInt(args[++i]);
                case "--quota" -> o.loadQuota = Integer.parseInt(args[++i]);
                case "--quota-instances" -> o.loadQuotaInstances = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return null;
                }
                default -> throw new IllegalArgumentException("unknown flag " + a + "\n" + USAGE);
            }
        }
        o.batchSize = o.batchSizes.get(0);
        if (o.functionZip == null) {
            o.functionZip = o.benchDir.resolveSibling("function").resolve("target/function.zip");
        }
        if (o.nativeZip == null) {
            Path built = o.benchDir.resolveSibling(BUILT_NATIVE_ZIP);
            if (Files.isRegularFile(built)) {
                o.nativeZip = built;
            } else if (Competitor.zipHasBootstrap(o.functionZip)) {
                o.nativeZip = o.functionZip;
            }
        }
        if (o.python == null) {
            o.python = o.benchDir.resolve(".venv/bin/python");
        }
        return o;
    }
}
