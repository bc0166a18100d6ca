package dev.iotbridge.local;

import dev.iotbridge.contract.Route;
import dev.iotbridge.local.config.BridgeConfig;
import dev.iotbridge.local.lambda.EventSourceMapping;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REAL function on the local stack with an event source mapping of maximum concurrency 2 (two
 * function processes): both take batches and their invocations overlap; and with the iot-data
 * publish quota set below the offered rate, the function's publishes are throttled (429), it
 * slows down and retries, and every message still arrives exactly once, none in the DLQ.
 */
class ConcurrencyAndQuotaEndToEndTest {
    static LocalBridgeStack stack;
    static TestMqtt dest;
    static final List<EventSourceMapping.BatchOutcome> outcomes = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        stack = LocalBridgeStack.builder()
                .routes(List.of(Route.of("ground", "GROUND/v1/#", "", "")))
                .ephemeralPorts()
                .workDir(TestDirs.fresh("concurrency-quota"))
                .functionZip(EndToEndTest.functionZip())
                .concurrency(2)
                // each publish takes 100 ms, so an invocation of a batch lasts at least that long
                .iotDataLatency(Duration.ofMillis(100))
                // throttling must never exhaust the receives: the deployed default allows 60
                .maxReceiveCount(60)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(4))
                .progress(System.out)
                .build().start();
        stack.eventSourceMappings().get(0).setBatchListener(outcomes::add);
        dest = new TestMqtt(stack.destinationMqttPort(), "dest-concurrency").subscribe("GROUND/v1/#");
    }

    @AfterAll
    static void stop() {
        if (dest != null) dest.close();
        if (stack != null) stack.close();
    }

    private static void send(String topic, String payload) {
        String env = "{\"v\":1,\"route\":\"ground\",\"topic\":\"" + topic + "\",\"payload\":\""
                + Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "\",\"ts\":"
                + System.currentTimeMillis() + "}";
        stack.sqsClient().sendMessage(b -> b.queueUrl(stack.queueUrl()).messageBody(env));
    }

    private static Set<String> arrived(String prefix) {
        Set<String> topics = new HashSet<>();
        dest.received.stream().map(p -> p.getTopic().toString()).filter(t -> t.startsWith(prefix)).forEach(topics::add);
        return topics;
    }

    @Test
    void twoInstancesTakeBatchesAtTheSameTimeAndEachOneBatchAtATime() throws Exception {
        assertEquals(2, stack.functions().size());
        assertEquals(1, stack.eventSourceMappings().size(), "one mapping, as in Lambda, with maximum concurrency 2");
        String prefix = "GROUND/v1/conc/" + UUID.randomUUID().toString().substring(0, 8) + "/";
        int n = 100;
        outcomes.clear();
        for (int i = 0; i < n; i++) send(prefix + i, "m" + i);
        assertTrue(LocalBridgeStack.await(Duration.ofSeconds(90), () -> arrived(prefix).size() == n),
                arrived(prefix).size() + " of " + n + " arrived");
        List<EventSourceMapping.BatchOutcome> seen = List.copyOf(outcomes);
        assertEquals(Set.of(0, 1), seen.stream().map(EventSourceMapping.BatchOutcome::instance).collect(java.util.stream.Collectors.toSet()),
                "both instances took batches");
        boolean overlapped = false;
        for (EventSourceMapping.BatchOutcome a : seen) {
            for (EventSourceMapping.BatchOutcome b : seen) {
                if (a == b) continue;
                boolean overlap = a.invokedNanos() < b.answeredNanos() && b.invokedNanos() < a.answeredNanos();
                if (a.instance() == b.instance()) {
                    assertTrue(!overlap, "one instance ran two invocations at once: " + a + " / " + b);
                } else if (overlap) {
                    overlapped = true;
                }
            }
        }
        assertTrue(overlapped, "the two instances never invoked at the same time: " + seen);
        assertEquals(0, stack.dlqDepth());
    }

    @Test
    void atTheDestinationQuotaTheBridgeSlowsDownAndLosesNothing() throws Exception {
        String prefix = "GROUND/v1/quota/" + UUID.randomUUID().toString().substring(0, 8) + "/";
        // far below what two instances publish even on a loaded machine, so that throttling is certain
        int n = 60;
        int quota = 5;
        stack.iotData().setLatency(Duration.ZERO);
        stack.iotData().setPublishQuota(quota);
        try {
            long throttledBefore = stack.iotData().quotaThrottled();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) send(prefix + i, "q" + i);
            assertTrue(LocalBridgeStack.await(Duration.ofSeconds(120), () -> arrived(prefix).size() == n),
                    arrived(prefix).size() + " of " + n + " arrived");
            double seconds = (System.nanoTime() - t0) / 1e9;
            long throttled = stack.iotData().quotaThrottled() - throttledBefore;
            assertTrue(throttled > 0, "the function's publishes were never throttled");
            // the bucket holds one second's worth: n messages cannot pass in less than (n - quota) / quota s
            assertTrue(seconds >= (n - quota) / (double) quota, n + " delivered in " + seconds + " s, faster than the quota allows");
            long copies = dest.received.stream().filter(p -> p.getTopic().toString().startsWith(prefix)).count();
            assertEquals(n, copies, "each message exactly once");
            assertEquals(0, stack.dlqDepth(), "throttling is transient: nothing quarantined");
            String log = Files.readString(stack.function().logFile()) + Files.readString(stack.functions().get(1).logFile());
            assertTrue(log.contains("PUBLISH_THROTTLED"), "the function classified the 429 as throttling (its record log)");
        } finally {
            stack.iotData().setPublishQuota(0);
            stack.iotData().setLatency(Duration.ofMillis(100));
        }
    }

    @Test
    void aMaximumConcurrencyOutsideLambdasRangeOrTheLocalLimitIsRefusedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        var tooMany = assertThrows(IllegalArgumentException.class, () -> LocalBridgeStack.builder().concurrency(1001).build());
        assertTrue(tooMany.getMessage().contains("2 to 1000"), tooMany.getMessage());
        var local = assertThrows(IllegalArgumentException.class, () -> LocalBridgeStack.builder().concurrency(17).build());
        assertTrue(local.getMessage().contains("at most 16"), local.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LocalBridgeStack.builder().iotDataPublishQuota(-5).build());

        String routes = "\"routes\":[{\"name\":\"g\",\"source_filter\":\"G/#\"}]";
        Path one = Files.writeString(dir.resolve("one.json"), "{" + routes + ",\"event_source_mapping\":{\"maximum_concurrency\":1}}");
        var e1 = assertThrows(IllegalArgumentException.class, () -> BridgeConfig.load(one));
        assertTrue(e1.getMessage().contains("event_source_mapping.maximum_concurrency = 1") && e1.getMessage().contains("leave it out"),
                e1.getMessage());
        Path text = Files.writeString(dir.resolve("text.json"), "{" + routes + ",\"event_source_mapping\":{\"maximum_concurrency\":\"4\"}}");
        var e2 = assertThrows(IllegalArgumentException.class, () -> BridgeConfig.load(text));
        assertTrue(e2.getMessage().contains("maximum_concurrency must be a whole number"), e2.getMessage());
        Path quota = Files.writeString(dir.resolve("quota.json"), "{" + routes + ",\"iot_data\":{\"publish_quota_per_second\":-1}}");
        var e3 = assertThrows(IllegalArgumentException.class, () -> BridgeConfig.load(quota));
        assertTrue(e3.getMessage().contains("iot_data.publish_quota_per_second = -1"), e3.getMessage());
        Path ok = Files.writeString(dir.resolve("ok.json"), "{" + routes
                + ",\"event_source_mapping\":{\"maximum_concurrency\":4},\"iot_data\":{\"publish_quota_per_second\":500}}");
        BridgeConfig c = BridgeConfig.load(ok);
        assertEquals(4, c.eventSourceMapping().maximumConcurrency());
        assertEquals(500, c.iotData().publishQuotaPerSecond());
        BridgeConfig none = BridgeConfig.load(Files.writeString(dir.resolve("none.json"), "{" + routes + "}"));
        assertEquals(null, none.eventSourceMapping().maximumConcurrency(), "not set: one instance");
        assertEquals(0, none.iotData().publishQuotaPerSecond());
    }
}
