package dev.iotbridge.function.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * End to end through the real Lambda handler: SQS event JSON posted to the Quarkus mock
 * event server, publishes checked at a fake iot-data endpoint, quarantine checked on a real
 * (embedded ElasticMQ) DLQ.
 */
@QuarkusTest
@QuarkusTestResource(value = BridgeTestResources.class, restrictToAnnotatedClass = true)
class BridgeFunctionTest {
    static final ObjectMapper M = new ObjectMapper();

    Fakes fakes; // injected by BridgeTestResources

    @BeforeEach
    void reset() {
        fakes.iot().reset();
        drainDlq();
    }

    // ---------------------------------------------------------------- helpers

    record Rec(String messageId, String body) {
    }

    static String envelope(String route, String topic, byte[] payload, Map<String, Object> extra) {
        ObjectNode o = M.createObjectNode();
        o.put("v", 1);
        o.put("route", route);
        o.put("topic", topic);
        o.put("payload", Base64.getEncoder().encodeToString(payload));
        o.put("ts", System.currentTimeMillis() - 250);
        o.put("clientId", "device-1");
        extra.forEach((k, v) -> o.set(k, M.valueToTree(v)));
        return o.toString();
    }

    static Rec rec(String body) {
        return new Rec(UUID.randomUUID().toString(), body);
    }

    static String sqsEvent(List<Rec> recs) {
        ObjectNode event = M.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Rec r : recs) {
            ObjectNode n = records.addObject();
            n.put("messageId", r.messageId());
            n.put("receiptHandle", "AQEB" + r.messageId());
            n.put("body", r.body());
            ObjectNode attrs = n.putObject("attributes");
            attrs.put("ApproximateReceiveCount", "1");
            attrs.put("SentTimestamp", String.valueOf(System.currentTimeMillis()));
            attrs.put("SenderId", "AROAEXAMPLE:iot");
            attrs.put("ApproximateFirstReceiveTimestamp", String.valueOf(System.currentTimeMillis()));
            n.putObject("messageAttributes");
            n.put("md5OfBody", "00000000000000000000000000000000");
            n.put("eventSource", "aws:sqs");
            n.put("eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:iot-bridge");
            n.put("awsRegion", "us-east-1");
        }
        return event.toString();
    }

    /** Invokes the function; returns the messageIds in batchItemFailures. */
    static List<String> invoke(List<Rec> recs) throws Exception {
        String response = given().contentType("application/json").accept("application/json").body(sqsEvent(recs))
                .when().post().then().statusCode(200).extract().asString();
        JsonNode failures = M.readTree(response).get("batchItemFailures");
        assertNotNull(failures, "response has batchItemFailures: " + response);
        List<String> ids = new ArrayList<>();
        failures.forEach(f -> ids.add(f.get("itemIdentifier").asText()));
        return ids;
    }

    Map<String, FakeIotData.Publish> publishedByTopic() {
        Map<String, FakeIotData.Publish> m = new HashMap<>();
        fakes.iot().received().forEach(p -> m.put(p.topic(), p));
        return m;
    }

    static JsonNode userProperties(FakeIotData.Publish p) throws Exception {
        String header = p.header("x-amz-mqtt5-user-properties");
        assertNotNull(header, "x-amz-mqtt5-user-properties header");
        return M.readTree(Base64.getDecoder().decode(header));
    }

    List<Message> drainDlq() {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> batch = fakes.sqs().receiveMessage(b -> b.queueUrl(fakes.dlqUrl()).maxNumberOfMessages(10)
                    .messageAttributeNames("All").waitTimeSeconds(0)).messages();
            if (batch.isEmpty()) {
                return all;
            }
            for (Message m : batch) {
                fakes.sqs().deleteMessage(b -> b.queueUrl(fakes.dlqUrl()).receiptHandle(m.receiptHandle()));
            }
            all.addAll(batch);
        }
    }

    static String attr(Message m, String name) {
        MessageAttributeValue v = m.messageAttributes().get(name);
        return v == null ? null : v.stringValue();
    }

    // ---------------------------------------------------------------- tests

    @Test
    void allTenRecordsOfABatchArePublishedWithTopicQosRetainExactPayloadAndMqtt5Headers() throws Exception {
        byte[] everyByte = new byte[256];
        for (int i = 0; i < 256; i++) {
            everyByte[i] = (byte) i;
        }
        Random random = new Random(42);
        List<Rec> recs = new ArrayList<>();
        Map<String, byte[]> expected = new HashMap<>();
        for (int i = 0; i < 8; i++) {
            byte[] payload = i == 0 ? everyByte : new byte[i * 37];
            if (i > 0) {
                random.nextBytes(payload);
            }
            Map<String, Object> extra = i == 1 ? Map.of(
                    "contentType", "application/octet-stream",
                    "payloadFormatIndicator", "UNSPECIFIED_BYTES",
                    "responseTopic", "GROUND/v1/site1/reply",
                    "correlationData", Base64.getEncoder().encodeToString("req-42".getBytes(StandardCharsets.UTF_8)),
                    "userProperties", List.of(Map.of("a", "1"), Map.of("a", "2"), Map.of("src", "gw")))
                    : Map.of();
            recs.add(rec(envelope("ground", "GROUND/v1/site" + i + "/data", payload, extra)));
            expected.put("acct-a/v1/site" + i + "/data", payload);
        }
        byte[] text = "{\"state\":\"on\"}".getBytes(StandardCharsets.UTF_8);
        recs.add(rec(envelope("status", "STATUS/dev1/state", text,
                Map.of("contentType", "application/json", "payloadFormatIndicator", "UTF8_DATA"))));
        expected.put("STATUS/dev1/state", text);
        byte[] empty = new byte[0];
        recs.add(rec(envelope("status", "STATUS/dev2/state", empty, Map.of())));
        expected.put("STATUS/dev2/state", empty);

        assertEquals(List.of(), invoke(recs));

        Map<String, FakeIotData.Publish> got = publishedByTopic();
        assertEquals(expected.keySet(), got.keySet());
        expected.forEach((topic, payload) -> assertArrayEquals(payload, got.get(topic).body(), topic));

        FakeIotData.Publish ground0 = got.get("acct-a/v1/site0/data");
        assertEquals("1", ground0.query().get("qos"));
        assertEquals("false", ground0.query().get("retain"));
        assertEquals("[{\"iot-bridge-hop\":\"ground\"}]", userProperties(ground0).toString());
        assertNull(ground0.query().get("contentType"));
        assertNull(ground0.header("x-amz-mqtt5-payload-format-indicator"));

        FakeIotData.Publish withProps = got.get("acct-a/v1/site1/data");
        assertEquals("application/octet-stream", withProps.query().get("contentType"));
        assertEquals("GROUND/v1/site1/reply", withProps.query().get("responseTopic"));
        assertEquals("UNSPECIFIED_BYTES", withProps.header("x-amz-mqtt5-payload-format-indicator"));
        assertEquals("cmVxLTQy", withProps.header("x-amz-mqtt5-correlation-data"));
        assertEquals("[{\"a\":\"1\"},{\"a\":\"2\"},{\"src\":\"gw\"},{\"iot-bridge-hop\":\"ground\"}]",
                userProperties(withProps).toString());

        FakeIotData.Publish status = got.get("STATUS/dev1/state");
        assertEquals("0", status.query().get("qos"));
        assertEquals("true", status.query().get("retain"));
        assertEquals("application/json", status.query().get("contentType"));
        assertEquals("UTF8_DATA", status.header("x-amz-mqtt5-payload-format-indicator"));
        assertEquals("[{\"iot-bridge-hop\":\"status\"}]", userProperties(status).toString());

        assertTrue(drainDlq().isEmpty());
    }

    @Test
    void throttledRecordIsExactlyTheOneReportedInBatchItemFailures() throws Exception {
        fakes.iot().throttle("acct-a/v1/hot/data");
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String topic = i == 4 ? "GROUND/v1/hot/data" : "GROUND/v1/cold" + i + "/data";
            recs.add(rec(envelope("ground", topic, new byte[] { (byte) i }, Map.of())));
        }
        assertEquals(List.of(recs.get(4).messageId()), invoke(recs));
        assertEquals(9, publishedByTopic().size());
        assertTrue(drainDlq().isEmpty(), "a transient failure is not quarantined");
    }

    @Test
    void malformedRecordsAreQuarantinedInTheDlqWithTheirReasonAndTheRestPublished() throws Exception {
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            recs.add(rec(envelope("ground", "GROUND/v1/ok" + i + "/data", new byte[] { 1, 2, (byte) i }, Map.of())));
        }
        Rec garbage = rec("this is not an envelope");
        Rec forged = rec(envelope("ground", "SECRET/admin/cmd", new byte[] { 9 }, Map.of()));
        recs.add(3, garbage);
        recs.add(forged);

        assertEquals(List.of(), invoke(recs), "quarantined records count as handled");
        assertEquals(8, publishedByTopic().size());

        Map<String, Message> dlq = new HashMap<>();
        drainDlq().forEach(m -> dlq.put(attr(m, "BridgeSourceMessageId"), m));
        assertEquals(2, dlq.size());

        Message g = dlq.get(garbage.messageId());
        assertEquals("this is not an envelope", g.body());
        assertEquals("INVALID_JSON", attr(g, "BridgeErrorCode"));
        assertNotNull(attr(g, "BridgeErrorDetail"));
        assertNull(attr(g, "BridgeRoute"));

        Message f = dlq.get(forged.messageId());
        assertEquals(forged.body(), f.body());
        assertEquals("TOPIC_OUTSIDE_ROUTE", attr(f, "BridgeErrorCode"));
        assertEquals("ground", attr(f, "BridgeRoute"));
        assertTrue(attr(f, "BridgeErrorDetail").contains("SECRET/admin/cmd"));
    }

    @Test
    void batchOfTenIsPublishedConcurrentlyNotOneAfterAnother() throws Exception {
        fakes.iot().latency(200);
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            recs.add(rec(envelope("ground", "GROUND/v1/par" + i + "/data", new byte[] { (byte) i }, Map.of())));
        }
        assertEquals(List.of(), invoke(recs));
        assertEquals(10, publishedByTopic().size());
        assertEquals(10, fakes.iot().peakInFlight(), "all 10 publishes were in flight together (BRIDGE_MAX_CONCURRENCY=10)");
    }

    @Test
    void legacySampleShapeIsPublishedWithoutTheAddedTopicField() throws Exception {
        Rec legacy = rec("{\"temperature\":21.5,\"unit\":\"C\",\"topic\":\"GROUND/v1/site9/temp\"}");
        assertEquals(List.of(), invoke(List.of(legacy)));
        FakeIotData.Publish p = publishedByTopic().get("acct-a/v1/site9/temp");
        assertNotNull(p);
        assertEquals("{\"temperature\":21.5,\"unit\":\"C\"}", new String(p.body(), StandardCharsets.UTF_8));
        assertEquals("[{\"iot-bridge-hop\":\"ground\"}]", userProperties(p).toString());
    }

    @Test
    void emptyBatchReturnsNoFailures() throws Exception {
        assertEquals(List.of(), invoke(List.of()));
    }
}
