package dev.iotbridge.harness.bench;

import dev.iotbridge.harness.Cli;
import dev.iotbridge.harness.Progress;
import dev.iotbridge.harness.StackEndpoints;
import dev.iotbridge.harness.StackOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.iotbridge.harness.Results.JSON;

/**
 * {@code make bench}: runs every competitor as its own Lambda-style process behind the local
 * stack's Lambda emulation (Runtime API + SQS event source mapping), on the same SQS messages and the same iot-data endpoint,
 * and prints/records throughput, delivered/sent, CPU per message, peak RSS, cold start and
 * end-to-end latency. See harness/README.md for the flags.
 */
public final class Bench {
    public static void main(String[] args) {
        System.exit(Cli.of(new BenchOptions(), (o, cl) -> {
            if (o.reportFrom != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> res = JSON.readValue(o.reportFrom.toFile(), LinkedHashMap.class);
                Report report = new Report(res, o);
                String tables = report.tables();
                System.out.println(tables);
                if (o.docs != null) {
                    writeDocs(report, tables);
                }
                return 0;
            }
            return new Bench(o).run();
        }).execute(args));
    }

    private final BenchOptions o;
    private final String runId;
    private final Map<String, Object> results = new LinkedHashMap<>();

    Bench(BenchOptions o) {
        this.o = o;
        this.runId = Long.toString(System.currentTimeMillis(), 36);
    }

    int run() throws Exception {
        Path work = o.benchDir.resolve("target/work");
        Files.createDirectories(work);
        Competitor.Paths paths = new Competitor.Paths(o.benchDir, o.python, o.functionZip, o.nativeZip,
                o.benchDir.resolve("target/ric"), o.javaHome, work);

        List<Competitor> all = competitors();
        log("run %s: competitors %s", runId, all.stream().map(Competitor::id).toList());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("date", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        meta.put("command", o.commandLine);
        meta.put("messages", o.messages);
        meta.put("sequentialMessages", o.sequentialMessages);
        meta.put("batchSizes", o.batchSizes);
        meta.put("batchSize", o.batchSize);
        meta.put("iotDataLatencyMs", o.latencyMs);
        meta.put("coldStarts", o.coldStarts);
        meta.put("e2eRate", o.e2eRate);
        meta.put("e2eSeconds", o.e2eSeconds);
        meta.put("e2eWarmupSeconds", o.e2eWarmupSeconds);
        meta.put("iotDataTls", o.tls);
        LambdaLimits limits = LambdaLimits.detect(o.memoryMb, o.cpuLimit, o.memoryLimit);
        meta.put("limits", limits.describe());
        log("%s", limits.summary());
        meta.put("smoke", o.smoke);
        meta.put("machine", Machine.describe());
        meta.put("loadAtStart", Machine.load());
        meta.put("javaForFunction", Machine.javaVersion(o.javaHome));
        meta.put("python", Machine.pythonVersion(o.python));
        meta.put("jvmOptions", Competitor.SHIPPED_JAVA_TOOL_OPTIONS);
        meta.put("appCds", Competitor.zipHasAppCds(o.functionZip));
        boolean nativeRuns = all.stream().anyMatch(c -> c.kind() == Competitor.Kind.NATIVE);
        meta.put("native", nativeRuns ? "available" : "not available");
        if (nativeRuns) {
            meta.put("nativeZip", relative(o.nativeZip));
            meta.put("nativeBuilder", nativeBuilder());
        }
        results.put("meta", meta);

        log("starting the local stack (brokers, rules engine, ElasticMQ, iot-data; no function process)");
        try (StackEndpoints ep = StackEndpoints.open(o)) {
            meta.put("endpoints", ep.description());
            ep.iotDataLatency(Duration.ofMillis(o.latencyMs));
            Scenarios s = new Scenarios(o, runId, ep, paths, limits);
            if (o.scenarios.contains("throughput")) {
                results.put("throughput", s.throughput(all));
            }
            if (o.scenarios.contains("coldstart")) {
                results.put("coldStart", s.coldStart(all));
            }
            if (o.scenarios.contains("e2e")) {
                results.put("e2e", s.endToEnd(all));
            }
        }
        Report report = new Report(results, o);
        String tables = report.tables();
        System.out.println();
        System.out.println(tables);
        // Only a run that rewrites the docs publishes its results (harness/results/, committed); any
        // other run (--no-docs, --smoke, analysis flags) keeps them under harness/target/results/.
        boolean publish = o.docs != null && !o.smoke;
        Path resultsDir = publish ? o.benchDir.resolve("results") : o.benchDir.resolve("target/results");
        Files.createDirectories(resultsDir);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        Path file = resultsDir.resolve((o.smoke ? "smoke-" : "") + stamp + ".json");
        JSON.writeValue(file.toFile(), results);
        Files.copy(file, resultsDir.resolve(o.smoke ? "smoke-latest.json" : "latest.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        log("results: %s", o.benchDir.getParent().relativize(file));
        if (o.out != null) {
            Files.createDirectories(o.out.toAbsolutePath().getParent());
            Files.copy(file, o.out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            log("results: %s", o.out);
        }
        if (publish) {
            writeDocs(report, tables);
        }
        return report.failed() ? 2 : 0;
    }

    /** docs/benchmarks.md and, beside it, docs/cost.md. */
    private static void writeDocs(Report report, String tables) throws java.io.IOException {
        BenchOptions o = report.options();
        Files.writeString(o.docs, report.markdown(tables), StandardCharsets.UTF_8);
        log("wrote %s", o.docs);
        Path cost = o.docs.resolveSibling("cost.md");
        Files.writeString(cost, report.costMarkdown(), StandardCharsets.UTF_8);
        log("wrote %s", cost);
    }

    private List<Competitor> competitors() {
        List<Competitor> list = new ArrayList<>();
        for (String id : o.competitors) {
            switch (id) {
                case "sample" -> list.add(new Competitor("sample", "sample-equivalent (Python)", Competitor.Kind.PY_SAMPLE, Competitor.Shape.LEGACY));
                case "corrected" -> list.add(new Competitor("corrected", "corrected Python (sequential)", Competitor.Kind.PY_CORRECTED, Competitor.Shape.LEGACY));
                case "concurrent" -> list.add(new Competitor("concurrent", "concurrent Python (baseline)", Competitor.Kind.PY_CONCURRENT, Competitor.Shape.LEGACY));
                case "jvm" -> {
                    requireZip();
                    list.add(new Competitor("jvm", "this function (JVM)", Competitor.Kind.JVM, Competitor.Shape.LEGACY));
                    if (o.envelope) {
                        list.add(new Competitor("jvm-envelope", "this function (JVM), envelope v1", Competitor.Kind.JVM, Competitor.Shape.ENVELOPE));
                    }
                }
                case "jvm-keepalive5" -> {
                    requireZip();
                    list.add(new Competitor("jvm-keepalive5", "this function (JVM) before the keep-alive fix", Competitor.Kind.JVM, Competitor.Shape.LEGACY));
                }
                case "jvm-c2" -> {
                    requireZip();
                    list.add(new Competitor("jvm-c2", "this function (JVM, full JIT)", Competitor.Kind.JVM, Competitor.Shape.LEGACY));
                }
                case "native" -> {
                    if (o.nativeZip != null && StackOptions.isNativeZip(o.nativeZip)) {
                        log("native: %s (%s)", relative(o.nativeZip), nativeBuilder());
                        list.add(new Competitor("native", "this function (native)", Competitor.Kind.NATIVE, Competitor.Shape.LEGACY));
                        if (o.envelope) {
                            list.add(new Competitor("native-envelope", "this function (native), envelope v1", Competitor.Kind.NATIVE, Competitor.Shape.ENVELOPE));
                        }
                    } else if (o.nativeZip != null) {
                        // a zip that is there but not native is a broken artifact, not an absent one
                        throw new IllegalStateException(o.nativeZip + " is not a native zip (no bootstrap at its root)");
                    } else if (o.competitorsGiven) {
                        throw new IllegalStateException("--competitors native: no native zip; `make native-build` writes "
                                + StackOptions.BUILT_NATIVE_ZIP + ", or pass one with --native-zip PATH");
                    } else {
                        log("native: not in this run (no %s: build it with `make native-build`, or pass --native-zip PATH)", StackOptions.BUILT_NATIVE_ZIP);
                    }
                }
                default -> throw new IllegalArgumentException("unknown competitor " + id);
            }
        }
        return list;
    }

    private String nativeBuilder;

    /** {@link #nativeBuilder(Path)} of the run's native zip, read once. */
    private String nativeBuilder() {
        if (nativeBuilder == null) {
            nativeBuilder = nativeBuilder(o.nativeZip);
        }
        return nativeBuilder;
    }

    private static final byte[] VM_MARKER = "com.oracle.svm.core.VM=".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    /**
     * What built a native zip, read from the zip itself: the VM name native-image writes into every
     * image ({@code com.oracle.svm.core.VM=GraalVM CE 25.0.2+10.1}, Mandrel's says Mandrel) and
     * how it links the JDK's libraries (shared objects in {@code lib/} from a toolchain without
     * static JDK libraries, such as the development stand-in; else linked in, as Mandrel and
     * GraalVM releases do).
     */
    public static String nativeBuilder(Path zip) {
        String vm = "an unknown native-image";
        boolean sharedJdk;
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
            sharedJdk = z.getEntry("lib/libjava.so") != null;
            java.util.zip.ZipEntry e = z.getEntry("bootstrap");
            if (e != null) {
                try (java.io.InputStream in = new java.io.BufferedInputStream(z.getInputStream(e), 1 << 16)) {
                    String found = printableAfter(in, VM_MARKER, 80);
                    if (found != null) vm = found;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown builder (" + e.getMessage() + ")";
        }
        return vm + (sharedJdk ? ", JDK libraries as shared objects in lib/ (the development stand-in)" : ", JDK libraries linked in");
    }

    /** The printable ASCII run (at most {@code max} bytes) that follows the first {@code marker} in the stream, or null. */
    private static String printableAfter(java.io.InputStream in, byte[] marker, int max) throws java.io.IOException {
        String m = new String(marker, java.nio.charset.StandardCharsets.ISO_8859_1);
        int keep = marker.length + max;   // carried over between chunks, so a match across their border is found whole
        String carry = "";
        byte[] chunk = new byte[1 << 20];
        for (int n; (n = in.readNBytes(chunk, 0, chunk.length)) > 0; ) {
            String text = carry + new String(chunk, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
            int at = text.indexOf(m);
            if (at >= 0 && (text.length() - at >= keep || n < chunk.length)) {
                java.util.regex.Matcher v = java.util.regex.Pattern.compile("[ -~]{0," + max + "}").matcher(text);
                return v.find(at + m.length()) ? v.group() : "";
            }
            carry = text.substring(Math.max(0, text.length() - keep));
        }
        return null;
    }

    private String relative(Path p) {
        Path root = o.benchDir.getParent();
        return p.startsWith(root) ? root.relativize(p).toString() : p.toString();
    }

    private void requireZip() {
        if (!Files.isRegularFile(o.functionZip)) {
            throw new IllegalStateException("missing " + o.functionZip + ": run `make package` first");
        }
    }

    private static void log(String fmt, Object... args) {
        Progress.log("bench", fmt, args);
    }
}
