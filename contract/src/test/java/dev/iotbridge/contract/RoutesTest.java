package dev.iotbridge.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RoutesTest {

    static String problems(String json) {
        return assertThrows(IllegalArgumentException.class, () -> Routes.parse(json)).getMessage();
    }

    @Test
    void defaultsApplyWhenKeysAreMissingOrNull() {
        Routes routes = Routes.parse("""
                [{"name":"ground","source_filter":"GROUND/v1/#"},
                 {"name":"air","source_filter":"AIR/#","condition":null,"strip_prefix":null,"add_prefix":null,"qos":null,"retain":null}]""");
        for (Route r : routes.all()) {
            assertEquals(1, r.qos());
            assertFalse(r.retain());
            assertEquals("", r.stripPrefix());
            assertEquals("", r.addPrefix());
            assertEquals("", r.condition());
        }
    }

    @Test
    void allKeysAreRead() {
        Route r = Routes.parse("""
                [{"name":"g_1","source_filter":"GROUND/v1/#","condition":"t > 5","strip_prefix":"GROUND/",
                  "add_prefix":"bridged/","qos":0,"retain":true}]""").byName("g_1").orElseThrow();
        assertEquals(new Route("g_1", "GROUND/v1/#", "t > 5", "GROUND/", "bridged/", 0, true), r);
    }

    @Test
    void routesKeepTheirOrderForLegacyMatching() {
        Routes routes = Routes.parse("""
                [{"name":"specific","source_filter":"a/b/#"},{"name":"all","source_filter":"#"}]""");
        assertEquals("specific", routes.firstMatching("a/b/c").orElseThrow().name());
        assertEquals("all", routes.firstMatching("x").orElseThrow().name());
    }

    @Test
    void notJsonOrNotAnArrayOrEmptyIsRejected() {
        assertTrue(problems("nope").contains("not valid JSON"));
        assertTrue(problems("{}").contains("JSON array"));
        assertTrue(problems("[]").contains("no route"));
        assertTrue(problems(" ").contains("empty"));
    }

    @Test
    void nameMustMatchThePatternAndBeUnique() {
        assertTrue(problems("[{\"name\":\"bad-name\",\"source_filter\":\"a\"}]").contains("[A-Za-z0-9_]+"));
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a\"},{\"name\":\"a\",\"source_filter\":\"b\"}]")
                .contains("duplicate"));
        assertTrue(problems("[{\"source_filter\":\"a\"}]").contains("name is required"));
    }

    @Test
    void sourceFilterMustBeAValidMqttFilter() {
        assertTrue(problems("[{\"name\":\"a\"}]").contains("source_filter is required"));
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a/#/b\"}]").contains("not a valid MQTT topic filter"));
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"$aws/#\"}]").contains("not a valid MQTT topic filter"));
    }

    @Test
    void qosMustBeZeroOrOneAndRetainABoolean() {
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a\",\"qos\":2}]").contains("qos must be 0 or 1"));
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a\",\"qos\":\"1\"}]").contains("qos must be 0 or 1"));
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a\",\"qos\":4294967297}]").contains("qos must be 0 or 1"));
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a\",\"qos\":4294967296}]").contains("qos must be 0 or 1"));
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a\",\"retain\":\"yes\"}]").contains("retain must be"));
    }

    @Test
    void stripPrefixMustMatchTheStartOfTheFilter() {
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"GROUND/v1/#\",\"strip_prefix\":\"AIR/\"}]")
                .contains("strip_prefix 'AIR/' must match"));
        Routes.parse("[{\"name\":\"a\",\"source_filter\":\"GROUND/v1/#\",\"strip_prefix\":\"GROUND/v1/\"}]");
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a/+/b\",\"strip_prefix\":\"a/x/\"}]").contains("must match"));
    }

    @Test
    void addPrefixMustNotIntroduceWildcardsOrReservedTopics() {
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a\",\"add_prefix\":\"x/#/\"}]").contains("wildcards"));
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a\",\"add_prefix\":\"$aws/\"}]").contains("reserved"));
    }

    @Test
    void aFixedFilterWhoseOnlyDestinationCannotBePublishedFailsAtStartUp() {
        // strip_prefix removes the whole (wildcard-free) topic: every message would be TOPIC_EMPTY.
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a/b\",\"strip_prefix\":\"a/b\"}]")
                .contains("TOPIC_EMPTY"));
        // 4 + 4 slashes: over AWS IoT's 7.
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a/b/c/d/e\",\"add_prefix\":\"w/x/y/z/\"}]")
                .contains("TOPIC_TOO_MANY_LEVELS"));
        Routes.parse("[{\"name\":\"a\",\"source_filter\":\"a/b\",\"strip_prefix\":\"a/\"}]");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String p = problems("[{\"name\":\"bad-1\",\"source_filter\":\"a/#/b\",\"qos\":5},{\"name\":7}]");
        assertTrue(p.contains("[A-Za-z0-9_]+"), p);
        assertTrue(p.contains("not a valid MQTT topic filter"), p);
        assertTrue(p.contains("qos"), p);
        assertTrue(p.contains("name must be a string"), p);
    }

    @Test
    void unknownKeysAreWarningsNotErrors() {
        Routes r = Routes.parse("[{\"name\":\"a\",\"source_filter\":\"a\",\"strip_prefx\":\"x\"}]");
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).contains("strip_prefx"));
    }

    @Test
    void routesAreReadAsStrictlyAsRecordBodies() {
        // one JSON reader for the function: a duplicate key is an error, not "the last one wins"
        assertTrue(problems("[{\"name\":\"a\",\"name\":\"b\",\"source_filter\":\"a\"}]").contains("Duplicate field 'name'"));
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a\"}] x").contains("not valid JSON"));
    }

    @Test
    void addPrefixFollowsTheTopicCharacterRule() {
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a\",\"add_prefix\":\"x\\u0007/\"}]")
                .contains("add_prefix contains control character U+0007"));
        assertTrue(problems("[{\"name\":\"a\",\"source_filter\":\"a\",\"add_prefix\":\"x\\ud800/\"}]")
                .contains("add_prefix contains an unpaired surrogate"));
    }
}
