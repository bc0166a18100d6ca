package dev.iotbridge.harness.bench;

import dev.iotbridge.harness.Markdown;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/** Tables (printed and in docs/benchmarks.md), ratios and the project's targets. */
final class Report {
    private final Map<String, Object> results;
    private final BenchOptions o;
    private boolean failed;

    Report(Map<String, Object> results, BenchOptions o) {
        this.results = results;
        this.o = o;
    }

    boolean failed() {
        return failed;
    }

    BenchOptions options() {
        return o;
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> list(String key) {
        Object v = results.get(key);
        return v == null ? List.of() : (List<Map<String, Object>>) v;
    }

    private static Map<String, Object> byId(List<Map<String, Object>> rows, String id) {
        return rows.stream().filter(r -> id.equals(r.get("id"))).findFirst().orElse(null);
    }

    private static Double num(Map<String, Object> r, String k) {
        if (r == null || !(r.get(k) instanceof Number n)) {
            return null;
        }
        double d = n.doubleValue();
        return Double.isNaN(d) ? null : d;
    }

    private static String f(Double v, String fmt) {
        return v == null ? "–" : String.format(Locale.ROOT, fmt, v);
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? "–" : String.format(Locale.ROOT, "%.2f×", a / b);
    }

    /** Rows of one scenario at one batch size (rows without a batchSize belong to the first). */
    private List<Map<String, Object>> atBatch(List<Map<String, Object>> rows, int batch, int first) {
        return rows.stream().filter(r -> num(r, "batchSize") == null ? batch == first : num(r, "batchSize").intValue() == batch).toList();
    }

    @SuppressWarnings("unchecked")
    private List<Integer> batchSizes() {
        Map<String, Object> meta = (Map<String, Object>) results.get("meta");
        Object b = meta.get("batchSizes");
        if (b instanceof List<?> l && !l.isEmpty()) {
            return ((List<Number>) l).stream().map(Number::intValue).toList();
        }
        return List.of(((Number) meta.getOrDefault("batchSize", 10)).intValue());
    }

    /** docs/cost.md from this run's throughput rows. */
    String costMarkdown() {
        Map<String, Object> meta = meta();
        int memoryMb = limits() != null && limits().get("memoryMb") instanceof Number n ? n.intValue() : 512;
        return Cost.markdown(list("throughput"), meta, memoryMb, limitsText().replace("**", ""));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> meta() {
        return (Map<String, Object>) results.get("meta");
    }

    /** The limits of the run: {@code limits}, or {@code cpuLimit} in results written before the memory limit. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> limits() {
        Object l = meta().get("limits");
        if (l == null) l = meta().get("cpuLimit");
        return l instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    private boolean cpuLimited() {
        return limits() != null && limits().get("method") != null && !"none".equals(limits().get("method"));
    }

    private String limitsText() {
        Map<String, Object> c = limits();
        if (c == null) {
            return "**no CPU or memory limit** (not recorded)";
        }
        String cpu = "none".equals(c.get("method"))
                ? "**no CPU limit** (" + c.get("note") + ")"
                : String.format(Locale.ROOT, "CPU %s vCPU (%s, %s)", c.get("vcpu"), c.get("method"),
                String.valueOf(c.get("quota")).replace(", one cgroup per process", ""));
        String memory;
        if (!(c.get("memory") instanceof Map<?, ?> m)) {
            memory = "memory not limited (results from before the memory limit)";
        } else if ("none".equals(m.get("method"))) {
            memory = "**no memory limit** (" + m.get("note") + ")";
        } else {
            memory = String.format(Locale.ROOT, "memory %s (%s)", String.valueOf(m.get("limit")).replace(", one cgroup per process", ""), m.get("method"));
        }
        return String.format(Locale.ROOT, "Lambda's limits for %s MB per competitor process, one cgroup each: %s; %s", c.get("memoryMb"), cpu, memory);
    }

    /** The native zip's builder, for every heading over native figures (a reader must see what built them). */
    private String nativeBuilder() {
        Object b = meta().get("nativeBuilder");
        return b == null ? "unknown builder" : String.valueOf(b);
    }

    private String nativeNote(List<Map<String, Object>> rows) {
        boolean any = rows.stream().anyMatch(r -> String.valueOf(r.get("id")).startsWith("native"));
        return any ? "; native built by: " + nativeBuilder() : "";
    }

    String tables() {
        StringBuilder sb = new StringBuilder();
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) results.get("meta");
        String transport = Objects.equals(meta.get("iotDataTls"), false) ? "plain HTTP" : "HTTPS";
        List<Map<String, Object>> tp = list("throughput");
        List<Integer> batches = batchSizes();
        for (int batch : batches) {
            List<Map<String, Object>> rowsAt = atBatch(tp, batch, batches.get(0));
            if (rowsAt.isEmpty()) {
                continue;
            }
            Map<String, Object> base = byId(rowsAt, "concurrent");
            sb.append(String.format(Locale.ROOT, "### Throughput, CPU, connections — batch size %d, one instance, iot-data over %s (%s ms), %s%s%n%n",
                    batch, transport, meta.get("iotDataLatencyMs"), limitsText(), nativeNote(rowsAt)));
            Markdown.table(sb, List.of("competitor", "SQS message", "concurrency", "delivered/sent", "retried / duplicates", "msg/s", "× concurrent Python",
                    "CPU ms/msg", "CPU × concurrent Python", "CPU ms/msg, 2nd half", "connections per 1,000 msgs", "new connections per batch after the 1st",
                    "peak RSS MiB", "mean invocation ms", "machine busy %"), rows(rowsAt, r -> {
                        if (r.get("error") != null) {
                            return List.of(label(r), s(r.get("messageShape")), s(r.get("concurrency")), "FAILED: " + oneLine(r.get("error")),
                                    "", "", "", "", "", "", "", "", "", "", "");
                        }
                        return List.of(label(r), s(r.get("messageShape")), s(r.get("concurrency")),
                                r.get("delivered") + "/" + r.get("sent") + " = " + f(num(r, "deliveredRatio"), "%.3f"),
                                s(r.get("retried")) + " / " + s(r.get("duplicates")),
                                f(num(r, "throughput"), "%.1f"),
                                ratio(num(r, "throughput"), num(base, "throughput")),
                                f(num(r, "cpuMsPerMsg"), "%.3f"),
                                ratio(num(r, "cpuMsPerMsg"), num(base, "cpuMsPerMsg")),
                                f(num(r, "cpuMsPerMsgSecondHalf"), "%.3f"),
                                f(num(r, "connectionsPer1000Msgs"), "%.1f"),
                                f(num(r, "newConnectionsPerBatchAfterFirst"), "%.2f"),
                                f(num(r, "peakRssMiB"), "%.0f"),
                                f(num(r, "meanInvocationMs"), "%.1f"),
                                f(num(r, "machineBusyPercent"), "%.0f"));
                    }));
            sb.append("\n");
        }
        if (!tp.isEmpty()) {
            sb.append("CPU = user+sys of the handler process after init, divided by delivered messages (2nd half: the same over "
                    + "the second half of the run, JIT warm-up mostly behind); "
                    + "retried = records left for redelivery (listed in batchItemFailures, e.g. after a publish timeout), duplicates = "
                    + "messages that arrived twice; throughput = delivered messages / (first invocation → last batch done); connections = client connections "
                    + "the iot-data endpoint served while the instance ran (each a TCP + TLS handshake over HTTPS); "
                    + "mean invocation = batch handed to the instance → its response; machine busy = all CPUs during the run "
                    + "(handler + local stack + harness + anything else on the machine).\n\n");
        }
        List<Map<String, Object>> cs = list("coldStart");
        if (!cs.isEmpty()) {
            Map<String, Object> base = byId(cs, "concurrent");
            sb.append(String.format(Locale.ROOT, "### Cold start — median of %s fresh process starts (first batch: %s records), %s%s%n%n",
                    meta.get("coldStarts"), meta.get("batchSize"), limitsText(), nativeNote(cs)));
            Markdown.table(sb, List.of("competitor", "init (start → first /next) ms", "× concurrent Python", "start → first batch done ms", "× concurrent Python", "all init ms", "RSS after 1st batch MiB"),
                    rows(cs, r -> r.get("error") != null && num(r, "initMedianMs") == null
                            ? List.of(label(r), "FAILED: " + oneLine(r.get("error")), "", "", "", "", "")
                            : List.of(label(r), f(num(r, "initMedianMs"), "%.0f"), ratio(num(r, "initMedianMs"), num(base, "initMedianMs")),
                            f(num(r, "firstBatchMedianMs"), "%.0f"), ratio(num(r, "firstBatchMedianMs"), num(base, "firstBatchMedianMs")),
                            s(r.get("initMs")), f(num(r, "peakRssAfterFirstBatchMiB"), "%.0f"))));
            sb.append("\n");
        }
        List<Map<String, Object>> e2e = list("e2e");
        if (!e2e.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "### End to end — source broker publish → destination broker arrival, %s msg/s from the process start, "
                            + "batch size %s; steady state = the %s s after a %s s warm-up; cold start = the messages of the first second; %s%s%n%n",
                    meta.get("e2eRate"), meta.get("batchSize"), meta.get("e2eSeconds"), meta.get("e2eWarmupSeconds"), limitsText(), nativeNote(e2e)));
            Markdown.table(sb, List.of("competitor", "rule", "init ms", "cold: 1st message ms", "cold: max of 1st second ms",
                            "backlog after warm-up", "steady delivered/sent", "p50 ms", "p95 ms", "p99 ms", "max ms", "mean batch", "backlog at end", "machine busy %"),
                    rows(e2e, r -> r.get("error") != null
                            ? List.of(label(r), s(r.get("messageShape")), "FAILED: " + oneLine(r.get("error")), "", "", "", "", "", "", "", "", "", "", "")
                            : List.of(label(r), s(r.get("messageShape")), f(num(r, "initMs"), "%.0f"),
                            f(num(r, "coldFirstMessageMs"), "%.0f"), f(num(r, "coldMaxMs"), "%.0f"), s(r.get("backlogAfterWarmup")),
                            r.get("delivered") + "/" + r.get("sent") + " = " + f(num(r, "deliveredRatio"), "%.3f"),
                            f(num(r, "p50Ms"), "%.1f"), f(num(r, "p95Ms"), "%.1f"), f(num(r, "p99Ms"), "%.1f"),
                            f(num(r, "maxMs"), "%.1f"), f(num(r, "meanBatch"), "%.1f"),
                            s(r.get("backlogAtEnd")), f(num(r, "machineBusyPercent"), "%.0f"))));
            sb.append("\n");
        }
        sb.append(keepAlive());
        sb.append(targets());
        return sb.toString();
    }

    /** The function with and without the keep-alive fix, per batch size. */
    private String keepAlive() {
        List<Map<String, Object>> tp = list("throughput");
        List<List<String>> rows = new ArrayList<>();
        List<Integer> batches = batchSizes();
        for (int batch : batches) {
            List<Map<String, Object>> at = atBatch(tp, batch, batches.get(0));
            Map<String, Object> before = byId(at, "jvm-keepalive5");
            Map<String, Object> after = byId(at, "jvm");
            if (before == null || after == null) {
                continue;
            }
            for (Map<String, Object> r : List.of(before, after)) {
                rows.add(List.of(Integer.toString(batch), r == before ? "before: JDK default, 5 kept connections" : "after: kept connections = concurrency",
                        s(r.get("connections")), f(num(r, "connectionsPer1000Msgs"), "%.1f"), s(r.get("newConnectionsAfterFirstBatch")),
                        f(num(r, "cpuMsPerMsg"), "%.3f"), f(num(r, "throughput"), "%.1f")));
            }
        }
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("### Connection reuse in the function — before/after (same run)\n\n");
        Markdown.table(sb, List.of("batch size", "function", "connections", "per 1,000 msgs", "new after the 1st batch", "CPU ms/msg", "msg/s"), rows);
        return sb.append("\n").toString();
    }

    /**
     * The project's performance targets, for the native function (the deployed default) against
     * concurrent Python in the same run: each row the two figures, the ratio, met or missed. The
     * JVM build is the fallback: its ratio is shown beside, never judged. Without a native
     * competitor in the run the rows say so rather than judge anything else against the targets.
     */
    String targets() {
        List<Map<String, Object>> tp = list("throughput");
        List<Map<String, Object>> cs = list("coldStart");
        List<Map<String, Object>> e2e = list("e2e");
        List<Integer> batches = batchSizes();
        boolean tls = !Objects.equals(meta().get("iotDataTls"), false);
        boolean limited = cpuLimited();
        boolean nativeRan = Stream.of(tp, cs, e2e).flatMap(List::stream).anyMatch(r -> "native".equals(r.get("id")));
        List<List<String>> rows = new ArrayList<>();

        Map<String, Object> pyCold = byId(cs, "concurrent");
        rows.add(target(nativeRan, "init (start → first /next) ≤ 0.1× concurrent Python", byId(cs, "native"), pyCold, byId(cs, "jvm"),
                "initMedianMs", "%.0f ms", 0.1, true, null));
        rows.add(target(nativeRan, "start → first batch done ≤ 0.2× concurrent Python", byId(cs, "native"), pyCold, byId(cs, "jvm"),
                "firstBatchMedianMs", "%.0f ms", 0.2, true, null));
        for (int batch : List.of(10, 100)) {
            List<Map<String, Object>> at = batches.contains(batch) ? atBatch(tp, batch, batches.get(0)) : List.of();
            String name = "CPU per message ≤ 0.4× concurrent Python, batch " + batch + ", over TLS (verdict on the whole run; 2nd half beside it)";
            rows.add(batches.contains(batch)
                    ? cpuTarget(nativeRan, name, byId(at, "native"), byId(at, "concurrent"), byId(at, "jvm"), tls ? null : "not judged: iot-data over plain HTTP in this run")
                    : notRun(name, "batch " + batch + " not run (--batches)"));
        }
        for (int batch : List.of(100)) {
            List<Map<String, Object>> at = batches.contains(batch) ? atBatch(tp, batch, batches.get(0)) : List.of();
            String name = "throughput of one instance at batch " + batch + " under the CPU share ≥ 2× concurrent Python";
            rows.add(batches.contains(batch)
                    ? target(nativeRan, name, byId(at, "native"), byId(at, "concurrent"), byId(at, "jvm"), "throughput", "%.1f msg/s", 2, false,
                    limited ? null : "not judged: no CPU limit in this run")
                    : notRun(name, "batch " + batch + " not run (--batches)"));
        }
        for (int batch : batches) {
            List<Map<String, Object>> at = atBatch(tp, batch, batches.get(0));
            if (byId(at, "concurrent") == null && byId(at, "native") == null) continue;
            rows.add(target(nativeRan, "peak RSS ≤ 1.5× concurrent Python (throughput, batch " + batch + ")", byId(at, "native"),
                    byId(at, "concurrent"), byId(at, "jvm"), "peakRssMiB", "%.0f MiB", 1.5, true, null));
        }
        rows.add(e2eTarget(nativeRan, byId(e2e, "native"), byId(e2e, "concurrent"), byId(e2e, "jvm"), !e2e.isEmpty()));

        StringBuilder sb = new StringBuilder("### Targets — the native function against concurrent Python in this run"
                + (nativeRan ? "; native built by: " + nativeBuilder()
                : ": not measured, no native function in this run (`make native-build` writes " + dev.iotbridge.harness.StackOptions.BUILT_NATIVE_ZIP
                + "); the JVM build is the fallback and is not judged against them") + "\n\n");
        Markdown.table(sb, List.of("target", "native", "concurrent Python", "native ÷ Python", "verdict", "JVM ÷ Python (fallback, not judged)"), rows);
        sb.append("\n").append(deliveryCheck(tp, batches)).append("\n");
        for (String k : List.of("throughput", "coldStart", "e2e")) {
            for (Map<String, Object> r : list(k)) {
                if (r.get("error") != null) failed = true;
            }
        }
        return sb.toString();
    }

    private static final String NO_NATIVE = "not measured: no native in this run";

    private static List<String> notRun(String name, String why) {
        return List.of(name, "not measured: " + why, "–", "–", "–", "–");
    }

    /**
     * One ratio target: native's figure against Python's, {@code atMost} (figure ≤ bound × Python's)
     * or not (≥); {@code notJudged} says why a verdict would mean nothing in this run.
     */
    private static List<String> target(boolean nativeRan, String name, Map<String, Object> nat, Map<String, Object> py, Map<String, Object> jvm,
                                       String key, String fmt, double bound, boolean atMost, String notJudged) {
        String jvmRatio = ratio(num(jvm, key), num(py, key));
        if (!nativeRan) {
            return List.of(name, NO_NATIVE, f(num(py, key), fmt), "–", "–", jvmRatio);
        }
        Double x = ratioOf(num(nat, key), num(py, key));
        String verdict = notJudged != null ? notJudged
                : py == null ? "– (no concurrent Python in this run)"
                : verdict(x != null && (atMost ? x <= bound : x >= bound));
        return List.of(name, nat == null ? "not in this scenario" : errorOr(nat, f(num(nat, key), fmt)), f(num(py, key), fmt), ratio(num(nat, key), num(py, key)),
                verdict, jvmRatio);
    }

    private static List<String> cpuTarget(boolean nativeRan, String name, Map<String, Object> nat, Map<String, Object> py, Map<String, Object> jvm, String notJudged) {
        String jvmRatio = ratio(num(jvm, "cpuMsPerMsg"), num(py, "cpuMsPerMsg")) + "; 2nd half " + ratio(num(jvm, "cpuMsPerMsgSecondHalf"), num(py, "cpuMsPerMsgSecondHalf"));
        String pyText = cpuText(py);
        if (!nativeRan) {
            return List.of(name, NO_NATIVE, pyText, "–", "–", jvmRatio);
        }
        Double x = ratioOf(num(nat, "cpuMsPerMsg"), num(py, "cpuMsPerMsg"));
        String verdict = notJudged != null ? notJudged
                : py == null ? "– (no concurrent Python in this run)"
                : verdict(x != null && x <= 0.4);
        return List.of(name, nat == null ? "not in this scenario" : errorOr(nat, cpuText(nat)), pyText,
                ratio(num(nat, "cpuMsPerMsg"), num(py, "cpuMsPerMsg")) + "; 2nd half " + ratio(num(nat, "cpuMsPerMsgSecondHalf"), num(py, "cpuMsPerMsgSecondHalf")),
                verdict, jvmRatio);
    }

    private static String cpuText(Map<String, Object> r) {
        return r == null ? "–" : f(num(r, "cpuMsPerMsg"), "%.3f ms") + "; 2nd half " + f(num(r, "cpuMsPerMsgSecondHalf"), "%.3f ms");
    }

    /** Steady-state p99 is an absolute target (≤ 50 ms at 200 msg/s, every message delivered); Python's p99 beside it. */
    private List<String> e2eTarget(boolean nativeRan, Map<String, Object> nat, Map<String, Object> py, Map<String, Object> jvm, boolean ran) {
        Object rate = meta().get("e2eRate");
        String name = "steady end-to-end p99 ≤ 50 ms at 200 msg/s, every message delivered (after the " + meta().get("e2eWarmupSeconds") + " s warm-up)";
        if (!ran) {
            return notRun(name, "end to end not run (--scenarios)");
        }
        String jvmRatio = ratio(num(jvm, "p99Ms"), num(py, "p99Ms"));
        String pyText = py == null ? "–" : f(num(py, "p99Ms"), "%.1f ms") + ", delivered " + f(num(py, "deliveredRatio"), "%.3f");
        if (!nativeRan) {
            return List.of(name, NO_NATIVE, pyText, "–", "–", jvmRatio);
        }
        Double p = num(nat, "p99Ms");
        Double d = num(nat, "deliveredRatio");
        String verdict = !(rate instanceof Number n && n.intValue() == 200) ? "not judged: run at " + rate + " msg/s"
                : verdict(p != null && p <= 50 && d != null && d >= 1.0);
        return List.of(name, nat == null ? "not in this scenario" : errorOr(nat, f(p, "%.1f ms") + ", delivered " + f(d, "%.3f")), pyText,
                ratio(p, num(py, "p99Ms")), verdict, jvmRatio);
    }

    /** A competitor that failed has no figure: the error says why. */
    private static String errorOr(Map<String, Object> r, String figure) {
        return r.get("error") != null && figure.startsWith("–") ? "FAILED: " + oneLine(r.get("error")) : figure;
    }

    /** The run's own check (its exit status): the function, native and JVM, delivered every message it was sent. */
    private String deliveryCheck(List<Map<String, Object>> tp, List<Integer> batches) {
        List<String> parts = new ArrayList<>();
        boolean all = true;
        for (String fn : List.of("native", "jvm")) {
            for (int batch : batches) {
                Map<String, Object> r = byId(atBatch(tp, batch, batches.get(0)), fn);
                if (r == null) continue;
                Double d = num(r, "deliveredRatio");
                boolean ok = d != null && d >= 1.0;
                all &= ok;
                parts.add(fn + " batch " + batch + ": " + r.get("delivered") + "/" + r.get("sent"));
            }
        }
        if (parts.isEmpty()) {
            return "";
        }
        if (!all) failed = true;
        return "Check of the run (its exit status): the function delivered every message — " + String.join(", ", parts) + ": "
                + (all ? "yes" : "NO") + ".\n";
    }

    private static Double ratioOf(Double a, Double b) {
        return a == null || b == null || b == 0 ? null : a / b;
    }

    private static String verdict(boolean ok) {
        return ok ? "met" : "MISSED";
    }

    String markdown(String tables) {
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) results.get("meta");
        @SuppressWarnings("unchecked")
        Map<String, String> m = (Map<String, String>) meta.get("machine");
        StringBuilder sb = new StringBuilder();
        sb.append("# Benchmarks\n\n");
        sb.append("<!-- generated by harness/run.sh (harness/src/main/java/dev/iotbridge/harness/bench/Report.java); do not edit: the prose "
                + "below the results is kept in harness/benchmarks-analysis.md (the recorded run) and harness/benchmarks-notes.md (the method); "
                + "regenerate with harness/run.sh --no-build --report-from harness/results/<run>.json -->\n\n");
        sb.append("Measured side by side in one run, on the same local endpoints, so that machine noise cancels in the ratios.\n\n");
        sb.append("- **Date:** ").append(meta.get("date")).append("\n");
        sb.append("- **Command:** `").append(meta.get("command")).append("`\n");
        sb.append("- **Machine:** ").append(m.get("nproc")).append(" CPUs (").append(m.get("cpu")).append("), ")
                .append(m.get("memory")).append(" memory, ").append(m.get("os")).append(", ").append(m.get("kernel"))
                .append("; load average at start: ").append(m.get("loadavg")).append("\n");
        sb.append("- **Function JVM:** ").append(meta.get("javaForFunction")).append("; `JAVA_TOOL_OPTIONS=\"")
                .append(meta.get("jvmOptions")).append("\"`; AppCDS archive in function.zip: ")
                .append(Objects.equals(meta.get("appCds"), true) ? "yes (used)" : "no").append("\n");
        sb.append("- **Python:** ").append(meta.get("python")).append("\n");
        sb.append("- **Native function:** ").append(meta.get("nativeZip") == null ? String.valueOf(meta.get("native"))
                : "`" + meta.get("nativeZip") + "`, built by: " + nativeBuilder()).append("\n");
        sb.append("- **Endpoints:** ").append(meta.get("endpoints")).append("\n");
        sb.append("- **Limits:** ").append(limitsText()).append("\n");
        if (meta.get("loadAtStart") instanceof Map<?, ?> load) {
            sb.append("- **Machine load at start:** load average ").append(load.get("loadavg")).append("; all CPUs ")
                    .append(load.get("busyPercentOver1s")).append(" % busy over 1 s; top processes (%CPU): ")
                    .append(load.get("topProcesses")).append(". The machine is shared: ratios within the run hold, absolute times do not.\n");
        }
        sb.append("- **Raw results:** `harness/results/latest.json`; cost per million messages: [cost.md](cost.md)\n\n");
        sb.append("![throughput and cold start per competitor](benchmarks.png)\n\n");
        sb.append(tables);
        sb.append("\n<details><summary>lscpu / free</summary>\n\n```\n").append(m.get("lscpu")).append("\n\n")
                .append(m.get("free")).append("\n```\n</details>\n\n");
        // hand-written prose: the analysis of the recorded run (only with --report-from, since a new
        // run makes it stale), then the method notes
        for (String name : o.reportFrom != null ? List.of("benchmarks-analysis.md", "benchmarks-notes.md") : List.of("benchmarks-notes.md")) {
            try {
                java.nio.file.Path notes = o.benchDir.resolve(name);
                if (java.nio.file.Files.isRegularFile(notes)) {
                    sb.append(java.nio.file.Files.readString(notes));
                }
            } catch (java.io.IOException ignored) {
                // no notes
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ formatting

    private interface Row {
        List<String> of(Map<String, Object> r);
    }

    private static List<List<String>> rows(List<Map<String, Object>> rs, Row f) {
        List<List<String>> out = new ArrayList<>();
        for (Map<String, Object> r : rs) {
            out.add(f.of(r));
        }
        return out;
    }

    private static String label(Map<String, Object> r) {
        return s(r.get("label"));
    }

    private static String s(Object o) {
        return o == null ? "–" : String.valueOf(o);
    }

    private static String oneLine(Object o) {
        String s = String.valueOf(o).lines().findFirst().orElse("");
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
