package dev.iotbridge.function.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeParserTest {

    static String v1(String payloadB64, String extra) {
        return "{\"v\":1,\"route\":\"ground\",\"topic\":\"GROUND/v1/site1/temp\",\"payload\":\"" + payloadB64
                + "\",\"ts\":1767225600123,\"clientId\":\"sensor-7\"" + extra + "}";
    }

    static ErrorCode codeOf(String body) {
        return assertThrows(BridgeException.class, () -> EnvelopeParser.parse(body)).code();
    }

    @Test
    void binaryPayloadWithEveryByteValueRoundTripsExactly() throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        Envelope e = EnvelopeParser.parse(v1(Base64.getEncoder().encodeToString(all), ""));
        assertArrayEquals(all, e.payload());
        assertFalse(e.legacy());
    }

    @Test
    void emptyPayloadIsAnEmptyByteArray() throws Exception {
        assertEquals(0, EnvelopeParser.parse(v1("", "")).payload().length);
    }

    @Test
    void documentedMqtt5ExampleIsParsedWithAllProperties() throws Exception {
        String body = """
                {"v":1,"route":"ground","topic":"GROUND/v1/site1/cmd","payload":"aGVsbG8=","ts":1767225600456,
                 "clientId":"gw-1","contentType":"text/plain","payloadFormatIndicator":"UTF8_DATA",
                 "responseTopic":"GROUND/v1/site1/reply","correlationData":"cmVxLTQy",
                 "userProperties":[{"a":"1"},{"a":"2"},{"src":"gw"}]}""";
        Envelope e = EnvelopeParser.parse(body);
        assertEquals("ground", e.route());
        assertEquals("GROUND/v1/site1/cmd", e.topic());
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), e.payload());
        assertEquals(1767225600456L, e.ts());
        assertEquals("gw-1", e.clientId());
        assertEquals("text/plain", e.contentType());
        assertEquals("UTF8_DATA", e.payloadFormatIndicator());
        assertEquals("GROUND/v1/site1/reply", e.responseTopic());
        assertEquals("cmVxLTQy", e.correlationData());
        assertEquals(List.of(new Envelope.UserProperty("a", "1"), new Envelope.UserProperty("a", "2"),
                new Envelope.UserProperty("src", "gw")), e.userProperties());
    }

    @Test
    void mqtt311MessageHasNoPropertiesAndUnspecifiedBytesIsAccepted() throws Exception {
        Envelope e = EnvelopeParser.parse(v1("eyJ0IjoyMS41fQ==", ",\"payloadFormatIndicator\":\"UNSPECIFIED_BYTES\""));
        assertEquals("UNSPECIFIED_BYTES", e.payloadFormatIndicator());
        assertNull(e.contentType());
        assertTrue(e.userProperties().isEmpty());
    }

    /** Found by EnvelopeFuzzTest: these escaped as NumberFormatException (INTERNAL_ERROR, retried) before. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"v\":99e999999999999999999999,\"route\":\"ground\",\"topic\":\"GROUND/v1/a\",\"payload\":\"\",\"ts\":1}",
            "{\"t\":1e4000000000,\"topic\":\"GROUND/v1/a\"}"})
    void numbersWithAnExponentTooLargeAreInvalidJson(String body) {
        assertEquals(ErrorCode.INVALID_JSON, codeOf(body));
    }

    @Test
    void unknownExtraFieldsAreIgnored() throws Exception {
        assertEquals("ground", EnvelopeParser.parse(v1("", ",\"future\":{\"x\":1}")).route());
    }

    @Test
    void legacyShapeIsRepublishedWithoutTheAddedTopicField() throws Exception {
        Envelope e = EnvelopeParser.parse("{\"t\":21.5,\"unit\":\"C\",\"topic\":\"GROUND/v1/site1/temp\"}");
        assertTrue(e.legacy());
        assertNull(e.route());
        assertNull(e.ts());
        assertEquals("GROUND/v1/site1/temp", e.topic());
        assertEquals("{\"t\":21.5,\"unit\":\"C\"}", new String(e.payload(), StandardCharsets.UTF_8));
    }

    @Test
    void legacyNumbersAreRepublishedExactlyAsWritten() throws Exception {
        Envelope e = EnvelopeParser.parse(
                "{\"reading\":0.12345678901234567890123,\"big\":1e400,\"n\":12345678901234567890,\"topic\":\"GROUND/v1/x\"}");
        assertEquals("{\"reading\":0.12345678901234567890123,\"big\":1E+400,\"n\":12345678901234567890}",
                new String(e.payload(), StandardCharsets.UTF_8));
        // trailing zeros are part of what the device wrote
        Envelope z = EnvelopeParser.parse("{\"t\":21.50,\"z\":0.0,\"topic\":\"GROUND/v1/x\"}");
        assertEquals("{\"t\":21.50,\"z\":0.0}", new String(z.payload(), StandardCharsets.UTF_8));
    }

    @Test
    void bodyThatIsNotJsonIsInvalidJson() {
        assertEquals(ErrorCode.INVALID_JSON, codeOf("not json"));
        assertEquals(ErrorCode.INVALID_JSON, codeOf(""));
        assertEquals(ErrorCode.INVALID_JSON, codeOf("{\"v\":1} trailing"));
        assertEquals(ErrorCode.INVALID_JSON, codeOf("{\"v\":1,\"v\":1}"));
    }

    @Test
    void jsonThatIsNotAnObjectOrHasNoTopicIsAnInvalidEnvelope() {
        assertEquals(ErrorCode.INVALID_ENVELOPE, codeOf("[1,2]"));
        assertEquals(ErrorCode.INVALID_ENVELOPE, codeOf("\"text\""));
        assertEquals(ErrorCode.INVALID_ENVELOPE, codeOf("{\"t\":1}"));
        assertEquals(ErrorCode.INVALID_ENVELOPE, codeOf("{\"t\":1,\"topic\":5}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "version 2 is unsupported                 | {\"v\":2,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1} | UNSUPPORTED_VERSION",
            "version 0 is unsupported                 | {\"v\":0,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1} | UNSUPPORTED_VERSION",
            "version as string                        | {\"v\":\"1\",\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1} | INVALID_ENVELOPE",
            "version as decimal                       | {\"v\":1.0,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1} | INVALID_ENVELOPE",
            "missing route                            | {\"v\":1,\"topic\":\"a\",\"payload\":\"\",\"ts\":1} | INVALID_ENVELOPE",
            "route not a string                       | {\"v\":1,\"route\":7,\"topic\":\"a\",\"payload\":\"\",\"ts\":1} | INVALID_ENVELOPE",
            "missing topic                            | {\"v\":1,\"route\":\"r\",\"payload\":\"\",\"ts\":1} | INVALID_ENVELOPE",
            "null topic                               | {\"v\":1,\"route\":\"r\",\"topic\":null,\"payload\":\"\",\"ts\":1} | INVALID_ENVELOPE",
            "missing payload                          | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"ts\":1} | INVALID_ENVELOPE",
            "payload not a string                     | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":{},\"ts\":1} | INVALID_ENVELOPE",
            "payload not base64                       | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"***\",\"ts\":1} | INVALID_PAYLOAD_ENCODING",
            "payload base64 with line break           | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"aGVs\\nbG8=\",\"ts\":1} | INVALID_PAYLOAD_ENCODING",
            "payload url-safe alphabet                | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"-_-_\",\"ts\":1} | INVALID_PAYLOAD_ENCODING",
            "missing ts                               | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\"} | INVALID_ENVELOPE",
            "ts as string                             | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":\"1\"} | INVALID_ENVELOPE",
            "ts as decimal                            | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1.5} | INVALID_ENVELOPE",
            "ts negative                              | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":-1} | INVALID_ENVELOPE",
            "clientId not a string                    | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"clientId\":1} | INVALID_ENVELOPE",
            "contentType not a string                 | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"contentType\":1} | INVALID_MQTT_PROPERTY",
            "format indicator as number               | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"payloadFormatIndicator\":1} | INVALID_MQTT_PROPERTY",
            "format indicator unknown value           | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"payloadFormatIndicator\":\"UTF8\"} | INVALID_MQTT_PROPERTY",
            "response topic with wildcard             | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"responseTopic\":\"a/#\"} | INVALID_MQTT_PROPERTY",
            "correlation data not base64              | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"correlationData\":\"%%\"} | INVALID_MQTT_PROPERTY",
            "user properties as object                | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"userProperties\":{\"a\":\"1\"}} | INVALID_MQTT_PROPERTY",
            "user property value not a string         | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"userProperties\":[{\"a\":1}]} | INVALID_MQTT_PROPERTY",
            "user property item not an object         | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"userProperties\":[\"a\"]} | INVALID_MQTT_PROPERTY",
            "user property item empty object          | {\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"userProperties\":[{}]} | INVALID_MQTT_PROPERTY",
    })
    void malformedEnvelopeFieldsGiveDistinctErrorCodes(String name, String body, ErrorCode expected) {
        assertEquals(expected, codeOf(body), name);
    }

    @Test
    void errorDetailsNeverEchoPayloadValues() {
        BridgeException e = assertThrows(BridgeException.class, () -> EnvelopeParser
                .parse("{\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":{\"secret\":\"s3cr3t\"},\"ts\":1}"));
        assertFalse(e.detail().contains("s3cr3t"), e.detail());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "$aws/things/x/shadow/update", "a/b/c/d/e/f/g/h/i/j", "/leading", "été/😀" })
    void aResponseTopicNeedsOnlyWhatThePublishApiAsks(String responseTopic) throws BridgeException {
        // "A UTF-8 encoded string ... must not contain wildcard characters": $-reserved and deep topics pass
        Envelope e = EnvelopeParser.parse("{\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"responseTopic\":\""
                + responseTopic + "\"}");
        assertEquals(responseTopic, e.responseTopic());
    }

    @Test
    void aResponseTopicThatIsNotUtf8OrHasAWildcardIsRefused() {
        assertEquals(ErrorCode.INVALID_MQTT_PROPERTY,
                codeOf("{\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"responseTopic\":\"a/\\ud800\"}"));
        assertEquals(ErrorCode.INVALID_MQTT_PROPERTY,
                codeOf("{\"v\":1,\"route\":\"r\",\"topic\":\"a\",\"payload\":\"\",\"ts\":1,\"responseTopic\":\"a/+/b\"}"));
    }
}
