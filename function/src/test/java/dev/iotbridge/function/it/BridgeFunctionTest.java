package dev.iotbridge.function.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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

import dev.iotbridge.function.BridgeService;
import dev.iotbridge.function.domain.BatchProcessor;
import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.Outcome;
import dev.iotbridge.function.domain.RecordResult;
import dev.iotbridge.iotdata.Publish;
import io.quarkus.test.common.QuarkusTestResource;
import jakarta.inject.Inject;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * End to end through the real Lambda handler: SQS event JSON posted to the Quarkus mock
 * event server, publishes checked at the emulated iot-data endpoint, quarantine checked on a real
 * (embedded ElasticMQ) DLQ.
 */
@QuarkusTest
@QuarkusTestResource(value = BridgeTestResources.class, restrictToAnnotatedClass = true)
class BridgeFunctionTest {
    static final ObjectMapper M = new ObjectMapper();

    Fakes fakes; // injected by BridgeTestResources

    @Inject
    BridgeService service;

    @BeforeEach
    void reset() {
        fakes.iot().reset();
        fakes.recorder().clear();
        drainDlq();
    }

    // ---------------------------------------------------------------- helpers

    record Rec(String messageId, String body, int receiveCount, long sentTimestamp, String receiptHandle, String arn) {
        Rec(String messageId, String body) {
            this(messageId, body, 1, System.currentTimeMillis(), "AQEB" + messageId,
                    "arn:aws:sqs:us-east-1:123456789012:iot-bridge");
        }
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
            n.put("receiptHandle", r.receiptHandle());
            n.put("body", r.body());
            ObjectNode attrs = n.putObject("attributes");
            attrs.put("ApproximateReceiveCount", String.valueOf(r.receiveCount()));
            attrs.put("SentTimestamp", String.valueOf(r.sentTimestamp()));
            attrs.put("SenderId", "AROAEXAMPLE:iot");
            attrs.put("ApproximateFirstReceiveTimestamp", String.valueOf(System.currentTimeMillis()));
            n.putObject("messageAttributes");
            n.put("md5OfBody", "00000000000000000000000000000000");
            n.put("eventSource", "aws:sqs");
            n.put("eventSourceARN", r.arn());
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

    Map<String, Publish> publishedByTopic() {
        Map<String, Publish> m = new HashMap<>();
        fakes.recorder().published().forEach(p -> m.put(p.topic(), p));
        return m;
    }

    static JsonNode userProperties(Publish p) throws Exception {
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

        Map<String, Publish> got = publishedByTopic();
        assertEquals(expected.keySet(), got.keySet());
        expected.forEach((topic, payload) -> assertArrayEquals(payload, got.get(topic).payload(), topic));

        Publish ground0 = got.get("acct-a/v1/site0/data");
        assertEquals("1", ground0.query().get("qos"));
        assertEquals("false", ground0.query().get("retain"));
        assertEquals("[{\"iot-bridge-hop\":\"ground\"}]", userProperties(ground0).toString());
        assertNull(ground0.query().get("contentType"));
        assertNull(ground0.header("x-amz-mqtt5-payload-format-indicator"));

        Publish withProps = got.get("acct-a/v1/site1/data");
        assertEquals("application/octet-stream", withProps.query().get("contentType"));
        assertEquals("GROUND/v1/site1/reply", withProps.query().get("responseTopic"));
        assertEquals("UNSPECIFIED_BYTES", withProps.header("x-amz-mqtt5-payload-format-indicator"));
        assertEquals("cmVxLTQy", withProps.header("x-amz-mqtt5-correlation-data"));
        assertEquals("[{\"a\":\"1\"},{\"a\":\"2\"},{\"src\":\"gw\"},{\"iot-bridge-hop\":\"ground\"}]",
                userProperties(withProps).toString());

        Publish status = got.get("STATUS/dev1/state");
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
        fakes.iot().setLatency(Duration.ofMillis(200));
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
        Publish p = publishedByTopic().get("acct-a/v1/site9/temp");
        assertNotNull(p);
        assertEquals("{\"temperature\":21.5,\"unit\":\"C\"}", new String(p.payload(), StandardCharsets.UTF_8));
        assertEquals("[{\"iot-bridge-hop\":\"ground\"}]", userProperties(p).toString());
    }

    @Test
    void aThrottledRecordComesBackAfterItsBackoffNotAfterTheVisibilityTimeout() throws Exception {
        fakes.iot().throttle("acct-a/v1/backoff/data");
        String url = fakes.sqs().createQueue(b -> b.queueName("bridge-queue")).queueUrl();
        String arn = fakes.sqs().getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        fakes.sqs().sendMessage(b -> b.queueUrl(url)
                .messageBody(envelope("ground", "GROUND/v1/backoff/data", new byte[] { 1 }, Map.of())));
        Message m = fakes.sqs().receiveMessage(b -> b.queueUrl(url).visibilityTimeout(30).waitTimeSeconds(5)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages().get(0);
        Rec rec = new Rec(m.messageId(), m.body(), 1, System.currentTimeMillis(), m.receiptHandle(), arn);

        long invoked = System.nanoTime(); // the delay counts from a moment after this one
        assertEquals(List.of(m.messageId()), invoke(List.of(rec)), "throttled: retried");
        long answered = System.nanoTime();
        Message back = null;
        while (back == null && System.nanoTime() - answered < 25_000_000_000L) {
            List<Message> got = fakes.sqs().receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            back = got.isEmpty() ? null : got.get(0);
        }
        long afterMs = (System.nanoTime() - invoked) / 1_000_000;
        assertNotNull(back, "the record never came back (received with a 30 s visibility timeout)");
        assertTrue(afterMs >= 2_000 && afterMs < 20_000, "back " + afterMs + " ms after the invocation started: "
                + "the backoff (2-4 s) set its visibility, not the 30 s it was received with");
        assertEquals("2", back.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
        assertTrue(drainDlq().isEmpty());
    }

    @Test
    void aRecordOnItsLastAllowedReceiveIsQuarantinedWithItsLastErrorInsteadOfRedrivenWithout() throws Exception {
        fakes.iot().failWith("acct-a/v1/down/data", 503);
        Rec last = new Rec(UUID.randomUUID().toString(), envelope("ground", "GROUND/v1/down/data", new byte[] { 7 }, Map.of()),
                BridgeTestResources.MAX_RECEIVE_COUNT, System.currentTimeMillis() - 60_000, "AQEB-last",
                "arn:aws:sqs:us-east-1:123456789012:iot-bridge");
        Rec notYet = new Rec(UUID.randomUUID().toString(), last.body(), BridgeTestResources.MAX_RECEIVE_COUNT - 1,
                System.currentTimeMillis() - 60_000, "AQEB-not-yet", last.arn());

        assertEquals(List.of(notYet.messageId()), invoke(List.of(last, notYet)), "the last receive is settled, not retried");
        List<Message> dlq = drainDlq();
        assertEquals(1, dlq.size());
        Message q = dlq.get(0);
        assertEquals(last.messageId(), attr(q, "BridgeSourceMessageId"));
        assertEquals("PUBLISH_SERVER_ERROR", attr(q, "BridgeErrorCode"), "its last error, not a made-up code");
        assertTrue(attr(q, "BridgeErrorDetail").contains("max_receive_count is " + BridgeTestResources.MAX_RECEIVE_COUNT),
                attr(q, "BridgeErrorDetail"));
        assertTrue(attr(q, "BridgeErrorDetail").contains("HTTP 503"), attr(q, "BridgeErrorDetail"));
        assertEquals(last.body(), q.body());
    }

    @Test
    void aRecordAboutToExpireIsQuarantinedInsteadOfLostToRetention() throws Exception {
        fakes.iot().failWith("acct-a/v1/old/data", 500);
        long sent = System.currentTimeMillis() - (BridgeTestResources.RETENTION_SECONDS - 5) * 1000L;
        Rec old = new Rec(UUID.randomUUID().toString(), envelope("ground", "GROUND/v1/old/data", new byte[] { 8 }, Map.of()),
                1, sent, "AQEB-old", "arn:aws:sqs:us-east-1:123456789012:iot-bridge");
        assertEquals(List.of(), invoke(List.of(old)));
        List<Message> dlq = drainDlq();
        assertEquals(1, dlq.size());
        assertEquals("PUBLISH_SERVER_ERROR", attr(dlq.get(0), "BridgeErrorCode"));
        assertTrue(attr(dlq.get(0), "BridgeErrorDetail").contains("would expire"), attr(dlq.get(0), "BridgeErrorDetail"));
    }

    /**
     * No work past the deadline: a publish still waiting for iot-data at the invocation deadline is
     * aborted by its own deadline-bound timeout, so when the batch returns (and the handler answers)
     * no record task is running any more, and the record is reported for retry.
     */
    @Test
    void nothingIsStillPublishingWhenTheBatchReturnsAtItsDeadline() {
        fakes.iot().setLatency(Duration.ofMillis(6_000));
        List<BatchProcessor.InRecord> recs = List.of(new BatchProcessor.InRecord("late-1",
                envelope("ground", "GROUND/v1/late/data", new byte[] { 3 }, Map.of())));
        long start = System.nanoTime();
        List<RecordResult> results = service.process(recs, Deadline.in(Duration.ofMillis(800)), Deadline.in(Duration.ofMillis(1_800)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, service.running(), "a publish was still running when the batch returned");
        assertEquals(Outcome.Kind.RETRY, results.get(0).outcome().kind());
        assertTrue(tookMs < 4_000, "returned " + tookMs + " ms after the start; deadline 800 ms, iot-data answers after 6 s");
        // the endpoint's own handler still sleeps out its latency (as the service would finish a request
        // whose client left): let it end before the next test counts requests in flight
        long end = System.nanoTime() + 15_000_000_000L;
        while (fakes.iot().inFlight() > 0 && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void emptyBatchReturnsNoFailures() throws Exception {
        assertEquals(List.of(), invoke(List.of()));
    }
}
