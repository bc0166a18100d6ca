package dev.iotbridge.harness.chaos;

import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code make chaos}: runs the chaos scenarios (docs/reliability.md) on fresh local stacks and prints ONE
 * table (scenario, sent, delivered unique, duplicates, in DLQ by reason, lost, time to drain).
 * Exit code 0 only when every scenario passed with lost = 0; the flags: {@link ChaosOptions}.
 */
public final class ChaosMain {
    private ChaosMain() {}

    public static void main(String[] args) {
        System.exit(ChaosOptions.commandLine(new ChaosOptions(), System.getenv(), args, (o, cl) -> run(o)).execute(args));
    }

    static int run(ChaosOptions o) throws Exception {
        if (!Files.isRegularFile(o.functionZip())) {
            System.err.println("chaos: the function artifact " + o.functionZip() + " is missing: run make package first");
            return 2;
        }
        ChaosScenarios s = new ChaosScenarios(o);
        List<ScenarioResult> results = new ArrayList<>();
        long t0 = System.nanoTime();
        o.out.printf("chaos: scenarios %s on %d cores, started %s%n", o.scenarios,
                Runtime.getRuntime().availableProcessors(), Instant.now());
        for (int n : o.scenarios) {
            ScenarioResult r;
            try {
                r = switch (n) {
                    case 1 -> s.noFaults();
                    case 2 -> s.transientFaults();
                    case 3 -> s.functionKills();
                    case 4 -> s.destinationOutage();
                    case 5 -> s.badInputCorpus();
                    case 6 -> s.throttlingStorm();
                    default -> throw new IllegalArgumentException("no scenario " + n + " (1-6)");
                };
            } catch (Exception | Error e) {
                e.printStackTrace(o.out);
                r = new ScenarioResult(n + " (crashed)", "-", 0, 0, 0, java.util.Map.of(), 0, java.time.Duration.ZERO,
                        List.of("crashed: " + e), List.of());
            }
            results.add(r);
            o.out.printf("  [%s] %s%n", r.name(), r.passed() ? "PASS" : "FAIL");
        }
        o.out.println();
        o.out.println("chaos report (" + Instant.now() + ", " + (System.nanoTime() - t0) / 1_000_000_000L + " s in all):");
        o.out.println();
        o.out.print(ReportTable.text(results));
        o.out.println();
        o.out.println("lost = sent ids neither delivered to the destination broker nor in the DLQ (must be 0); "
                + "REDRIVEN = moved to the DLQ by the redrive policy after maxReceiveCount.");
        for (ScenarioResult r : results) {
            for (String n : r.notes()) o.out.println("  " + r.name() + ": " + n);
            for (String p : r.problems()) o.out.println("  " + r.name() + ": PROBLEM " + p);
        }
        if (o.markdownOut != null) {
            Files.writeString(o.markdownOut, ReportTable.markdown(results));
            o.out.println("table written to " + o.markdownOut);
        }
        boolean ok = results.stream().allMatch(ScenarioResult::passed);
        o.out.println(ok ? "chaos: PASS (lost = 0 in every scenario)" : "chaos: FAIL");
        return ok ? 0 : 1;
    }
}
