package dev.iotbridge.harness.load;

import dev.iotbridge.harness.Cli;
import dev.iotbridge.harness.CliRun;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load run's flags (make load LOAD_ARGS="…"), checked before anything starts. */
class LoadOptionsTest {

    static CliRun run(LoadOptions o, String... args) {
        return CliRun.of(Cli.of(o, CliRun.body()), args);
    }

    @Test
    void defaultsAndTheShortRun() {
        LoadOptions d = new LoadOptions();
        assertEquals(0, run(d).exitCode());
        assertEquals(List.of(1, 2, 4), d.loadInstances);
        assertEquals(List.of(100, 200, 400, 800, 1200, 1600), d.loadRates);
        assertEquals(30, d.loadStepSeconds);
        assertEquals(300, d.loadQuotaRate);
        assertEquals(150, d.loadQuota);
        assertEquals(2, d.loadQuotaInstances);
        assertEquals("make load", d.commandLine);

        LoadOptions o = new LoadOptions();
        CliRun r = run(o, "--instances", "1", "--rates", "50", "--step-seconds", "10", "--quota", "0", "--memory-mb", "1024",
                "--command", "make load LOAD_ARGS=\"--instances 1\"");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(List.of(1), o.loadInstances);
        assertEquals(List.of(50), o.loadRates);
        assertEquals(10, o.loadStepSeconds);
        assertEquals(0, o.loadQuota);
        assertEquals(1024, o.memoryMb);
        assertEquals("make load LOAD_ARGS=\"--instances 1\"", o.commandLine);
    }

    @Test
    void valuesThatCannotRunExit2NamingTheFlag() {
        CliRun falling = run(new LoadOptions(), "--rates", "200,100");
        assertEquals(2, falling.exitCode());
        assertFalse(falling.ran());
        assertTrue(falling.err().contains("--rates must rise step by step: [200, 100]"), falling.err());

        CliRun quota = run(new LoadOptions(), "--quota", "400");
        assertEquals(2, quota.exitCode());
        assertTrue(quota.err().contains("--quota 400 must be below --quota-rate 300"), quota.err());

        CliRun step = run(new LoadOptions(), "--step-seconds", "2");
        assertEquals(2, step.exitCode());
        assertTrue(step.err().contains("--step-seconds 2: at least 5"), step.err());

        CliRun instances = run(new LoadOptions(), "--instances", "1,1001");
        assertEquals(2, instances.exitCode());
        assertTrue(instances.err().contains("--instances = 1001"), instances.err());

        CliRun notANumber = run(new LoadOptions(), "--rates", "100,lots");
        assertEquals(2, notANumber.exitCode());
        assertTrue(notANumber.err().contains("Invalid value for option '--rates'"), notANumber.err());
    }

    @Test
    void aBenchOnlyFlagIsUnknownHere() {
        CliRun r = run(new LoadOptions(), "--messages", "5000");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Unknown options: '--messages'"), r.err());
    }

    @Test
    void helpListsEveryFlagWithItsDescription() {
        CliRun r = run(new LoadOptions(), "--help");
        assertEquals(0, r.exitCode());
        for (String flag : r.flags()) {
            assertTrue(r.out().contains(flag), flag + " missing from --help:\n" + r.out());
        }
        assertTrue(r.out().contains("measured seconds per step (default: 30)"), r.out());
        assertTrue(r.flags().containsAll(List.of("--instances", "--rates", "--step-seconds", "--quota-rate", "--quota",
                "--quota-instances", "--memory-mb", "--latency-ms", "--plain-http", "--no-cpu-limit", "--no-memory-limit",
                "--native-zip", "--function-zip", "--out", "--report-from", "--bench-dir", "--java-home", "--command")));
    }
}
