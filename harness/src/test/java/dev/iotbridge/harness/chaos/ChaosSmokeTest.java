package dev.iotbridge.harness.chaos;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * CI-sized versions of chaos scenarios 2, 3 and 5 (docs/reliability.md; the full suite is {@code make chaos}),
 * each on its own local stack with the REAL function.zip: lost must be 0 and the DLQ must hold
 * exactly the expected reasons. maxReceiveCount is raised to 10 so that no healthy record can be
 * redriven by bad luck: the DLQ of scenarios 2 and 3 must be empty. Deadlines are generous
 * (a 2-core machine shared with other work): the checks are on counts, never on speed.
 */
class ChaosSmokeTest {

    static ChaosOptions options(String name) throws Exception {
        Path zip = Path.of(System.getProperty("local.function.zip", "../function/target/function.zip"));
        if (!Files.isRegularFile(zip)) {
            fail("the function artifact " + zip.toAbsolutePath().normalize() + " is missing: run ./mvnw -pl function -am package first");
        }
        ChaosOptions o = new ChaosOptions();
        o.functionZip = zip;
        o.workRoot = Files.createDirectories(Path.of("target", "test-work", "chaos-" + name).toAbsolutePath());
        o.instances = 1;
        o.maxReceiveCount = 10;
        o.visibilityTimeout = Duration.ofSeconds(6);
        o.functionTimeout = Duration.ofSeconds(5);
        // the checks are on counts, not on speed: on a 2-core machine shared with other work a JVM
        // cold start alone can take 20 s, so the run may take long as long as it makes progress; a
        // record stuck on the queue stops it after 90 s without anything delivered or quarantined
        o.drainTimeout = Duration.ofMinutes(12);
        o.progressTimeout = Duration.ofSeconds(90);
        o.progressEvery = Duration.ofSeconds(2);
        return o;
    }

    static void report(ScenarioResult r) {
        System.out.print(ReportTable.text(java.util.List.of(r)));
        r.notes().forEach(n -> System.out.println("  " + n));
        r.problems().forEach(p -> System.out.println("  PROBLEM " + p));
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void transientPublishFaultsLoseNothing() throws Exception {
        ChaosOptions o = options("faults");
        o.messages = 600;
        o.faultBatchSize = 100;
        o.faultMaxConcurrency = 100;
        ScenarioResult r = new ChaosScenarios(o).transientFaults();
        report(r);
        assertEquals(600, r.sent());
        assertEquals(0, r.lost(), "lost");
        assertEquals(600, r.delivered());
        assertEquals(Map.of(), r.dlqByReason(), "no record may end in the DLQ");
        assertTrue(r.problems().isEmpty(), r.problems().toString());
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void functionKilledMidBatchLosesNothing() throws Exception {
        ChaosOptions o = options("kills");
        o.killMessages = 1_000;
        o.killEvery = Duration.ofSeconds(2);
        ScenarioResult r = new ChaosScenarios(o).functionKills();
        report(r);
        assertEquals(1_000, r.sent());
        assertEquals(0, r.lost(), "lost");
        assertEquals(1_000, r.delivered());
        assertEquals(Map.of(), r.dlqByReason(), "no record may end in the DLQ");
        assertTrue(r.problems().isEmpty(), r.problems().toString());
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void everyBadInputEndsInTheDlqWithItsCodeAfterOneReceive() throws Exception {
        ChaosOptions o = options("corpus");
        o.corpusGood = 100;
        // "settled at the first receive" must not depend on the machine's speed: with a 5 s function
        // timeout, a cold JVM's first batch (building the SQS client for its first quarantine) ran
        // past the deadline on a machine at load 20+ and one record was retried
        o.functionTimeout = Duration.ofSeconds(30);
        o.visibilityTimeout = Duration.ofSeconds(181);
        ScenarioResult r = new ChaosScenarios(o).badInputCorpus();
        report(r);
        BadInputCorpus corpus = BadInputCorpus.load();
        Map<String, Long> expected = new TreeMap<>();
        corpus.bad.forEach(c -> expected.merge(c.expect(), 1L, Long::sum));
        assertTrue(corpus.bad.size() >= 30);
        assertEquals(expected, r.dlqByReason(), "the DLQ must hold exactly the corpus' expected codes");
        assertEquals(0, r.lost(), "lost");
        assertEquals(100 + corpus.good.size(), r.delivered(), "every good message in the same batches is delivered");
        assertTrue(r.problems().isEmpty(), r.problems().toString());
    }
}
