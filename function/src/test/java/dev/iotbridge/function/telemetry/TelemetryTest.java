package dev.iotbridge.function.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.iotbridge.function.domain.ErrorCode;
import dev.iotbridge.function.domain.Outcome;
import dev.iotbridge.function.domain.RecordResult;

class TelemetryTest {
    static final ObjectMapper M = new ObjectMapper();
    final Telemetry telemetry = new Telemetry(System.out, "IotBridge", RecordLog.ALL);

    static RecordResult published(String id, long latency, long age) {
        return new RecordResult(id, "ground", "GROUND/a", "acct/a", false, Outcome.published(), latency, age);
    }

    @Test
    void recordLineHasTheOutcomeFieldsAndNoPayload() throws Exception {
        JsonNode n = M.readTree(telemetry.recordLine(new RecordResult("m1", "ground", "GROUND/a", null, false,
                Outcome.quarantined(ErrorCode.TOPIC_WILDCARD, "source topic contains an MQTT wildcard"), null, null)));
        assertEquals("m1", n.get("messageId").asText());
        assertEquals("ground", n.get("route").asText());
        assertEquals("GROUND/a", n.get("sourceTopic").asText());
        assertTrue(n.get("destinationTopic").isNull());
        assertEquals("QUARANTINED", n.get("outcome").asText());
        assertEquals("TOPIC_WILDCARD", n.get("errorCode").asText());
        assertFalse(n.has("payload"));
    }

    @Test
    void emfDocumentDeclaresAllMetricsAndCounts() throws Exception {
        List<RecordResult> results = List.of(published("a", 12, 340), published("b", 15, 350),
                new RecordResult("c", "ground", "GROUND/c", "acct/c", false, Outcome.retry(ErrorCode.PUBLISH_THROTTLED, "429"), 3L, null),
                new RecordResult("d", null, null, null, false, Outcome.quarantined(ErrorCode.INVALID_JSON, "x"), null, null));
        List<String> docs = telemetry.emfDocuments(results, 1767225600000L);
        assertEquals(1, docs.size());
        JsonNode d = M.readTree(docs.get(0));
        JsonNode directive = d.get("_aws").get("CloudWatchMetrics").get(0);
        assertEquals(1767225600000L, d.get("_aws").get("Timestamp").asLong());
        assertEquals("IotBridge", directive.get("Namespace").asText());
        assertEquals("Service", directive.get("Dimensions").get(0).get(0).asText());
        List<String> names = new ArrayList<>();
        directive.get("Metrics").forEach(m -> names.add(m.get("Name").asText()));
        assertEquals(List.of("Published", "Retried", "Quarantined", "PublishLatency", "EndToEndAge"), names);
        assertEquals(2, d.get("Published").asInt());
        assertEquals(1, d.get("Retried").asInt());
        assertEquals(1, d.get("Quarantined").asInt());
        assertEquals("[12,15,3]", d.get("PublishLatency").toString());
        assertEquals("[340,350]", d.get("EndToEndAge").toString());
        assertEquals("iot-bridge", d.get("Service").asText());
    }

    @Test
    void largeBatchesAreSplitIntoDocumentsOfAtMost100Values() throws Exception {
        List<RecordResult> results = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            results.add(published("m" + i, i, i));
        }
        List<String> docs = telemetry.emfDocuments(results, 1L);
        assertEquals(3, docs.size());
        assertEquals(250, M.readTree(docs.get(0)).get("Published").asInt());
        assertEquals(100, M.readTree(docs.get(0)).get("PublishLatency").size());
        assertFalse(M.readTree(docs.get(1)).has("Published"));
        assertEquals(50, M.readTree(docs.get(2)).get("EndToEndAge").size());
    }

    @Test
    void batchWritesOneLinePerRecordThenTheMetrics() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        new Telemetry(new PrintStream(buf, true, StandardCharsets.UTF_8), "N", RecordLog.ALL).batch(List.of(published("a", 1, 2)), 5L);
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].contains("\"messageId\":\"a\""));
        assertTrue(lines[1].startsWith("{\"_aws\""));
    }

    @Test
    void failuresOnlyLeavesOutThePublishedRecordsButCountsThemAll() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        new Telemetry(new PrintStream(buf, true, StandardCharsets.UTF_8), "N", RecordLog.FAILURES).batch(List.of(
                published("a", 1, 2),
                new RecordResult("b", "ground", "GROUND/b", "acct/b", false, Outcome.retry(ErrorCode.PUBLISH_THROTTLED, "429"), 3L, null),
                new RecordResult("c", null, null, null, false, Outcome.quarantined(ErrorCode.INVALID_JSON, "x"), null, null),
                published("d", 1, 2)), 5L);
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(3, lines.length, String.join("\n", lines));
        assertTrue(lines[0].contains("\"messageId\":\"b\""), lines[0]);
        assertTrue(lines[1].contains("\"messageId\":\"c\""), lines[1]);
        JsonNode emf = M.readTree(lines[2]);
        assertEquals(2, emf.get("Published").asLong());
        assertEquals(1, emf.get("Retried").asLong());
        assertEquals(1, emf.get("Quarantined").asLong());
    }

    @Test
    void recordLogIsAllOrFailuresInAnyCase() {
        assertEquals(RecordLog.ALL, RecordLog.parse("all"));
        assertEquals(RecordLog.FAILURES, RecordLog.parse(" Failures "));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RecordLog.parse("none"));
        assertTrue(e.getMessage().contains("set all") && e.getMessage().contains("failures"), e.getMessage());
    }
}
