package dev.iotbridge.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicFilterTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "GROUND/v1/#, GROUND/v1/site1/temp, true",
            "GROUND/v1/#, GROUND/v1, true",
            "GROUND/v1/#, GROUND/v2/x, false",
            "GROUND/+/temp, GROUND/site1/temp, true",
            "GROUND/+/temp, GROUND/site1/x/temp, false",
            "GROUND/+, GROUND/, true",
            "a/b, a/b, true",
            "a/b, a/b/c, false",
            "a/b/c, a/b, false",
            "#, anything/at/all, true",
            "+/+, a/b, true",
            "+/+, a, false",
            "a/+/c, a/b/c, true",
            "+/x, $aws/x, false",
            "#, $SYS/broker, false",
            "$aws/+, $aws/x, true",
    })
    void topicFilterMatchingFollowsMqtt(String filter, String topic, boolean expected) {
        assertEquals(expected, TopicFilter.matches(filter, topic));
    }

    @Test
    void wildcardsMustStandWhereMqttAllowsThem() {
        assertNull(TopicFilter.wildcardProblem("GROUND/v1/#"));
        assertNull(TopicFilter.wildcardProblem("+/x/+"));
        assertNull(TopicFilter.wildcardProblem("#"));
        assertNull(TopicFilter.wildcardProblem("$aws/things/+/shadow/update"));
        assertNotNull(TopicFilter.wildcardProblem("a/#/b"));
        assertNotNull(TopicFilter.wildcardProblem("a/b#"));
        assertNotNull(TopicFilter.wildcardProblem("a/b+/c"));
    }

    @Test
    void literalPrefixStopsAtTheFirstWildcard() {
        assertEquals("GROUND/v1/", TopicFilter.literalPrefix("GROUND/v1/#"));
        assertEquals("a/", TopicFilter.literalPrefix("a/+/c"));
        assertEquals("a/b", TopicFilter.literalPrefix("a/b"));
        assertTrue(TopicFilter.literalPrefix("#").isEmpty());
        assertFalse(TopicFilter.matches("a/b", "a/c"));
    }
}
