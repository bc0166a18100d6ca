package dev.iotbridge.function.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.iotbridge.contract.Routes;

class RecordProcessorTest {
    static final Routes ROUTES = Routes.parse("""
            [{"name":"ground","source_filter":"GROUND/v1/#","strip_prefix":"GROUND/","add_prefix":"acct-a/","qos":0,"retain":true},
             {"name":"air","source_filter":"AIR/#"}]""");

    final List<PublishCommand> published = new ArrayList<>();
    final List<String> quarantined = new ArrayList<>();
    BridgeException publishFailure;
    RuntimeException publishBug;
    BridgeException quarantineFailure;

    final Publisher publisher = (c, deadline) -> {
        if (publishBug != null) {
            throw publishBug;
        }
        if (publishFailure != null) {
            throw publishFailure;
        }
        published.add(c);
    };
    final QuarantineSink sink = (id, body, code, detail, route, deadline) -> {
        if (quarantineFailure != null) {
            throw quarantineFailure;
        }
        quarantined.add(id + "|" + code + "|" + route + "|" + body);
    };
    final RecordProcessor processor = new RecordProcessor(ROUTES, publisher, sink, () -> 1_000_500L);

    RecordResult process(String messageId, String body) {
        return processor.process(messageId, body, Deadline.none());
    }

    static String envelope(String route, String topic, byte[] payload, String extra) {
        return "{\"v\":1,\"route\":\"" + route + "\",\"topic\":\"" + topic + "\",\"payload\":\""
                + Base64.getEncoder().encodeToString(payload) + "\",\"ts\":1000000" + extra + "}";
    }

    @Test
    void validEnvelopeIsPublishedOnTheMappedTopicWithTheRouteQosAndRetain() {
        RecordResult r = process("m1", envelope("ground", "GROUND/v1/s/t", new byte[] { 0, 1, (byte) 255 }, ""));
        assertEquals(Outcome.Kind.PUBLISHED, r.outcome().kind());
        PublishCommand c = published.get(0);
        assertEquals("acct-a/v1/s/t", c.topic());
        assertEquals(0, c.qos());
        assertTrue(c.retain());
        assertArrayEquals(new byte[] { 0, 1, (byte) 255 }, c.payload());
        assertEquals("ground", r.route());
        assertEquals("GROUND/v1/s/t", r.sourceTopic());
        assertEquals("acct-a/v1/s/t", r.destinationTopic());
        assertEquals(500L, r.endToEndAgeMs());
        assertTrue(r.publishLatencyMs() >= 0);
    }

    @Test
    void mqtt5PropertiesAreForwardedAndTheHopPropertyIsAppended() {
        process("m1", envelope("air", "AIR/x", "hi".getBytes(StandardCharsets.UTF_8),
                ",\"contentType\":\"text/plain\",\"payloadFormatIndicator\":\"UTF8_DATA\",\"responseTopic\":\"AIR/reply\","
                        + "\"correlationData\":\"cmVxLTQy\",\"userProperties\":[{\"a\":\"1\"},{\"a\":\"2\"},{\"src\":\"gw\"}]"));
        PublishCommand c = published.get(0);
        assertEquals("AIR/x", c.topic());
        assertEquals(1, c.qos());
        assertEquals("text/plain", c.contentType());
        assertEquals("UTF8_DATA", c.payloadFormatIndicator());
        assertEquals("AIR/reply", c.responseTopic());
        assertEquals("cmVxLTQy", c.correlationData());
        assertEquals("[{\"a\":\"1\"},{\"a\":\"2\"},{\"src\":\"gw\"},{\"iot-bridge-hop\":\"air\"}]", c.userPropertiesJson());
    }

    @Test
    void messageWithoutUserPropertiesStillCarriesTheHopProperty() {
        process("m1", envelope("air", "AIR/x", new byte[0], ""));
        assertEquals("[{\"iot-bridge-hop\":\"air\"}]", published.get(0).userPropertiesJson());
        assertNull(published.get(0).contentType());
    }

    @Test
    void messageAlreadyCarryingTheHopPropertyIsQuarantinedAsALoop() {
        RecordResult r = process("m1", envelope("air", "AIR/x", new byte[0],
                ",\"userProperties\":[{\"iot-bridge-hop\":\"other\"}]"));
        assertEquals(Outcome.quarantined(ErrorCode.LOOP_DETECTED, r.outcome().detail()), r.outcome());
        assertTrue(published.isEmpty());
    }

    @Test
    void legacyShapeIsRoutedByTopicMatch() {
        RecordResult r = process("m1", "{\"t\":21.5,\"topic\":\"GROUND/v1/site1/temp\"}");
        assertEquals(Outcome.Kind.PUBLISHED, r.outcome().kind());
        assertEquals("ground", r.route());
        assertEquals("acct-a/v1/site1/temp", published.get(0).topic());
        assertEquals("{\"t\":21.5}", new String(published.get(0).payload(), StandardCharsets.UTF_8));
        assertNull(r.endToEndAgeMs());
    }

    @Test
    void legacyTopicMatchingNoRouteIsQuarantinedAsUnknownRoute() {
        RecordResult r = process("m1", "{\"t\":1,\"topic\":\"SEA/x\"}");
        assertEquals(ErrorCode.UNKNOWN_ROUTE, r.outcome().code());
        assertEquals(Outcome.Kind.QUARANTINED, r.outcome().kind());
    }

    @Test
    void unknownRouteIsQuarantinedWithTheRouteNameAndOriginalBody() {
        String body = envelope("sea", "SEA/x", new byte[0], "");
        RecordResult r = process("m9", body);
        assertEquals(Outcome.Kind.QUARANTINED, r.outcome().kind());
        assertEquals(ErrorCode.UNKNOWN_ROUTE, r.outcome().code());
        assertEquals(List.of("m9|UNKNOWN_ROUTE|sea|" + body), quarantined);
    }

    @Test
    void forgedTopicOutsideTheRouteFilterIsNeverPublished() {
        RecordResult r = process("m1", envelope("ground", "AIR/secret", new byte[0], ""));
        assertEquals(ErrorCode.TOPIC_OUTSIDE_ROUTE, r.outcome().code());
        assertEquals(Outcome.Kind.QUARANTINED, r.outcome().kind());
        assertTrue(published.isEmpty());
    }

    @Test
    void forgedWildcardOrReservedTopicsAreQuarantined() {
        assertEquals(ErrorCode.TOPIC_WILDCARD, process("m1", envelope("air", "AIR/#", new byte[0], "")).outcome().code());
        assertEquals(ErrorCode.TOPIC_RESERVED,
                process("m2", envelope("air", "$aws/things/t/shadow/update", new byte[0], "")).outcome().code());
        assertEquals(ErrorCode.TOPIC_INVALID_CHARACTER,
                process("m3", envelope("air", "AIR/\\u0000", new byte[0], "")).outcome().code());
        assertTrue(published.isEmpty());
        assertEquals(3, quarantined.size());
    }

    @Test
    void payloadOver128KiBIsQuarantinedAndExactly128KiBIsPublished() {
        RecordResult big = process("m1", envelope("air", "AIR/x", new byte[128 * 1024 + 1], ""));
        assertEquals(Outcome.quarantined(ErrorCode.PAYLOAD_TOO_LARGE, big.outcome().detail()), big.outcome());
        RecordResult ok = process("m2", envelope("air", "AIR/x", new byte[128 * 1024], ""));
        assertEquals(Outcome.Kind.PUBLISHED, ok.outcome().kind());
    }

    @Test
    void transientPublishFailureIsRetriedNotQuarantined() {
        publishFailure = new BridgeException(ErrorCode.PUBLISH_THROTTLED, "429");
        RecordResult r = process("m1", envelope("air", "AIR/x", new byte[0], ""));
        assertEquals(Outcome.retry(ErrorCode.PUBLISH_THROTTLED, "429"), r.outcome());
        assertTrue(quarantined.isEmpty());
    }

    @Test
    void permanentPublishFailureIsQuarantined() {
        publishFailure = new BridgeException(ErrorCode.PUBLISH_REJECTED, "400");
        RecordResult r = process("m1", envelope("air", "AIR/x", new byte[0], ""));
        assertEquals(Outcome.quarantined(ErrorCode.PUBLISH_REJECTED, "400"), r.outcome());
        assertEquals(1, quarantined.size());
    }

    @Test
    void failedQuarantineBecomesATransientFailure() {
        quarantineFailure = new BridgeException(ErrorCode.QUARANTINE_FAILED, "dlq down");
        RecordResult r = process("m1", "garbage");
        assertEquals(Outcome.Kind.RETRY, r.outcome().kind());
        assertEquals(ErrorCode.QUARANTINE_FAILED, r.outcome().code());
        assertTrue(r.outcome().detail().contains("INVALID_JSON"));
    }

    @Test
    void unexpectedExceptionIsRetriedNeverThrown() {
        publishBug = new NullPointerException("boom");
        RecordResult r = process("m1", envelope("air", "AIR/x", new byte[0], ""));
        assertEquals(Outcome.Kind.RETRY, r.outcome().kind());
        assertEquals(ErrorCode.INTERNAL_ERROR, r.outcome().code());
    }
}
