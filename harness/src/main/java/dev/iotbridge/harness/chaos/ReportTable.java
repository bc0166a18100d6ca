package dev.iotbridge.harness.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The ONE table `make chaos` prints (plain text for the terminal, Markdown for docs/reliability.md). */
public final class ReportTable {
    private ReportTable() {}

    static final String[] HEAD = {"scenario", "injected", "sent", "delivered (unique)", "duplicates",
            "in DLQ (by reason)", "lost", "time to drain", "result"};

    static List<String[]> rows(List<ScenarioResult> results) {
        return rows(results, Integer.MAX_VALUE);
    }

    /** Rows; a DLQ breakdown with more than {@code maxReasons} reasons is summarised (listed below the table). */
    static List<String[]> rows(List<ScenarioResult> results, int maxReasons) {
        List<String[]> rows = new ArrayList<>();
        for (ScenarioResult r : results) {
            rows.add(new String[]{r.name(), r.injection(), fmt(r.sent()), fmt(r.delivered()), fmt(r.duplicates()),
                    r.dlqByReason().size() > maxReasons
                            ? fmt(r.dlqTotal()) + " (" + r.dlqByReason().size() + " codes, listed below)"
                            : dlq(r.dlqByReason()), fmt(r.lost()), String.format("%.1f s", r.drain().toMillis() / 1000.0),
                    r.passed() ? "PASS" : "FAIL"});
        }
        return rows;
    }

    static String dlq(Map<String, Long> byReason) {
        long total = byReason.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) return "0";
        return fmt(total) + " (" + byReason.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")) + ")";
    }

    static String fmt(long n) { return String.format("%,d", n); }

    public static String text(List<ScenarioResult> results) {
        List<String[]> rows = rows(results, 3);
        int[] w = new int[HEAD.length];
        for (int i = 0; i < HEAD.length; i++) w[i] = HEAD[i].length();
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        StringBuilder b = new StringBuilder();
        line(b, HEAD, w);
        StringBuilder sep = new StringBuilder();
        for (int i = 0; i < w.length; i++) sep.append(i == 0 ? "" : "-+-").append("-".repeat(w[i]));
        b.append(sep).append('\n');
        for (String[] r : rows) line(b, r, w);
        for (ScenarioResult r : results) {
            if (r.dlqByReason().size() > 3) b.append("\nin DLQ, ").append(r.name()).append(": ").append(dlq(r.dlqByReason())).append('\n');
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String[] cells, int[] w) {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) b.append(" | ");
            boolean num = i >= 2 && i <= 4 || i == 6;
            b.append(num ? String.format("%" + w[i] + "s", cells[i]) : String.format("%-" + w[i] + "s", cells[i]));
        }
        b.append('\n');
    }

    public static String markdown(List<ScenarioResult> results) {
        StringBuilder b = new StringBuilder("| " + String.join(" | ", HEAD) + " |\n|");
        for (int i = 0; i < HEAD.length; i++) b.append(i >= 2 && i <= 4 || i == 6 ? "---:|" : "---|");
        b.append('\n');
        for (String[] r : rows(results)) b.append("| ").append(String.join(" | ", r)).append(" |\n");
        return b.toString();
    }
}
