package dev.iotbridge.harness.bench;

import dev.iotbridge.harness.Cli;
import dev.iotbridge.harness.CliRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench runner's flags (harness/run.sh passes them through; the Makefile and the native CI job use them). */
class BenchOptionsTest {

    static CliRun run(BenchOptions o, String... args) {
        return CliRun.of(Cli.of(o, CliRun.body()), args);
    }

    @Test
    void defaultsAreTheRecordedRunsSettings() {
        BenchOptions o = new BenchOptions();
        CliRun r = run(o, "--bench-dir", "/tmp/x/harness");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(5_000, o.messages);
        assertEquals(1_000, o.sequentialMessages);
        assertEquals(List.of(10, 100), o.batchSizes);
        assertEquals(10, o.batchSize);
        assertEquals(512, o.memoryMb);
        assertTrue(o.cpuLimit && o.memoryLimit && o.tls && o.envelope);
        assertFalse(o.smoke || o.profile || o.competitorsGiven);
        assertEquals(15, o.latencyMs);
        assertEquals(5, o.coldStarts);
        assertEquals(200, o.e2eRate);
        assertEquals(30, o.e2eSeconds);
        assertEquals(90, o.e2eWarmupSeconds);
        assertEquals(900, o.timeoutSeconds);
        assertEquals(List.of("sample", "corrected", "concurrent", "jvm", "jvm-keepalive5", "native"), o.competitors);
        assertEquals(List.of("throughput", "coldstart", "e2e"), o.scenarios);
        assertEquals("make bench", o.commandLine);
        assertEquals(Path.of("/tmp/x/function/target/function.zip"), o.functionZip);
        assertEquals(Path.of("/tmp/x/harness/.venv/bin/python"), o.python);
        assertNull(o.nativeZip, "no native zip in /tmp/x: the native competitor is left out");
        assertNull(o.docs);
    }

    @Test
    void theNativeCiJobsFlags() {
        BenchOptions o = new BenchOptions();
        CliRun r = run(o, "--native-zip", "dist/native/function.zip", "--competitors", "native,jvm,concurrent",
                "--scenarios", "coldstart,throughput", "--out", "out/bench.json", "--e2e-rate", "50", "--batches", "10,50");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(Path.of("dist/native/function.zip").toAbsolutePath(), o.nativeZip);
        assertTrue(o.nativeZipGiven);
        assertEquals(List.of("native", "jvm", "concurrent"), o.competitors);
        assertTrue(o.competitorsGiven);
        assertEquals(List.of("coldstart", "throughput"), o.scenarios);
        assertEquals(Path.of("out/bench.json").toAbsolutePath(), o.out);
        assertEquals(50, o.e2eRate);
        assertEquals(List.of(10, 50), o.batchSizes);
    }

    @Test
    void smokeShrinksTheCountsAndALaterFlagStillSetsItsOwn() {
        BenchOptions o = new BenchOptions();
        assertEquals(0, run(o, "--smoke", "--messages", "300").exitCode());
        assertTrue(o.smoke);
        assertEquals(300, o.messages);
        assertEquals(50, o.sequentialMessages);
        assertEquals(1, o.coldStarts);
        assertEquals(3, o.e2eSeconds);
        assertEquals(5, o.e2eWarmupSeconds);
    }

    @Test
    void negativeFlagsAndBatch() {
        BenchOptions o = new BenchOptions();
        assertEquals(0, run(o, "--no-cpu-limit", "--no-memory-limit", "--plain-http", "--no-envelope", "--batch", "25").exitCode());
        assertFalse(o.cpuLimit || o.memoryLimit || o.tls || o.envelope);
        assertEquals(List.of(25), o.batchSizes);
        assertEquals(25, o.batchSize);
    }

    @Test
    void anUnknownFlagOrABadValueExits2WithPicocliMessage() {
        CliRun unknown = run(new BenchOptions(), "--mesages", "5");
        assertEquals(2, unknown.exitCode());
        assertFalse(unknown.ran());
        assertTrue(unknown.err().contains("Unknown options: '--mesages'"), unknown.err());
        assertTrue(unknown.err().contains("Possible solutions: --memory-mb, --messages"), unknown.err());

        CliRun bad = run(new BenchOptions(), "--messages", "many");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("Invalid value for option '--messages': 'many' is not an int"), bad.err());

        CliRun competitor = run(new BenchOptions(), "--competitors", "jvm,rust");
        assertEquals(2, competitor.exitCode());
        assertFalse(competitor.ran());
        assertTrue(competitor.err().contains("--competitors: unknown competitor 'rust'"), competitor.err());

        CliRun scenario = run(new BenchOptions(), "--scenarios", "e2e,soak");
        assertEquals(2, scenario.exitCode());
        assertTrue(scenario.err().contains("--scenarios: unknown scenario 'soak'"), scenario.err());
    }

    @Test
    void helpListsEveryFlagWithItsDescription() {
        CliRun r = run(new BenchOptions(), "--help");
        assertEquals(0, r.exitCode());
        assertFalse(r.ran());
        for (String flag : r.flags()) {
            assertTrue(r.out().contains(flag), flag + " missing from --help:\n" + r.out());
        }
        assertTrue(r.out().contains("messages per throughput run (default: 5000)"), r.out());
        assertTrue(r.flags().containsAll(List.of("--messages", "--sequential-messages", "--batches", "--batch", "--memory-mb",
                "--no-cpu-limit", "--no-memory-limit", "--plain-http", "--latency-ms", "--cold-starts", "--e2e-rate", "--e2e-seconds",
                "--e2e-warmup-s", "--competitors", "--scenarios", "--no-envelope", "--smoke", "--profile", "--extra-jvm-options",
                "--native-options", "--timeout-s", "--docs", "--out", "--native-zip", "--function-zip", "--report-from",
                "--bench-dir", "--java-home", "--python", "--command")), r.flags().toString());
    }
}
