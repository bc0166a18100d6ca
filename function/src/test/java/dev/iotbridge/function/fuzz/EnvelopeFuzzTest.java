package dev.iotbridge.function.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.Routes;
import dev.iotbridge.function.domain.BridgeException;
import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.Envelope;
import dev.iotbridge.function.domain.EnvelopeParser;
import dev.iotbridge.function.domain.ErrorCode;
import dev.iotbridge.function.domain.MqttTopics;
import dev.iotbridge.function.domain.Outcome;
import dev.iotbridge.function.domain.PublishCommand;
import dev.iotbridge.function.domain.RecordProcessor;
import dev.iotbridge.function.domain.RecordResult;

/**
 * Fuzzes SQS record bodies: {@link #parse} the envelope parser alone, {@link #process} one record
 * end to end (parser → routes → topic policy → mapping) through the real {@link RecordProcessor}
 * with an in-memory publisher and DLQ.
 *
 * <p>The only documented way to refuse a body is a {@link BridgeException} (code + detail). Any
 * other exception, an accepted envelope that breaks the {@link Envelope} contract, an
 * {@code INTERNAL_ERROR} outcome (a RuntimeException escaped the domain code) or a publish the
 * routes do not allow is a finding: the destination is the security boundary.
 *
 * <p>Seeds: the bodies of {@code corpus/bad-inputs.json}, in {@code EnvelopeFuzzTestInputs/} (shared
 * by both methods); the corpus grown by {@code make fuzz}, in {@code EnvelopeFuzzTestInputs/<method>/}.
 * {@code make test} replays all of them.
 */
class EnvelopeFuzzTest {
    /** The bad-input corpus' routes (the seeds are written for them) plus a '+' filter with strip_prefix. */
    static final Routes ROUTES = corpusRoutesAnd(
            "{\"name\":\"plus\",\"source_filter\":\"P/+/state\",\"strip_prefix\":\"P/\",\"qos\":0,\"retain\":true}");

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"\"v\"", "\"route\"", "\"topic\"", "\"payload\"", "\"ts\"", "\"clientId\"", "\"contentType\"",
            "\"payloadFormatIndicator\"", "\"responseTopic\"", "\"correlationData\"", "\"userProperties\"",
            "\"UTF8_DATA\"", "\"UNSPECIFIED_BYTES\"", "\\u0000", "\\ud800", "$aws/", "GROUND/v1/", "/#", "+",
            "1e400", "-0", "null", "true", "[]", "{}", "==", "\"iot-bridge-hop\""})
    void parse(byte[] input) {
        String body = new String(input, StandardCharsets.UTF_8);
        Envelope env;
        try {
            env = EnvelopeParser.parse(body);
        } catch (BridgeException e) {
            assertNotNull(e.code(), "a BridgeException always names its code");
            assertNotNull(e.detail(), "a BridgeException always has a detail");
            return;
        }
        assertNotNull(env.topic(), "an accepted envelope has a topic");
        assertNotNull(env.payload(), "an accepted envelope has a payload");
        assertNotNull(env.userProperties(), "user properties are never null");
        if (!env.legacy()) {
            assertNotNull(env.route(), "an accepted v1 envelope names its route");
            assertNotNull(env.ts(), "an accepted v1 envelope has ts");
            assertTrue(env.ts() >= 0, "ts is never negative");
        }
        String pfi = env.payloadFormatIndicator();
        assertTrue(pfi == null || pfi.equals(EnvelopeParser.UTF8_DATA) || pfi.equals(EnvelopeParser.UNSPECIFIED_BYTES),
                "payloadFormatIndicator is one of the two MQTT values");
    }

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"{\"v\":1,\"route\":\"ground\",\"topic\":\"GROUND/v1/a\",\"payload\":\"\",\"ts\":1}",
            "\"route\"", "\"topic\"", "\"payload\"", "\"ts\"", "\"userProperties\"", "\"responseTopic\"",
            "\"ground\"", "\"pm\"", "\"deep\"", "\"plus\"", "\"longdst\"", "GROUND/v1/", "PM/v1/", "D/", "P/", "/state",
            "L/", "\"iot-bridge-hop\"", "\\u0000", "\\ud800", "$aws/", "#", "+"})
    void process(byte[] input) {
        String body = new String(input, StandardCharsets.UTF_8);
        List<PublishCommand> published = new ArrayList<>();
        List<ErrorCode> quarantined = new ArrayList<>();
        RecordProcessor processor = new RecordProcessor(ROUTES, (c, deadline) -> published.add(c),
                (id, b, code, detail, route, deadline) -> quarantined.add(code), () -> 0L);

        RecordResult result = processor.process("fuzz-1", body, Deadline.none());
        Outcome outcome = result.outcome();

        assertNotEquals(ErrorCode.INTERNAL_ERROR, outcome.code(),
                "an unexpected exception escaped the domain code: " + outcome.detail());
        switch (outcome.kind()) {
            case PUBLISHED -> {
                assertEquals(1, published.size(), "published exactly once");
                assertTrue(quarantined.isEmpty(), "a published record is not also quarantined");
                PublishCommand cmd = published.get(0);
                try {
                    MqttTopics.validateTopicName(cmd.topic(), "destination");
                } catch (BridgeException e) {
                    fail("published on an invalid topic (" + e.code() + "): " + e.detail());
                }
                Route route = ROUTES.byName(result.route()).orElseThrow();
                assertTrue(route.matches(result.sourceTopic()), "the source topic is inside the route");
                assertEquals(route.addPrefix() + result.sourceTopic().substring(route.stripPrefix().length()),
                        cmd.topic(), "destination = add_prefix + (source without strip_prefix)");
                assertEquals(route.qos(), cmd.qos());
                assertEquals(route.retain(), cmd.retain());
                assertTrue(cmd.payload().length <= RecordProcessor.MAX_PAYLOAD_BYTES, "payload within the IoT limit");
                assertTrue(cmd.userPropertiesJson().contains(RecordProcessor.HOP_PROPERTY), "the hop property is added");
            }
            case QUARANTINED -> {
                assertTrue(published.isEmpty(), "a quarantined record is never published");
                assertEquals(List.of(outcome.code()), quarantined, "quarantined once, with the outcome's code");
                assertNotNull(outcome.detail());
            }
            case RETRY -> fail("nothing here is transient (the publisher never fails), yet: " + outcome);
        }
    }

    private static Routes corpusRoutesAnd(String extraRoute) {
        ObjectMapper json = new ObjectMapper();
        try (InputStream in = EnvelopeFuzzTest.class.getResourceAsStream("/corpus/bad-inputs.json")) {
            ArrayNode routes = (ArrayNode) json.readTree(in).get("routes");
            routes.add(json.readTree(extraRoute));
            return Routes.parse(routes.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
