package dev.iotbridge.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Command-line flags of the runner (bench/run.sh passes its own flags through). */
final class Options {
    int messages = 10_000;
    int batchSize = 10;
    int latencyMs = 15;
    int coldStarts = 5;
    int e2eRate = 200;
    int e2eSeconds = 30;
    int timeoutSeconds = 900;
    boolean envelope = true;
    boolean smoke;
    boolean profile;
    String extraJvmOptions = "";
    List<String> competitors = List.of("sample", "corrected", "concurrent", "jvm", "native");
    List<String> scenarios = List.of("throughput", "coldstart", "e2e");
    Path benchDir = Path.of("bench").toAbsolutePath();
    Path functionZip;
    Path python;
    Path javaHome = Path.of(System.getProperty("java.home"));
    Path docs;
    Path reportFrom;
    Path out;
    String commandLine = "make bench";

    static final String USAGE = """
            usage: bench/run.sh [flags]     (make bench = bench/run.sh with no flags)
              --messages N         messages per throughput run (default 10000)
              --batch N            SQS batch size of the event source mapping (default 10)
              --latency-ms N       iot-data per-request latency (default 15)
              --cold-starts N      fresh process starts per competitor (default 5)
              --e2e-rate N         end-to-end publish rate, msg/s (default 200)
              --e2e-seconds N      end-to-end publishing time (default 30)
              --competitors LIST   comma list of sample,corrected,concurrent,jvm,native (default all;
                                   native runs only when function.zip has a bootstrap); also
                                   jvm-c2: the function with full tiered JIT (analysis only)
              --scenarios LIST     comma list of throughput,coldstart,e2e (default all)
              --no-envelope        skip the extra envelope-v1 run of the function
              --smoke              tiny counts (100 messages, 1 cold start, 3 s e2e): checks the harness
              --profile            record a JFR profile of the JVM function in the throughput run
                                   (bench/target/profiles/: .jfr + hot-methods.txt)
              --extra-jvm-options S  appended to the function's JAVA_TOOL_OPTIONS (analysis only)
              --timeout-s N        give up a throughput run after N s (default 900)
              --docs PATH          also write the markdown report (docs/benchmarks.md); only such a run
                                   writes bench/results/ (<UTC time>.json + latest.json), any other
                                   run writes bench/target/results/
              --out PATH           also copy the results JSON to PATH (e.g. a CI artifact)
              --report-from JSON   run nothing: print the tables of a results file (and --docs)
            """;

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--messages" -> o.messages = Integer.parseInt(args[++i]);
                case "--batch" -> o.batchSize = Integer.parseInt(args[++i]);
                case "--latency-ms" -> o.latencyMs = Integer.parseInt(args[++i]);
                case "--cold-starts" -> o.coldStarts = Integer.parseInt(args[++i]);
                case "--e2e-rate" -> o.e2eRate = Integer.parseInt(args[++i]);
                case "--e2e-seconds" -> o.e2eSeconds = Integer.parseInt(args[++i]);
                case "--timeout-s" -> o.timeoutSeconds = Integer.parseInt(args[++i]);
                case "--competitors" -> o.competitors = Arrays.asList(args[++i].split(","));
                case "--scenarios" -> o.scenarios = Arrays.asList(args[++i].split(","));
                case "--no-envelope" -> o.envelope = false;
                case "--profile" -> o.profile = true;
                case "--extra-jvm-options" -> o.extraJvmOptions = args[++i];
                case "--smoke" -> {
                    o.smoke = true;
                    o.messages = 100;
                    o.coldStarts = 1;
                    o.e2eSeconds = 3;
                }
                case "--bench-dir" -> o.benchDir = Path.of(args[++i]).toAbsolutePath();
                case "--function-zip" -> o.functionZip = Path.of(args[++i]).toAbsolutePath();
                case "--python" -> o.python = Path.of(args[++i]).toAbsolutePath();
                case "--java-home" -> o.javaHome = Path.of(args[++i]).toAbsolutePath();
                case "--docs" -> o.docs = Path.of(args[++i]).toAbsolutePath();
                case "--out" -> o.out = Path.of(args[++i]).toAbsolutePath();
                case "--report-from" -> o.reportFrom = Path.of(args[++i]).toAbsolutePath();
                case "--command" -> o.commandLine = args[++i];
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return null;
                }
                default -> throw new IllegalArgumentException("unknown flag " + a + "\n" + USAGE);
            }
        }
        if (o.functionZip == null) {
            o.functionZip = o.benchDir.resolveSibling("function").resolve("target/function.zip");
        }
        if (o.python == null) {
            o.python = o.benchDir.resolve(".venv/bin/python");
        }
        return o;
    }
}
