package dev.iotbridge.function.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.iotbridge.function.telemetry.RecordLog;

class BridgeSettingsTest {

    @BeforeAll
    static void region() {
        System.setProperty("aws.region", "us-east-1");
    }

    static BridgeVariables config(Map<String, String> values) {
        return TestConfig.bridgeVariables(values);
    }

    static Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put("routes", "[{\"name\":\"ground\",\"source_filter\":\"GROUND/#\"}]");
        m.put("iot-endpoint", "https://abc-ats.iot.eu-west-1.amazonaws.com");
        m.put("dlq-url", "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq");
        return m;
    }

    @Test
    void defaultsApplyToOptionalVariables() {
        BridgeSettings s = BridgeSettings.from(config(valid()));
        assertEquals(10, s.maxConcurrency());
        assertEquals(Duration.ofSeconds(3), s.publishTimeout());
        assertEquals(2, s.publishMaxAttempts());
        assertEquals("IotBridge", s.metricsNamespace());
        assertEquals(RecordLog.ALL, s.recordLog());
        assertEquals(1, s.routes().all().size());
    }

    @Test
    void recordLogIsReadAndABadOneIsNamed() {
        Map<String, String> m = valid();
        m.put("record-log", "failures");
        assertEquals(RecordLog.FAILURES, BridgeSettings.from(config(m)).recordLog());
        m.put("record-log", "some");
        String msg = assertThrows(IllegalStateException.class, () -> BridgeSettings.from(config(m))).getMessage();
        assertTrue(msg.contains("BRIDGE_RECORD_LOG='some' is not a record log setting; set all"), msg);
    }

    @Test
    void retrySettingsDefaultToTheDestinationModulesBackoffAndAnUnknownMaxReceiveCount() {
        var p = BridgeSettings.from(config(valid())).retryPolicy();
        assertEquals(60, p.backoff().baseSeconds());
        assertEquals(900, p.backoff().capSeconds());
        assertEquals(0, p.maxReceiveCount(), "unset: the function never gives up for the receive count");
        assertEquals(345_600, p.retentionSeconds());
    }

    @Test
    void retrySettingsAreReadAsTheDestinationModuleWritesThem() {
        Map<String, String> m = valid();
        m.put("max-receive-count", "60");
        m.put("backoff-base", "30s");
        m.put("backoff-cap", "15m");
        m.put("message-retention", "345600s");
        var p = BridgeSettings.from(config(m)).retryPolicy();
        assertEquals(60, p.maxReceiveCount());
        assertEquals(30, p.backoff().baseSeconds());
        assertEquals(900, p.backoff().capSeconds());
        assertEquals(345_600, p.retentionSeconds());
    }

    @Test
    void badRetrySettingsAreReportedTogetherNamingEachVariable() {
        Map<String, String> m = valid();
        m.put("max-receive-count", "-1");
        m.put("backoff-base", "500ms");
        m.put("backoff-cap", "13h");
        m.put("message-retention", "soon");
        String msg = assertThrows(IllegalStateException.class, () -> BridgeSettings.from(config(m))).getMessage();
        assertTrue(msg.contains("BRIDGE_MAX_RECEIVE_COUNT=-1"), msg);
        assertTrue(msg.contains("BRIDGE_BACKOFF_BASE='500ms' is not a whole number of seconds"), msg);
        assertTrue(msg.contains("BRIDGE_BACKOFF_CAP='13h'"), msg);
        assertTrue(msg.contains("BRIDGE_MESSAGE_RETENTION='soon'"), msg);

        Map<String, String> inverted = valid();
        inverted.put("backoff-base", "120s");
        inverted.put("backoff-cap", "60s");
        assertTrue(assertThrows(IllegalStateException.class, () -> BridgeSettings.from(config(inverted))).getMessage()
                .contains("BRIDGE_BACKOFF_CAP=60s is shorter than BRIDGE_BACKOFF_BASE=120s"));
    }

    @Test
    void bareEndpointHostFromDescribeEndpointGetsHttps() {
        Map<String, String> m = valid();
        m.put("iot-endpoint", "abc-ats.iot.eu-west-1.amazonaws.com");
        assertEquals(URI.create("https://abc-ats.iot.eu-west-1.amazonaws.com"), BridgeSettings.from(config(m)).iotEndpoint());
    }

    @Test
    void missingRequiredVariablesFailWithOneMessageNamingEachVariable() {
        String msg = assertThrows(IllegalStateException.class, () -> BridgeSettings.from(config(Map.of()))).getMessage();
        assertTrue(msg.contains("BRIDGE_ROUTES is not set"), msg);
        assertTrue(msg.contains("BRIDGE_IOT_ENDPOINT is not set"), msg);
        assertTrue(msg.contains("BRIDGE_DLQ_URL is not set"), msg);
    }

    @Test
    void invalidValuesNameTheVariableAndTheFix() {
        Map<String, String> m = valid();
        m.put("routes", "[{\"name\":\"a-b\",\"source_filter\":\"x\"}]");
        m.put("max-concurrency", "lots");
        m.put("publish-timeout", "soon");
        m.put("publish-max-attempts", "0");
        m.put("sqs-endpoint", "nope");
        String msg = assertThrows(IllegalStateException.class, () -> BridgeSettings.from(config(m))).getMessage();
        assertTrue(msg.contains("BRIDGE_ROUTES is invalid"), msg);
        assertTrue(msg.contains("BRIDGE_MAX_CONCURRENCY='lots' is not an integer"), msg);
        assertTrue(msg.contains("BRIDGE_PUBLISH_TIMEOUT='soon'"), msg);
        assertTrue(msg.contains("BRIDGE_PUBLISH_MAX_ATTEMPTS=0 is out of range"), msg);
        assertTrue(msg.contains("BRIDGE_SQS_ENDPOINT='nope'"), msg);
    }

    @Test
    void durationsAcceptShortAndIsoForms() {
        assertEquals(Duration.ofSeconds(3), BridgeSettings.parseDuration("3s").orElseThrow());
        assertEquals(Duration.ofMillis(500), BridgeSettings.parseDuration("500ms").orElseThrow());
        assertEquals(Duration.ofMinutes(1), BridgeSettings.parseDuration("1m").orElseThrow());
        assertEquals(Duration.ofMillis(2500), BridgeSettings.parseDuration("PT2.5S").orElseThrow());
        assertTrue(BridgeSettings.parseDuration("3 parsecs").isEmpty());
    }

    @Test
    void routesAreReadVerbatimWithoutExpressionExpansion() {
        // SmallRye would expand ${...}: the variable vanished ("not set"), took the default, or lost a '$'.
        for (String prefix : new String[] {"a${x}/", "a${x:y}/", "a$${x}/"}) {
            Map<String, String> m = valid();
            m.put("routes", "[{\"name\":\"ground\",\"source_filter\":\"GROUND/#\",\"add_prefix\":\"" + prefix + "\"}]");
            assertEquals(prefix, BridgeSettings.from(config(m)).routes().all().get(0).addPrefix(), prefix);
        }
    }

    @Test
    void otherSettingsStillExpandExpressions() {
        Map<String, String> m = valid();
        m.put("metrics-namespace", "${bridge.dlq-url:x}");
        assertEquals(valid().get("dlq-url"), BridgeSettings.from(config(m)).metricsNamespace());
    }

    @Test
    void emptyOptionalVariablesTakeTheirDefaults() {
        Map<String, String> m = valid();
        m.put("max-concurrency", "");
        m.put("publish-timeout", "");
        m.put("sqs-endpoint", "");
        BridgeSettings s = BridgeSettings.from(config(m));
        assertEquals(10, s.maxConcurrency());
        assertEquals(Duration.ofSeconds(3), s.publishTimeout());
    }

    @Test
    void emptyRequiredVariablesAreReportedAsNotSet() {
        Map<String, String> m = valid();
        m.put("routes", "");
        m.put("iot-endpoint", " ");
        String msg = assertThrows(IllegalStateException.class, () -> BridgeSettings.from(config(m))).getMessage();
        assertTrue(msg.contains("BRIDGE_ROUTES is not set"), msg);
        assertTrue(msg.contains("BRIDGE_IOT_ENDPOINT"), msg);
    }
}
