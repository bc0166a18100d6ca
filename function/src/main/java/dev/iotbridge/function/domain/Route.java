package dev.iotbridge.function.domain;

import dev.iotbridge.topics.TopicFilter;

/** One route (docs/interfaces.md#routes) as the destination side enforces it; {@code condition} is for the source rule. */
public record Route(String name, String sourceFilter, String condition, String stripPrefix, String addPrefix,
        int qos, boolean retain) {

    public boolean matches(String topic) {
        return TopicFilter.matches(sourceFilter, topic);
    }

    /**
     * Destination topic = add_prefix + (source topic without strip_prefix). The source topic
     * must start with strip_prefix (else PREFIX_MISMATCH) and the result must be a valid topic name.
     */
    public String destinationTopic(String sourceTopic) throws BridgeException {
        if (!sourceTopic.startsWith(stripPrefix)) {
            throw new BridgeException(ErrorCode.PREFIX_MISMATCH,
                    "source topic " + sourceTopic + " does not start with strip_prefix '" + stripPrefix + "' of route " + name);
        }
        String destination = addPrefix + sourceTopic.substring(stripPrefix.length());
        MqttTopics.validateTopicName(destination, "destination");
        return destination;
    }
}
