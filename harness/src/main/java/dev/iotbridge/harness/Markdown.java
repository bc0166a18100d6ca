package dev.iotbridge.harness;

import java.util.List;

/** The tables of the harness's reports (docs/benchmarks.md, docs/cost.md, harness/results/load/*.md). */
public final class Markdown {
    private Markdown() {}

    /** A markdown table, padded so that it also reads well in a terminal; a "|" in a cell becomes "/" (it would end the cell). */
    public static void table(StringBuilder sb, List<String> header, List<List<String>> rows) {
        List<List<String>> cells = rows.stream().map(r -> r.stream().map(c -> c.replace("|", "/")).toList()).toList();
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : cells) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        line(sb, header, w);
        StringBuilder sep = new StringBuilder("|");
        for (int x : w) {
            sep.append("-".repeat(x + 2)).append("|");
        }
        sb.append(sep).append("\n");
        for (List<String> r : cells) {
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
