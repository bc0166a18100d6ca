package dev.iotbridge.function.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.iotbridge.contract.Routes;
import dev.iotbridge.function.aws.SqsQuarantine;
import dev.iotbridge.function.domain.BatchProcessor;
import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.ErrorCode;
import dev.iotbridge.function.domain.Outcome;
import dev.iotbridge.function.domain.PublishCommand;
import dev.iotbridge.function.domain.PublishSlots;
import dev.iotbridge.function.domain.QuarantineSink;
import dev.iotbridge.function.domain.RecordProcessor;
import dev.iotbridge.function.domain.RecordResult;

/**
 * The function refuses every forged input of the bad-input corpus (docs/reliability.md): each "bad" case of
 * {@code corpus/bad-inputs.json} is quarantined with exactly its expected {@link ErrorCode},
 * never published and never retried; each "good" case is published on its expected topic. Runs
 * the real {@link RecordProcessor} / EnvelopeParser / {@link Routes} with an in-memory publisher
 * and DLQ (no network). The same file drives scenario 5 of {@code make chaos} on the local stack.
 */
class BadInputCorpusTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNode CORPUS = load();
    static final Routes ROUTES = Routes.parse(CORPUS.get("routes").toString());
    static final ExecutorService POOL = Executors.newFixedThreadPool(10);

    /** The kinds of bad input the corpus must cover, each by the code that must refuse it. */
    static final Set<ErrorCode> REQUIRED_CODES = EnumSet.of(ErrorCode.INVALID_JSON, ErrorCode.INVALID_ENVELOPE,
            ErrorCode.UNSUPPORTED_VERSION, ErrorCode.INVALID_PAYLOAD_ENCODING, ErrorCode.INVALID_MQTT_PROPERTY,
            ErrorCode.UNKNOWN_ROUTE, ErrorCode.TOPIC_EMPTY, ErrorCode.TOPIC_WILDCARD, ErrorCode.TOPIC_RESERVED,
            ErrorCode.TOPIC_TOO_LONG, ErrorCode.TOPIC_TOO_MANY_LEVELS, ErrorCode.TOPIC_INVALID_CHARACTER,
            ErrorCode.TOPIC_OUTSIDE_ROUTE, ErrorCode.PREFIX_MISMATCH, ErrorCode.LOOP_DETECTED,
            ErrorCode.PAYLOAD_TOO_LARGE);

    final List<PublishCommand> published = Collections.synchronizedList(new ArrayList<>());
    final List<String[]> quarantined = Collections.synchronizedList(new ArrayList<>());
    final QuarantineSink sink = (id, body, code, detail, route, deadline) -> quarantined
            .add(new String[] { id, body, code.name(), detail, route });
    final RecordProcessor processor = new RecordProcessor(ROUTES, (c, deadline) -> published.add(c), sink, () -> 1_767_225_600_500L);

    static JsonNode load() {
        try (InputStream in = BadInputCorpusTest.class.getResourceAsStream("/corpus/bad-inputs.json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The exact SQS body of a case: "body" as is, or "envelope" serialised; then "fill" tokens expanded. */
    static String body(JsonNode c) {
        String s = c.has("body") ? c.get("body").asText() : c.get("envelope").toString();
        JsonNode fill = c.get("fill");
        if (fill != null) {
            for (Map.Entry<String, JsonNode> e : fill.properties()) {
                s = s.replace(e.getKey(), e.getValue().get(0).asText().repeat(e.getValue().get(1).asInt()));
            }
        }
        return s;
    }

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    @Test
    void corpusHasAtLeast30DistinctCasesCoveringEveryKindOfBadInput() {
        Set<String> ids = new HashSet<>();
        Set<String> bodies = new HashSet<>();
        Set<ErrorCode> codes = EnumSet.noneOf(ErrorCode.class);
        for (JsonNode c : CORPUS.get("bad")) {
            assertTrue(ids.add(c.get("id").asText()), "duplicate id " + c.get("id"));
            assertTrue(bodies.add(body(c)), "duplicate body in " + c.get("id"));
            codes.add(ErrorCode.valueOf(c.get("expect").asText()));
        }
        assertTrue(ids.size() >= 30, "only " + ids.size() + " cases");
        Set<ErrorCode> missing = EnumSet.copyOf(REQUIRED_CODES);
        missing.removeAll(codes);
        assertTrue(missing.isEmpty(), "no corpus case for " + missing);
        for (ErrorCode c : codes) {
            assertTrue(!c.transientFailure(), c + " is transient: a bad input must be quarantined, not retried");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputIsQuarantinedWithItsCodeAndNeverPublished() {
        return stream("bad").map(c -> DynamicTest.dynamicTest(c.get("id").asText() + " → " + c.get("expect").asText(),
                () -> {
                    String body = body(c);
                    published.clear();
                    quarantined.clear();
                    RecordResult r = processor.process("msg-" + c.get("id").asText(), body, Deadline.none());
                    assertEquals(Outcome.Kind.QUARANTINED, r.outcome().kind(), "outcome: " + r.outcome());
                    assertEquals(c.get("expect").asText(), r.outcome().code().name(), "code; detail: " + r.outcome().detail());
                    assertTrue(published.isEmpty(), "published " + published);
                    assertEquals(1, quarantined.size());
                    assertEquals(body, quarantined.get(0)[1], "the DLQ body must be the record body unchanged");
                }));
    }

    @TestFactory
    Stream<DynamicTest> everyGoodInputIsPublishedOnItsTopic() {
        return stream("good").map(c -> DynamicTest.dynamicTest(c.get("id").asText(), () -> {
            published.clear();
            quarantined.clear();
            RecordResult r = processor.process("msg-" + c.get("id").asText(), body(c), Deadline.none());
            assertEquals(Outcome.Kind.PUBLISHED, r.outcome().kind(), "outcome: " + r.outcome());
            assertEquals(1, published.size());
            assertEquals(c.get("expectTopic").asText(), published.get(0).topic());
            assertTrue(quarantined.isEmpty());
        }));
    }

    /** All cases in ONE batch (as scenario 5 puts them on the queue): each gets its own outcome. */
    @Test
    void aMixedBatchQuarantinesEachBadRecordAndPublishesEachGoodOne() {
        List<BatchProcessor.InRecord> records = new ArrayList<>();
        stream("bad").forEach(c -> records.add(new BatchProcessor.InRecord("bad:" + c.get("id").asText(), body(c))));
        stream("good").forEach(c -> records.add(new BatchProcessor.InRecord("good:" + c.get("id").asText(), body(c))));
        Collections.shuffle(records, new java.util.Random(7));
        List<RecordResult> results = new BatchProcessor(processor, POOL, null, new PublishSlots(Integer.MAX_VALUE, Integer.MAX_VALUE))
                .processAll(records, Deadline.none(), Deadline.none());
        assertEquals(records.size(), results.size());
        for (RecordResult r : results) {
            if (r.messageId().startsWith("good:")) {
                assertEquals(Outcome.Kind.PUBLISHED, r.outcome().kind(), r.messageId() + ": " + r.outcome());
            } else {
                assertEquals(Outcome.Kind.QUARANTINED, r.outcome().kind(), r.messageId() + ": " + r.outcome());
            }
        }
        assertEquals(CORPUS.get("good").size(), published.size());
        assertEquals(CORPUS.get("bad").size(), quarantined.size());
    }

    /** What the real SqsQuarantine writes as attributes must be acceptable to SQS (no control chars, no lone surrogates). */
    @Test
    void quarantineAttributesOfEveryCaseAreValidSqsStrings() throws Exception {
        var sanitize = SqsQuarantine.class.getDeclaredMethod("sanitize", String.class);
        sanitize.setAccessible(true);
        stream("bad").forEach(c -> processor.process("msg-" + c.get("id").asText(), body(c), Deadline.none()));
        for (String[] q : quarantined) {
            for (int i : new int[] { 2, 3, 4 }) {
                if (q[i] == null) {
                    continue;
                }
                String v = (String) sanitize.invoke(null, q[i]);
                for (int k = 0; k < v.length(); k++) {
                    char ch = v.charAt(k);
                    boolean ok = ch == 0x9 || ch == 0xA || ch == 0xD || (ch >= 0x20 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD)
                            || (Character.isHighSurrogate(ch) && k + 1 < v.length() && Character.isLowSurrogate(v.charAt(++k)));
                    if (!ok) {
                        fail("attribute " + i + " of " + q[0] + " holds U+" + Integer.toHexString(ch) + ": " + v);
                    }
                }
            }
        }
    }

    static Stream<JsonNode> stream(String key) {
        List<JsonNode> l = new ArrayList<>();
        CORPUS.get(key).forEach(l::add);
        return l.stream();
    }
}
