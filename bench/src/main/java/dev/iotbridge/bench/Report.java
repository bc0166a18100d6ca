package dev.iotbridge.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Tables (printed and in docs/benchmarks.md), ratios and the targets. */
final class Report {
    private final Map<String, Object> results;
    private final Options o;
    private boolean failed;

    Report(Map<String, Object> results, Options o) {
        this.results = results;
        this.o = o;
    }

    boolean failed() {
        return failed;
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

    String tables() {
        StringBuilder sb = new StringBuilder();
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) results.get("meta");
        List<Map<String, Object>> tp = list("throughput");
        if (!tp.isEmpty()) {
            Map<String, Object> base = byId(tp, "concurrent");
            sb.append(String.format(Locale.ROOT, "### Throughput, delivered/sent, CPU, memory — %s messages in batches of %s, iot-data latency %s ms, one instance%n%n",
                    meta.get("messages"), meta.get("batchSize"), meta.get("iotDataLatencyMs")));
            table(sb, List.of("competitor", "SQS message", "delivered/sent", "throughput msg/s", "× concurrent Python",
                    "CPU ms/msg", "CPU × concurrent Python", "peak RSS MiB", "mean invocation ms", "machine busy %"), rows(tp, r -> {
                        if (r.get("error") != null) {
                            return List.of(label(r), s(r.get("messageShape")), "FAILED: " + oneLine(r.get("error")), "", "", "", "", "", "", "");
                        }
                        return List.of(label(r), s(r.get("messageShape")),
                                r.get("delivered") + "/" + r.get("sent") + " = " + f(num(r, "deliveredRatio"), "%.3f"),
                                f(num(r, "throughput"), "%.1f"),
                                ratio(num(r, "throughput"), num(base, "throughput")),
                                f(num(r, "cpuMsPerMsg"), "%.3f"),
                                ratio(num(r, "cpuMsPerMsg"), num(base, "cpuMsPerMsg")),
                                f(num(r, "peakRssMiB"), "%.0f"),
                                f(num(r, "meanInvocationMs"), "%.1f"),
                                f(num(r, "machineBusyPercent"), "%.0f"));
                    }));
            sb.append("\nCPU = user+sys of the handler process after init, divided by delivered messages; "
                    + "throughput = delivered messages / (first invocation → last batch done); "
                    + "mean invocation = batch handed to the instance → its response; machine busy = all CPUs during the run "
                    + "(handler + local stack + harness + anything else on the machine).\n\n");
        }
        List<Map<String, Object>> cs = list("coldStart");
        if (!cs.isEmpty()) {
            Map<String, Object> base = byId(cs, "concurrent");
            sb.append(String.format(Locale.ROOT, "### Cold start — median of %s fresh process starts (first batch: %s records, iot-data latency %s ms)%n%n",
                    meta.get("coldStarts"), meta.get("batchSize"), meta.get("iotDataLatencyMs")));
            table(sb, List.of("competitor", "init (start → first /next) ms", "× concurrent Python", "start → first batch done ms", "× concurrent Python", "all init ms", "RSS after 1st batch MiB"),
                    rows(cs, r -> r.get("error") != null && num(r, "initMedianMs") == null
                            ? List.of(label(r), "FAILED: " + oneLine(r.get("error")), "", "", "", "", "")
                            : List.of(label(r), f(num(r, "initMedianMs"), "%.0f"), ratio(num(r, "initMedianMs"), num(base, "initMedianMs")),
                            f(num(r, "firstBatchMedianMs"), "%.0f"), ratio(num(r, "firstBatchMedianMs"), num(base, "firstBatchMedianMs")),
                            s(r.get("initMs")), f(num(r, "peakRssAfterFirstBatchMiB"), "%.0f"))));
            sb.append("\n");
        }
        List<Map<String, Object>> e2e = list("e2e");
        if (!e2e.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "### End-to-end latency — source broker publish → destination broker arrival, %s msg/s for %s s, iot-data latency %s ms%n%n",
                    meta.get("e2eRate"), meta.get("e2eSeconds"), meta.get("iotDataLatencyMs")));
            table(sb, List.of("competitor", "rule", "delivered/sent", "p50 ms", "p95 ms", "p99 ms", "max ms", "mean batch", "mean invocation ms", "backlog at end", "machine busy %"),
                    rows(e2e, r -> r.get("error") != null
                            ? List.of(label(r), s(r.get("messageShape")), "FAILED: " + oneLine(r.get("error")), "", "", "", "", "", "", "", "")
                            : List.of(label(r), s(r.get("messageShape")),
                            r.get("delivered") + "/" + r.get("sent") + " = " + f(num(r, "deliveredRatio"), "%.3f"),
                            f(num(r, "p50Ms"), "%.1f"), f(num(r, "p95Ms"), "%.1f"), f(num(r, "p99Ms"), "%.1f"),
                            f(num(r, "maxMs"), "%.1f"), f(num(r, "meanBatch"), "%.1f"), f(num(r, "meanInvocationMs"), "%.1f"),
                            s(r.get("backlogAtEnd")), f(num(r, "machineBusyPercent"), "%.0f"))));
            sb.append("\n");
        }
        sb.append(targets());
        return sb.toString();
    }

    /** The targets, met or missed. */
    String targets() {
        List<Map<String, Object>> tp = list("throughput");
        List<Map<String, Object>> cs = list("coldStart");
        List<Map<String, Object>> e2e = list("e2e");
        List<List<String>> rows = new ArrayList<>();
        Map<String, Object> jvm = byId(tp, "jvm");
        Map<String, Object> jvmEnv = byId(tp, "jvm-envelope");
        Map<String, Object> corr = byId(tp, "corrected");
        if (jvm != null || jvmEnv != null) {
            for (Map<String, Object> r : new Map[]{jvm, jvmEnv}) {
                if (r == null) continue;
                Double d = num(r, "deliveredRatio");
                rows.add(List.of("delivered/sent = 1.000 (" + r.get("id") + ")", f(d, "%.3f"), verdict(d != null && d >= 1.0)));
                if (d == null || d < 1.0) failed = true;
            }
        }
        if (jvm != null && corr != null) {
            Double x = ratioOf(num(jvm, "throughput"), num(corr, "throughput"));
            rows.add(List.of("throughput ≥ 8× corrected Python", f(x, "%.2f×"), verdict(x != null && x >= 8)));
            Double c = ratioOf(num(jvm, "cpuMsPerMsg"), num(corr, "cpuMsPerMsg"));
            rows.add(List.of("CPU per message ≤ 1/3 of corrected Python", c == null ? "–" : String.format(Locale.ROOT, "%.2f× of corrected (target ≤ 0.33×)", c),
                    verdict(c != null && c <= 1.0 / 3)));
        }
        Map<String, Object> jvmCold = byId(cs, "jvm");
        if (jvmCold != null) {
            Double i = num(jvmCold, "initMedianMs");
            rows.add(List.of("JVM cold start to ready ≤ 1.0 s", f(i, "%.0f ms"), verdict(i != null && i <= 1000)));
        }
        Map<String, Object> e = byId(e2e, "jvm-envelope") != null ? byId(e2e, "jvm-envelope") : byId(e2e, "jvm");
        if (e != null) {
            Double p = num(e, "p99Ms");
            Double d = num(e, "deliveredRatio");
            rows.add(List.of("end-to-end p99 ≤ 50 ms at " + e.get("rate") + " msg/s (" + e.get("id") + ")",
                    f(p, "%.1f ms") + ", delivered " + f(d, "%.3f"), verdict(p != null && p <= 50 && d != null && d >= 1.0)));
        }
        Map<String, Object> nat = byId(cs, "native");
        rows.add(List.of("native cold start", nat == null ? "not available (no bootstrap in function.zip)" : f(num(nat, "initMedianMs"), "%.0f ms"), "recorded"));
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("### Targets (issue 6)\n\n");
        table(sb, List.of("target", "measured", "verdict"), rows);
        for (String k : List.of("throughput", "coldStart", "e2e")) {
            for (Map<String, Object> r : list(k)) {
                if (r.get("error") != null) failed = true;
            }
        }
        return sb.toString();
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
        sb.append("<!-- generated by bench/run.sh (bench/src/main/java/dev/iotbridge/bench/Report.java); "
                + "the prose below the results is kept in bench/benchmarks-analysis.md and bench/benchmarks-notes.md -->\n\n");
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
        sb.append("- **Native function:** ").append(meta.get("native")).append("\n");
        sb.append("- **Endpoints:** ").append(meta.get("endpoints")).append("\n");
        sb.append("- **Raw results:** `bench/results/latest.json`\n\n");
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

    /** A markdown table, padded so it also reads well in a terminal. */
    static void table(StringBuilder sb, List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        line(sb, header, w);
        StringBuilder sep = new StringBuilder("|");
        for (int x : w) {
            sep.append("-".repeat(x + 2)).append("|");
        }
        sb.append(sep).append("\n");
        for (List<String> r : rows) {
            line(sb, r, w);
        }
    }

    private static void line(StringBuilder sb, List<String> cells, int[] w) {
        sb.append("|");
        for (int i = 0; i < w.length; i++) {
            sb.append(" ").append(cells.get(i)).append(" ".repeat(w[i] - cells.get(i).length())).append(" |");
        }
        sb.append("\n");
    }
}
