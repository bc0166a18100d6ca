package dev.iotbridge.function.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.iotbridge.contract.Route;

class TopicMappingTest {

    static Route route(String filter, String strip, String add) {
        return new Route("r", filter, "", strip, add, 1, false);
    }

    @Test
    void destinationIsAddPrefixPlusTopicWithoutStripPrefix() throws Exception {
        assertEquals("bridged/site1/temp", MqttTopics.destinationTopic(route("GROUND/v1/#", "GROUND/v1/", "bridged/"), "GROUND/v1/site1/temp"));
        assertEquals("GROUND/v1/site1/temp", MqttTopics.destinationTopic(route("GROUND/v1/#", "", ""), "GROUND/v1/site1/temp"));
        assertEquals("acct-a/GROUND/x", MqttTopics.destinationTopic(route("GROUND/#", "", "acct-a/"), "GROUND/x"));
        assertEquals("x", MqttTopics.destinationTopic(route("GROUND/#", "GROUND/", ""), "GROUND/x"));
    }

    @Test
    void topicNotStartingWithStripPrefixIsAPrefixMismatch() {
        // filter GROUND/v1/# also matches the parent "GROUND/v1", which lacks the trailing slash
        BridgeException e = assertThrows(BridgeException.class,
                () -> MqttTopics.destinationTopic(route("GROUND/v1/#", "GROUND/v1/", ""), "GROUND/v1"));
        assertEquals(ErrorCode.PREFIX_MISMATCH, e.code());
    }

    @Test
    void destinationTopicIsValidatedToo() {
        assertEquals(ErrorCode.TOPIC_EMPTY, assertThrows(BridgeException.class,
                () -> MqttTopics.destinationTopic(route("GROUND/#", "GROUND/x", ""), "GROUND/x")).code());
        assertEquals(ErrorCode.TOPIC_TOO_MANY_LEVELS, assertThrows(BridgeException.class,
                () -> MqttTopics.destinationTopic(route("#", "", "p/q/"), "a/b/c/d/e/f/g")).code());
        assertEquals(ErrorCode.TOPIC_TOO_LONG, assertThrows(BridgeException.class,
                () -> MqttTopics.destinationTopic(route("#", "", "p".repeat(200)), "t".repeat(100))).code());
    }
}
