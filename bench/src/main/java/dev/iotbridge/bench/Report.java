package dev.iotbridge.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Tables (printed and in docs/benchmarks.md), ratios and the project's targets. */
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

    Options options() {
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
    @SuppressWarnings("unchecked")
    String costMarkdown() {
        Map<String, Object> meta = (Map<String, Object>) results.get("meta");
        int memoryMb = meta.get("cpuLimit") instanceof Map<?, ?> m && m.get("memoryMb") instanceof Number n ? n.intValue() : 512;
        return Cost.markdown(list("throughput"), meta, memoryMb, cpuLimitText().replace("**", ""));
    }

    @SuppressWarnings("unchecked")
    private String cpuLimitText() {
        Map<String, Object> meta = (Map<String, Object>) results.get("meta");
        if (!(meta.get("cpuLimit") instanceof Map<?, ?> m)) {
            return "no CPU limit (not recorded)";
        }
        Map<String, Object> c = (Map<String, Object>) m;
        if ("none".equals(c.get("method"))) {
            return "**no CPU limit** (" + c.get("note") + ")";
        }
        return String.format(Locale.ROOT, "Lambda's CPU share of %s MB = %s vCPU per competitor process (%s, %s)",
                c.get("memoryMb"), c.get("vcpu"), c.get("method"), c.get("quota"));
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
            sb.append(String.format(Locale.ROOT, "### Throughput, CPU, connections — batch size %d, one instance, iot-data over %s (%s ms), %s%n%n",
                    batch, transport, meta.get("iotDataLatencyMs"), cpuLimitText()));
            table(sb, List.of("competitor", "SQS message", "concurrency", "delivered/sent", "retried / duplicates", "msg/s", "× concurrent Python",
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
            sb.append(String.format(Locale.ROOT, "### Cold start — median of %s fresh process starts (first batch: %s records), %s%n%n",
                    meta.get("coldStarts"), meta.get("batchSize"), cpuLimitText()));
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
            sb.append(String.format(Locale.ROOT, "### End to end — source broker publish → destination broker arrival, %s msg/s from the process start, "
                            + "batch size %s; steady state = the %s s after a %s s warm-up; cold start = the messages of the first second%n%n",
                    meta.get("e2eRate"), meta.get("batchSize"), meta.get("e2eSeconds"), meta.get("e2eWarmupSeconds")));
            table(sb, List.of("competitor", "rule", "init ms", "cold: 1st message ms", "cold: max of 1st second ms",
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
        table(sb, List.of("batch size", "function", "connections", "per 1,000 msgs", "new after the 1st batch", "CPU ms/msg", "msg/s"), rows);
        return sb.append("\n").toString();
    }

    /** The project's performance targets (ratios against concurrent Python in the same run), met or missed. */
    String targets() {
        List<Map<String, Object>> tp = list("throughput");
        List<Map<String, Object>> cs = list("coldStart");
        List<Map<String, Object>> e2e = list("e2e");
        List<List<String>> rows = new ArrayList<>();
        List<Integer> batches = batchSizes();
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) results.get("meta");
        boolean tls = !Objects.equals(meta.get("iotDataTls"), false);
        boolean limited = meta.get("cpuLimit") instanceof Map<?, ?> m && !"none".equals(m.get("method"));
        for (String fn : List.of("jvm", "native")) {
            for (int batch : batches) {
                List<Map<String, Object>> at = atBatch(tp, batch, batches.get(0));
                Map<String, Object> r = byId(at, fn);
                Map<String, Object> base = byId(at, "concurrent");
                if (r == null) {
                    continue;
                }
                Double d = num(r, "deliveredRatio");
                rows.add(List.of("delivered/sent = 1.000 (" + fn + ", batch " + batch + ")", f(d, "%.3f"), verdict(d != null && d >= 1.0)));
                if (d == null || d < 1.0) failed = true;
                Double c = ratioOf(num(r, "cpuMsPerMsg"), num(base, "cpuMsPerMsg"));
                // the verdict is on the whole run; the 2nd half (JIT warm-up behind) is shown beside it
                Double c2 = ratioOf(num(r, "cpuMsPerMsgSecondHalf"), num(base, "cpuMsPerMsgSecondHalf"));
                rows.add(List.of("CPU per message ≤ 0.4× concurrent Python, batch " + batch + (tls ? ", over TLS" : ", plain HTTP (target is over TLS)") + " (" + fn + ")",
                        c == null ? "–" : String.format(Locale.ROOT, "%.2f× (%s vs %s ms)%s", c, f(num(r, "cpuMsPerMsg"), "%.3f"), f(num(base, "cpuMsPerMsg"), "%.3f"),
                                c2 == null ? "" : String.format(Locale.ROOT, "; 2nd half of the run %.2f× (%s vs %s ms)", c2,
                                        f(num(r, "cpuMsPerMsgSecondHalf"), "%.3f"), f(num(base, "cpuMsPerMsgSecondHalf"), "%.3f"))),
                        verdict(c != null && c <= 0.4 && tls)));
                if (batch >= 100) {
                    Double x = ratioOf(num(r, "throughput"), num(base, "throughput"));
                    rows.add(List.of("throughput at batch " + batch + " ≥ 2× concurrent Python" + (limited ? " under the CPU share" : " (no CPU limit here)") + " (" + fn + ")",
                            x == null ? "–" : String.format(Locale.ROOT, "%.2f× (%s vs %s msg/s)", x, f(num(r, "throughput"), "%.1f"), f(num(base, "throughput"), "%.1f")),
                            verdict(x != null && x >= 2 && limited)));
                }
                Double nc = num(r, "newConnectionsAfterFirstBatch");
                rows.add(List.of("zero new connections per batch after the first (" + fn + ", batch " + batch + ")",
                        nc == null ? "–" : String.format(Locale.ROOT, "%.0f after the 1st batch (%s per batch)", nc, f(num(r, "newConnectionsPerBatchAfterFirst"), "%.2f")),
                        verdict(nc != null && nc == 0)));
            }
        }
        Map<String, Object> pyCold = byId(cs, "concurrent");
        Map<String, Object> jvmCold = byId(cs, "jvm");
        if (jvmCold != null) {
            Double x = ratioOf(num(jvmCold, "initMedianMs"), num(pyCold, "initMedianMs"));
            rows.add(List.of("JVM init ≤ 2× Python's", x == null ? "–" : String.format(Locale.ROOT, "%.2f× (%s vs %s ms)", x,
                    f(num(jvmCold, "initMedianMs"), "%.0f"), f(num(pyCold, "initMedianMs"), "%.0f")), verdict(x != null && x <= 2)));
        }
        Map<String, Object> nat = byId(cs, "native");
        if (nat != null) {
            Double x = ratioOf(num(nat, "initMedianMs"), num(pyCold, "initMedianMs"));
            rows.add(List.of("native init ≤ Python's", x == null ? "–" : String.format(Locale.ROOT, "%.2f× (%s vs %s ms)", x,
                    f(num(nat, "initMedianMs"), "%.0f"), f(num(pyCold, "initMedianMs"), "%.0f")), verdict(x != null && x <= 1)));
        } else {
            rows.add(List.of("native init ≤ Python's", "not measured in this run (no bootstrap in function.zip; CI builds it)", "–"));
        }
        for (String id : List.of("jvm-envelope", "jvm", "native-envelope", "native")) {
            Map<String, Object> e = byId(e2e, id);
            if (e == null) continue;
            Double p = num(e, "p99Ms");
            Double d = num(e, "deliveredRatio");
            rows.add(List.of("steady-state end-to-end p99 ≤ 50 ms at " + e.get("rate") + " msg/s (" + id + ")",
                    f(p, "%.1f ms") + ", delivered " + f(d, "%.3f"), verdict(p != null && p <= 50 && d != null && d >= 1.0)));
        }
        StringBuilder sb = new StringBuilder("### Targets (ratios against concurrent Python in this run)\n\n");
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
        sb.append("- **CPU limit:** ").append(cpuLimitText()).append("\n");
        if (meta.get("loadAtStart") instanceof Map<?, ?> load) {
            sb.append("- **Machine load at start:** load average ").append(load.get("loadavg")).append("; all CPUs ")
                    .append(load.get("busyPercentOver1s")).append(" % busy over 1 s; top processes (%CPU): ")
                    .append(load.get("topProcesses")).append(". The machine is shared: ratios within the run hold, absolute times do not.\n");
        }
        sb.append("- **Raw results:** `bench/results/latest.json`; cost per million messages: [cost.md](cost.md)\n\n");
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
