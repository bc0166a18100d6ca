package dev.iotbridge.function.domain;

import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.TopicRules;

/**
 * The AWS IoT topic rules of the contract ({@link TopicRules}) as the function enforces them on
 * a record: a broken rule is a {@link BridgeException} with the rule's error code.
 */
public final class MqttTopics {
    private MqttTopics() {
    }

    /** Validates a topic NAME (a concrete topic, as published). {@code role} is "source"/"destination"/... for the detail. */
    public static void validateTopicName(String topic, String role) throws BridgeException {
        refuse(TopicRules.nameViolation(topic, role));
    }

    /** Validates an MQTT 5 response topic ({@link TopicRules#responseTopicViolation}). */
    public static void validateResponseTopic(String topic) throws BridgeException {
        refuse(TopicRules.responseTopicViolation(topic));
    }

    /**
     * Destination topic = add_prefix + (source topic without strip_prefix). The source topic
     * must start with strip_prefix (else PREFIX_MISMATCH) and the result must be a valid topic name.
     */
    public static String destinationTopic(Route route, String sourceTopic) throws BridgeException {
        String destination = route.mappedTopic(sourceTopic).orElseThrow(() -> new BridgeException(ErrorCode.PREFIX_MISMATCH,
                "source topic " + sourceTopic + " does not start with strip_prefix '" + route.stripPrefix() + "' of route "
                        + route.name()));
        validateTopicName(destination, "destination");
        return destination;
    }

    private static void refuse(TopicRules.Violation v) throws BridgeException {
        if (v == null) {
            return;
        }
        ErrorCode code = switch (v.rule()) {
            case TOPIC_EMPTY -> ErrorCode.TOPIC_EMPTY;
            case TOPIC_INVALID_CHARACTER -> ErrorCode.TOPIC_INVALID_CHARACTER;
            case TOPIC_WILDCARD -> ErrorCode.TOPIC_WILDCARD;
            case TOPIC_RESERVED -> ErrorCode.TOPIC_RESERVED;
            case TOPIC_TOO_LONG -> ErrorCode.TOPIC_TOO_LONG;
            case TOPIC_TOO_MANY_LEVELS -> ErrorCode.TOPIC_TOO_MANY_LEVELS;
        };
        throw new BridgeException(code, v.detail());
    }
}
