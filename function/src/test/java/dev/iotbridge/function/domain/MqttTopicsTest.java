package dev.iotbridge.function.domain;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MqttTopicsTest {

    static ErrorCode rejection(String topic) {
        return assertThrows(BridgeException.class, () -> MqttTopics.validateTopicName(topic, "source")).code();
    }

    @Test
    void ordinaryTopicsAreAccepted() {
        assertDoesNotThrow(() -> MqttTopics.validateTopicName("GROUND/v1/site1/temp", "source"));
        assertDoesNotThrow(() -> MqttTopics.validateTopicName("a/b/c/d/e/f/g/h", "source")); // 7 slashes = 8 levels
        assertDoesNotThrow(() -> MqttTopics.validateTopicName("x".repeat(256), "source"));
        assertDoesNotThrow(() -> MqttTopics.validateTopicName("températures/😀", "source"));
        assertDoesNotThrow(() -> MqttTopics.validateTopicName("/leading/slash", "source"));
    }

    @Test
    void emptyTopicIsRejected() {
        assertEquals(ErrorCode.TOPIC_EMPTY, rejection(""));
        assertEquals(ErrorCode.TOPIC_EMPTY, rejection(null));
    }

    @Test
    void wildcardsAreRejectedInTopicNames() {
        assertEquals(ErrorCode.TOPIC_WILDCARD, rejection("a/+/c"));
        assertEquals(ErrorCode.TOPIC_WILDCARD, rejection("a/#"));
        assertEquals(ErrorCode.TOPIC_WILDCARD, rejection("#"));
        assertEquals(ErrorCode.TOPIC_WILDCARD, rejection("a/b+c"));
    }

    @Test
    void dollarReservedTopicsAreRejected() {
        assertEquals(ErrorCode.TOPIC_RESERVED, rejection("$aws/things/x/shadow/update"));
        assertEquals(ErrorCode.TOPIC_RESERVED, rejection("$SYS/broker"));
    }

    @Test
    void topicsOver256Utf8BytesAreRejected() {
        assertEquals(ErrorCode.TOPIC_TOO_LONG, rejection("x".repeat(257)));
        // 128 two-byte characters = 256 bytes: fine; 129 = 258 bytes: too long
        assertDoesNotThrow(() -> MqttTopics.validateTopicName("é".repeat(128), "source"));
        assertEquals(ErrorCode.TOPIC_TOO_LONG, rejection("é".repeat(129)));
    }

    @Test
    void topicsWithMoreThanSevenSlashesAreRejected() {
        assertEquals(ErrorCode.TOPIC_TOO_MANY_LEVELS, rejection("a/b/c/d/e/f/g/h/i"));
        assertEquals(ErrorCode.TOPIC_TOO_MANY_LEVELS, rejection("////////"));
    }

    @Test
    void nulAndControlCharactersAreRejected() {
        assertEquals(ErrorCode.TOPIC_INVALID_CHARACTER, rejection("a/\u0000/b"));
        assertEquals(ErrorCode.TOPIC_INVALID_CHARACTER, rejection("a/\n"));
        assertEquals(ErrorCode.TOPIC_INVALID_CHARACTER, rejection("a\u007f"));
        assertEquals(ErrorCode.TOPIC_INVALID_CHARACTER, rejection("a\u0085"));
        assertEquals(ErrorCode.TOPIC_INVALID_CHARACTER, rejection("a\ud800b")); // unpaired surrogate
    }

    @Test
    void aResponseTopicFollowsOnlyThePublishApiRule() {
        // iot-data Publish, responseTopic: "A UTF-8 encoded string ... must not contain wildcard characters."
        assertDoesNotThrow(() -> MqttTopics.validateResponseTopic("$aws/things/x/shadow/update"));
        assertDoesNotThrow(() -> MqttTopics.validateResponseTopic("a/b/c/d/e/f/g/h/i/j"));
        assertDoesNotThrow(() -> MqttTopics.validateResponseTopic("x".repeat(300)));
        assertEquals(ErrorCode.TOPIC_WILDCARD,
                assertThrows(BridgeException.class, () -> MqttTopics.validateResponseTopic("a/+/b")).code());
        assertEquals(ErrorCode.TOPIC_WILDCARD,
                assertThrows(BridgeException.class, () -> MqttTopics.validateResponseTopic("a/#")).code());
        assertEquals(ErrorCode.TOPIC_INVALID_CHARACTER,
                assertThrows(BridgeException.class, () -> MqttTopics.validateResponseTopic("a\ud800")).code());
    }
}
