package dev.iotbridge.harness.chaos;

import dev.iotbridge.harness.CliRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chaos run's flags: a flag, else CHAOS_<FLAG>, else --quick's count, else the full run's default. */
class ChaosOptionsTest {

    static CliRun run(ChaosOptions o, Map<String, String> env, String... args) {
        return CliRun.of(ChaosOptions.commandLine(o, env, args, CliRun.body()), args);
    }

    @Test
    void defaultsAreTheFullRun() {
        ChaosOptions o = new ChaosOptions();
        assertEquals(0, run(o, Map.of()).exitCode());
        assertEquals(Set.of(1, 2, 3, 4, 5, 6), o.scenarios);
        assertEquals(100_000, o.messages);
        assertEquals(100_000, o.faultMessages());
        assertEquals(20_000, o.killMessages);
        assertEquals(Duration.ofSeconds(4), o.killEvery);
        assertEquals(2_000, o.outageMessages);
        assertEquals(Duration.ofHours(6), o.outage);
        assertEquals(60, o.timeFactor);
        assertEquals(300, o.corpusGood);
        assertEquals(Duration.ofSeconds(60), o.stormDuration);
        assertEquals(0.2, o.faultRate);
        assertEquals(2, o.instances);
        assertEquals(Duration.ofMinutes(30), o.drainTimeout);
        assertNull(o.progressTimeout);
        assertFalse(o.verbose);
    }

    @Test
    void quickShrinksTheCountsAndTheEnvironmentAndFlagsWin() {
        ChaosOptions o = new ChaosOptions();
        CliRun r = run(o, Map.of("CHAOS_KILL_MESSAGES", "1234", "CHAOS_CORPUS_GOOD", "7"), "--quick", "--corpus-good", "8");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(3_000, o.messages);
        assertEquals(1_234, o.killMessages, "the environment wins over --quick");
        assertEquals(8, o.corpusGood, "a flag wins over the environment");
        assertEquals(500, o.outageMessages);
        assertEquals(Duration.ofHours(1), o.outage);
        assertEquals(Duration.ofSeconds(20), o.stormDuration);

        ChaosOptions q = new ChaosOptions();
        assertEquals(0, run(q, Map.of("CHAOS_QUICK", "1", "CHAOS_VERBOSE", "1")).exitCode());
        assertEquals(3_000, q.messages);
        assertTrue(q.verbose);
    }

    @Test
    void theScriptsFlagsAndDurations() {
        ChaosOptions o = new ChaosOptions();
        CliRun r = run(o, Map.of(), "--work-dir", "local/run/chaos", "--markdown", "local/run/chaos/report.md",
                "--function", "f.zip", "--scenarios", "2,5", "--kill-every=500ms", "--outage", "PT2H", "--publish-timeout", "1.5s",
                "--drain-timeout", "2m", "--progress-timeout", "90");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(Path.of("local/run/chaos"), o.workRoot);
        assertEquals(Path.of("local/run/chaos/report.md"), o.markdownOut);
        assertEquals(Path.of("f.zip"), o.functionZip());
        assertEquals(List.of(2, 5), List.copyOf(o.scenarios));
        assertEquals(Duration.ofMillis(500), o.killEvery);
        assertEquals(Duration.ofHours(2), o.outage);
        assertEquals(Duration.ofMillis(1500), o.publishTimeout);
        assertEquals(Duration.ofMinutes(2), o.drainTimeout);
        assertEquals(Duration.ofSeconds(90), o.progressTimeout);
    }

    @Test
    void badInputExits2NamingTheFlagOrTheVariable() {
        CliRun unknown = run(new ChaosOptions(), Map.of(), "--mesages", "5");
        assertEquals(2, unknown.exitCode());
        assertFalse(unknown.ran());
        assertTrue(unknown.err().contains("Unknown options: '--mesages'"), unknown.err());
        assertTrue(unknown.err().contains("Possible solutions: --messages"), unknown.err());

        CliRun duration = run(new ChaosOptions(), Map.of(), "--kill-every", "soon");
        assertEquals(2, duration.exitCode());
        assertTrue(duration.err().contains("'soon' is not a duration"), duration.err());

        CliRun scenario = run(new ChaosOptions(), Map.of(), "--scenarios", "1,7");
        assertEquals(2, scenario.exitCode());
        assertTrue(scenario.err().contains("--scenarios: no scenario 7 (1 to 6)"), scenario.err());

        CliRun env = run(new ChaosOptions(), Map.of("CHAOS_MESAGES", "5"));
        assertEquals(2, env.exitCode());
        assertFalse(env.ran());
        assertTrue(env.err().contains("environment variable CHAOS_MESAGES names no flag --mesages"), env.err());

        CliRun envValue = run(new ChaosOptions(), Map.of("CHAOS_MESSAGES", "many"));
        assertEquals(2, envValue.exitCode());
        assertTrue(envValue.err().contains("'many' is not an int"), envValue.err());
    }

    @Test
    void helpListsEveryFlagWithItsDescription() {
        CliRun r = run(new ChaosOptions(), Map.of(), "--help");
        assertEquals(0, r.exitCode());
        assertFalse(r.ran());
        for (String flag : r.flags()) {
            assertTrue(r.out().contains(flag), flag + " missing from --help:\n" + r.out());
        }
        assertTrue(r.out().contains("scenario 3: the kill period (default: 4s)"), r.out());
        assertTrue(r.out().contains("CHAOS_MESSAGES=5000"), r.out());
    }
}
