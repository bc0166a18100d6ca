package dev.iotbridge.local;

import dev.iotbridge.contract.Route;
import dev.iotbridge.local.iotdata.FaultPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.sqs.model.Message;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retry behaviour of the REAL function on the local stack, on a compressed time scale (visibility
 * 1 s, backoff 1 s doubling to 8 s, retention 40 s, max receive count 20): during an outage a
 * record backs off instead of coming back every visibility timeout, and is delivered after the
 * recovery; a record about to expire is quarantined with its last error before retention drops it.
 * (The last allowed receive: {@code EndToEndTest}.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetryEndToEndTest {
    static LocalBridgeStack stack;
    static TestMqtt dest;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalBridgeStack.builder()
                .routes(List.of(Route.of("ground", "GROUND/v1/#", "", "")))
                .ephemeralPorts()
                .workDir(TestDirs.fresh("retry-e2e"))
                .functionZip(EndToEndTest.functionZip())
                .maxReceiveCount(20)
                .visibilityTimeout(Duration.ofSeconds(1))
                .functionTimeout(Duration.ofSeconds(5))
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(8))
                .messageRetention(Duration.ofSeconds(40))
                .progress(System.out)
                .build().start();
        dest = new TestMqtt(stack.destinationMqttPort(), "dest-retry").subscribe("#");
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.setFaultPlan(FaultPlan.none());
        if (dest != null) dest.close();
        if (stack != null) stack.close();
    }

    static String send(String topic, String payload) {
        String env = "{\"v\":1,\"route\":\"ground\",\"topic\":\"" + topic + "\",\"payload\":\""
                + Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "\",\"ts\":"
                + System.currentTimeMillis() + ",\"clientId\":\"retry-test\"}";
        return stack.sqsClient().sendMessage(b -> b.queueUrl(stack.queueUrl()).messageBody(env)).messageId();
    }

    @Test
    @Order(1)
    void anOutageIsRiddenOutWithBackoffAndEverythingIsDeliveredAfterTheRecovery() throws Exception {
        String marker = UUID.randomUUID().toString();
        stack.setFaultPlan(FaultPlan.outageNow());
        long failedBefore = stack.counters().recordsFailed.sum();
        for (int i = 0; i < 5; i++) send("GROUND/v1/retry/" + marker + "/" + i, "m" + i);
        Thread.sleep(10_000);
        long receives = stack.counters().recordsFailed.sum() - failedBefore;
        stack.setFaultPlan(FaultPlan.none());
        long recovered = System.nanoTime();
        // every visibility timeout (1 s) that would be about 50 failed receives in 10 s; backoff
        // (1, 1-2, 2-4, 4-8 s) allows at most 5 per record
        assertTrue(receives >= 5, "every record was tried during the outage: " + receives);
        assertTrue(receives <= 30, receives + " failed receives of 5 records in 10 s: they did not back off");
        assertTrue(LocalBridgeStack.await(Duration.ofSeconds(40), () -> dest.received.stream()
                .filter(p -> p.getTopic().toString().contains(marker)).count() >= 5), "all 5 delivered after the recovery");
        long afterMs = (System.nanoTime() - recovered) / 1_000_000;
        System.out.println("outage: " + receives + " failed receives of 5 records in 10 s; delivered " + afterMs
                + " ms after the recovery");
        assertTrue(stack.awaitDrained(Duration.ofSeconds(30)));
        assertEquals(0, stack.dlqDepth(), "nothing in the DLQ");
        assertEquals(0, stack.counters().expired.sum(), "nothing expired");
    }

    @Test
    @Order(2)
    void aRecordAboutToExpireIsQuarantinedWithItsLastErrorBeforeRetentionDropsIt() throws Exception {
        String marker = UUID.randomUUID().toString();
        stack.setFaultPlan(FaultPlan.outageNow());
        try {
            String id = send("GROUND/v1/expiring/" + marker, "old");
            List<Message> found = new ArrayList<>();
            LocalBridgeStack.await(Duration.ofSeconds(120), () -> {
                stack.drainDlq(false).stream().filter(m -> m.body().contains(marker)).forEach(found::add);
                return !found.isEmpty();
            });
            assertEquals(1, found.size(), "quarantined once");
            Message m = found.get(0);
            assertEquals("PUBLISH_SERVER_ERROR", m.messageAttributes().get("BridgeErrorCode").stringValue());
            String detail = m.messageAttributes().get("BridgeErrorDetail").stringValue();
            assertTrue(detail.contains("would expire before its next receive"), detail);
            assertEquals(id, m.messageAttributes().get("BridgeSourceMessageId").stringValue());
            assertEquals(0, stack.counters().expired.sum(), "quarantined before it expired");
        } finally {
            stack.setFaultPlan(FaultPlan.none());
        }
    }
}
