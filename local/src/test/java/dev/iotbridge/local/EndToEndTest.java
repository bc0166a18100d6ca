package dev.iotbridge.local;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.iotbridge.contract.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * End to end through the whole local stack with the REAL function artifact
 * (function/target/function.zip): source broker → rule → SQS → event source mapping → function
 * process → iot-data → destination broker.
 */
class EndToEndTest {

    static final Route GROUND = Route.of("ground", "GROUND/v1/#", "", "");
    static final Route MAPPED = new Route("mapped", "SRC/+/data/#", "", "SRC/", "DST/", 0, true);

    static LocalBridgeStack stack;
    static TestMqtt dest;
    static TestMqtt destReserved;

    static Path functionZip() {
        Path zip = Path.of(System.getProperty("local.function.zip", "../function/target/function.zip"));
        if (!Files.isRegularFile(zip)) {
            fail("the function artifact " + zip.toAbsolutePath().normalize() + " is missing: "
                    + "run ./mvnw -pl function -am package first (make package); the end-to-end tests run the real function");
        }
        return zip;
    }

    @BeforeAll
    static void start() throws Exception {
        stack = LocalBridgeStack.builder()
                .routes(List.of(GROUND, MAPPED))
                .ephemeralPorts()
                .workDir(TestDirs.fresh("e2e"))
                .functionZip(functionZip())
                .maxReceiveCount(3)
                .visibilityTimeout(Duration.ofSeconds(2))
                .progress(System.out)
                .build().start();
        dest = new TestMqtt(stack.destinationMqttPort(), "dest").subscribe("#");
        destReserved = new TestMqtt(stack.destinationMqttPort(), "dest-aws").subscribe("$aws/#");
    }

    @AfterAll
    static void stop() {
        if (dest != null) dest.close();
        if (destReserved != null) destReserved.close();
        if (stack != null) stack.close();
    }

    static Mqtt5Publish one(String topic) throws InterruptedException {
        List<Mqtt5Publish> got = dest.await(p -> p.getTopic().toString().equals(topic), 1, Duration.ofSeconds(30));
        if (got.isEmpty()) {
            fail("nothing arrived on " + topic + "; counters " + stack.counters() + "; function log " + stack.function().logFile());
        }
        return got.get(0);
    }

    static Optional<String> user(Mqtt5Publish p, String key) {
        return p.getUserProperties().asList().stream().filter(u -> u.getName().toString().equals(key))
                .map(u -> u.getValue().toString()).findFirst();
    }

    @Test
    void sampleMessageFromAnMqtt311DeviceCrossesUnchanged() throws Exception {
        String topic = "GROUND/v1/account1/" + UUID.randomUUID();
        byte[] payload = "{\"message\": \"IoT message from account1\"}".getBytes(StandardCharsets.UTF_8);
        Mqtt3BlockingClient dev = Mqtt3Client.builder().identifier("dev-" + UUID.randomUUID()).serverHost("127.0.0.1")
                .serverPort(stack.sourceMqttPort()).buildBlocking();
        dev.connect();
        dev.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
        dev.disconnect();
        Mqtt5Publish got = one(topic);
        assertArrayEquals(payload, got.getPayloadAsBytes());
        assertEquals(MqttQos.AT_LEAST_ONCE, got.getQos(), "route qos 1");
        assertFalse(got.isRetain(), "route retain false");
        assertTrue(user(got, "iot-bridge-hop").isPresent(), "iot-bridge-hop present: " + got.getUserProperties());
    }

    @Test
    void binaryPayloadOnAMappedRouteKeepsEveryByteAndUsesTheRoutesQosAndRetain() throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) all[i] = (byte) i;
        String id = UUID.randomUUID().toString();
        try (TestMqtt src = new TestMqtt(stack.sourceMqttPort(), "src")) {
            src.publish("SRC/site1/data/" + id, all);
        }
        Mqtt5Publish got = one("DST/site1/data/" + id);
        assertArrayEquals(all, got.getPayloadAsBytes());
        assertEquals(MqttQos.AT_MOST_ONCE, got.getQos(), "route qos 0");
        assertTrue(got.isRetain(), "route retain true");
        assertTrue(user(got, "iot-bridge-hop").isPresent());
        // retained on the destination broker, as published with retain
        try (TestMqtt late = new TestMqtt(stack.destinationMqttPort(), "late")) {
            late.subscribe("DST/site1/data/" + id);
            assertEquals(1, late.await(p -> true, 1, Duration.ofSeconds(10)).size(), "retained message");
        }
    }

    @Test
    void mqtt5PropertiesCross() throws Exception {
        String topic = "GROUND/v1/props/" + UUID.randomUUID();
        byte[] payload = "{\"command\":\"open\"}".getBytes(StandardCharsets.UTF_8);
        try (TestMqtt src = new TestMqtt(stack.sourceMqttPort(), "src")) {
            src.publish(Mqtt5Publish.builder().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload)
                    .contentType("application/json").payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                    .responseTopic("GROUND/v1/reply").correlationData("req-42".getBytes(StandardCharsets.UTF_8))
                    .userProperties(Mqtt5UserProperties.builder().add("a", "1").add("a", "2").add("src", "gw").build())
                    .build());
        }
        Mqtt5Publish got = one(topic);
        assertArrayEquals(payload, got.getPayloadAsBytes());
        assertEquals(Optional.of("application/json"), got.getContentType().map(Object::toString));
        assertEquals(Optional.of(Mqtt5PayloadFormatIndicator.UTF_8), got.getPayloadFormatIndicator());
        assertEquals(Optional.of("GROUND/v1/reply"), got.getResponseTopic().map(Object::toString));
        assertEquals(Optional.of(ByteBuffer.wrap("req-42".getBytes(StandardCharsets.UTF_8))), got.getCorrelationData());
        List<String> ups = got.getUserProperties().asList().stream().map(u -> u.getName() + "=" + u.getValue()).toList();
        assertEquals(List.of("a=1", "a=2", "src=gw"), ups.stream().filter(s -> !s.startsWith("iot-bridge-hop=")).toList(),
                "user properties in order, duplicates kept: " + ups);
        assertTrue(ups.stream().anyMatch(s -> s.startsWith("iot-bridge-hop=")), "hop property: " + ups);
    }

    @Test
    void forgedEnvelopesOnTheQueueNeverReachTheDestinationAndLandInTheDlqWithTheirReason() throws Exception {
        String marker = UUID.randomUUID().toString();
        Map<String, Set<String>> forged = Map.of(
                "OUTSIDE/of/route/" + marker, Set.of("TOPIC_OUTSIDE_ROUTE", "UNKNOWN_ROUTE"),
                "$aws/things/t1/shadow/update/" + marker, Set.of("TOPIC_RESERVED", "TOPIC_OUTSIDE_ROUTE"),
                "GROUND/v1/+/" + marker, Set.of("TOPIC_WILDCARD"),
                "GROUND/v1/" + marker + "/#", Set.of("TOPIC_WILDCARD"));
        long published = stack.counters().publishedAtIotData.sum();
        long failedBefore = stack.counters().recordsFailed.sum();
        for (String topic : forged.keySet()) {
            String env = "{\"v\":1,\"route\":\"ground\",\"topic\":" + json(topic) + ",\"payload\":\""
                    + Base64.getEncoder().encodeToString("forged".getBytes(StandardCharsets.UTF_8))
                    + "\",\"ts\":" + System.currentTimeMillis() + ",\"clientId\":\"attacker\"}";
            stack.sqsClient().sendMessage(b -> b.queueUrl(stack.queueUrl()).messageBody(env));
        }
        Map<String, Message> inDlq = new java.util.concurrent.ConcurrentHashMap<>();
        LocalBridgeStack.await(Duration.ofSeconds(30), () -> {
            stack.drainDlq(false).stream().filter(m -> m.body().contains(marker)).forEach(m -> inDlq.put(m.body(), m));
            return inDlq.size() >= forged.size();
        });
        assertEquals(forged.size(), inDlq.size(), "all forged envelopes in the DLQ: " + inDlq.keySet());
        for (Message m : inDlq.values()) {
            String topic = forged.keySet().stream().filter(t -> m.body().contains(json(t))).findFirst().orElseThrow();
            var code = m.messageAttributes().get("BridgeErrorCode");
            assertTrue(code != null && !code.stringValue().isEmpty(), "BridgeErrorCode on " + m.body());
            assertTrue(m.messageAttributes().containsKey("BridgeErrorDetail"), "BridgeErrorDetail on " + m.body());
            assertTrue(forged.get(topic).contains(code.stringValue()), topic + " → " + code.stringValue());
            assertEquals("1", m.attributesAsStrings().get("ApproximateReceiveCount"),
                    "quarantined at once (one receive), not by redrive");
        }
        Thread.sleep(500);
        assertEquals(published, stack.counters().publishedAtIotData.sum(), "nothing forged was published");
        assertFalse(dest.received.stream().anyMatch(p -> p.getTopic().toString().contains(marker)));
        assertFalse(destReserved.received.stream().anyMatch(p -> p.getTopic().toString().contains(marker)));
        assertEquals(failedBefore, stack.counters().recordsFailed.sum(), "permanent errors are not retried");
    }

    /**
     * A destination that stays down: on its last allowed receive (max_receive_count 3) the
     * function quarantines the record with its last error, so it reaches the DLQ with a reason
     * instead of being moved there by the redrive policy without one.
     */
    @Test
    void aRecordOnItsLastAllowedReceiveLandsInTheDlqWithItsLastErrorNotByRedrive() throws Exception {
        String marker = UUID.randomUUID().toString();
        stack.setFaultPlan(dev.iotbridge.local.iotdata.FaultPlan.outageNow());
        try {
            String env = "{\"v\":1,\"route\":\"ground\",\"topic\":\"GROUND/v1/down/" + marker + "\",\"payload\":\""
                    + Base64.getEncoder().encodeToString("down".getBytes(StandardCharsets.UTF_8))
                    + "\",\"ts\":" + System.currentTimeMillis() + ",\"clientId\":\"e2e\"}";
            String id = stack.sqsClient().sendMessage(b -> b.queueUrl(stack.queueUrl()).messageBody(env)).messageId();
            List<Message> found = new java.util.concurrent.CopyOnWriteArrayList<>();
            LocalBridgeStack.await(Duration.ofSeconds(60), () -> {
                stack.drainDlq(false).stream().filter(m -> m.body().contains(marker)).forEach(found::add);
                return !found.isEmpty();
            });
            assertEquals(1, found.size(), "in the DLQ once");
            Message m = found.get(0);
            var code = m.messageAttributes().get("BridgeErrorCode");
            assertTrue(code != null, "quarantined by the function with a reason, not redriven without one");
            assertEquals("PUBLISH_SERVER_ERROR", code.stringValue());
            String detail = m.messageAttributes().get("BridgeErrorDetail").stringValue();
            assertTrue(detail.contains("receive 3 was its last") && detail.contains("503"), detail);
            assertEquals(id, m.messageAttributes().get("BridgeSourceMessageId").stringValue());
        } finally {
            stack.setFaultPlan(dev.iotbridge.local.iotdata.FaultPlan.none());
        }
    }

    @Test
    void aBridgePointedBackDoesNotLoop() throws Exception {
        // bridge B on the same two brokers, the other way round: destination → source
        try (LocalBridgeStack back = LocalBridgeStack.builder()
                .routes(List.of(Route.of("back", "GROUND/v1/#", "", "")))
                .ephemeralPorts()
                .useBrokers(stack.destinationBroker(), stack.sourceBroker())
                .queueNames("iot-bridge-back", "iot-bridge-back-dlq")
                .workDir(TestDirs.fresh("e2e-back"))
                .functionZip(functionZip())
                .progress(System.out)
                .build().start();
             TestMqtt srcSide = new TestMqtt(stack.sourceMqttPort(), "src-side").subscribe("GROUND/v1/loop/#");
             TestMqtt destSide = new TestMqtt(stack.destinationMqttPort(), "dest-side").subscribe("GROUND/v1/loop/#")) {
            String id = UUID.randomUUID().toString();
            String forward = "GROUND/v1/loop/fwd-" + id;
            try (TestMqtt pub = new TestMqtt(stack.sourceMqttPort(), "pub")) {
                pub.publish(forward, "ping".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals(1, destSide.await(p -> p.getTopic().toString().equals(forward), 1, Duration.ofSeconds(30)).size());
            // the back bridge's rule sees it and skips it (it carries iot-bridge-hop)
            assertTrue(LocalBridgeStack.await(Duration.ofSeconds(10), () -> back.counters().ruleSkipped.sum() >= 1));
            String backward = "GROUND/v1/loop/back-" + id;
            try (TestMqtt pub = new TestMqtt(stack.destinationMqttPort(), "pub")) {
                pub.publish(backward, "pong".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals(1, srcSide.await(p -> p.getTopic().toString().equals(backward), 1, Duration.ofSeconds(30)).size(),
                    "the back bridge works");
            Thread.sleep(3000);   // give a loop time to show
            assertEquals(1, srcSide.received.stream().filter(p -> p.getTopic().toString().equals(forward)).count(),
                    "the forward message is not sent back");
            assertEquals(1, destSide.received.stream().filter(p -> p.getTopic().toString().equals(forward)).count());
            assertEquals(1, destSide.received.stream().filter(p -> p.getTopic().toString().equals(backward)).count(),
                    "the backward message is not sent forward again");
            assertEquals(1, srcSide.received.stream().filter(p -> p.getTopic().toString().equals(backward)).count());
            assertEquals(0, back.counters().ruleErrors.sum());
        }
    }

    static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
