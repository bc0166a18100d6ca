package dev.iotbridge.function.domain;

import java.nio.charset.StandardCharsets;

import dev.iotbridge.topics.TopicFilter;

/**
 * AWS IoT Core topic rules: topic names and filters are UTF-8, at most 256 bytes and at most
 * 7 forward slashes (8 levels); names starting with {@code $} are reserved; topic names carry
 * no wildcards. Control characters (U+0000-U+001F, U+007F-U+009F) and unpaired surrogates
 * are refused outright. Matching a filter against a topic is MQTT's, not AWS's: {@link TopicFilter}.
 */
public final class MqttTopics {
    public static final int MAX_TOPIC_BYTES = 256;
    public static final int MAX_SLASHES = 7;

    private MqttTopics() {
    }

    /** Validates a topic NAME (a concrete topic, as published). {@code role} is "source"/"destination"/... for the detail. */
    public static void validateTopicName(String topic, String role) throws BridgeException {
        if (topic == null || topic.isEmpty()) {
            throw new BridgeException(ErrorCode.TOPIC_EMPTY, role + " topic is empty");
        }
        checkCharacters(topic, role);
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            throw new BridgeException(ErrorCode.TOPIC_WILDCARD,
                    role + " topic contains an MQTT wildcard (+ or #): " + topic);
        }
        if (topic.charAt(0) == '$') {
            throw new BridgeException(ErrorCode.TOPIC_RESERVED, role + " topic is reserved ($...): " + topic);
        }
        checkSize(topic, role);
    }

    /**
     * Validates an MQTT 5 response topic exactly as the iot-data Publish API states it:
     * "A UTF-8 encoded string ... The topic must not contain wildcard characters." It names the
     * topic a receiver replies on, not the topic being published, so the topic-name policy of
     * {@link #validateTopicName} ($-reserved, 256 bytes, 8 levels) does not apply to it.
     */
    public static void validateResponseTopic(String topic) throws BridgeException {
        String why = utf8Problem(topic);
        if (why != null) {
            throw new BridgeException(ErrorCode.TOPIC_INVALID_CHARACTER, "response topic " + why);
        }
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            throw new BridgeException(ErrorCode.TOPIC_WILDCARD, "response topic contains an MQTT wildcard (+ or #): " + topic);
        }
    }

    /** Validates a topic FILTER (route source_filter). Returns null when valid, else the reason. */
    public static String filterProblem(String filter) {
        if (filter == null || filter.isEmpty()) {
            return "is empty";
        }
        try {
            checkCharacters(filter, "filter");
            checkSize(filter, "filter");
        } catch (BridgeException e) {
            return e.detail();
        }
        if (filter.charAt(0) == '$') {
            return "starts with '$' (reserved topics cannot be bridged)";
        }
        return TopicFilter.wildcardProblem(filter);
    }

    /**
     * Add_prefix is the start of every destination topic of its route: it must not introduce
     * what a topic name may not contain. Returns null when valid, else the reason.
     */
    public static String prefixProblem(String prefix) {
        String why = characterProblem(prefix);
        if (why != null) {
            return why;
        }
        if (prefix.indexOf('+') >= 0 || prefix.indexOf('#') >= 0) {
            return "must not contain wildcards";
        }
        return prefix.startsWith("$") ? "must not start with '$' (reserved topics)" : null;
    }

    /**
     * The one character rule for topics, filters and prefixes: no control character
     * (U+0000-U+001F, U+007F-U+009F) and nothing that is not UTF-8 (an unpaired surrogate).
     * Returns null when the text passes, else the reason.
     */
    static String characterProblem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x1F || (c >= 0x7F && c <= 0x9F)) {
                return "contains control character U+" + String.format("%04X", (int) c) + " at index " + i;
            }
        }
        return utf8Problem(s);
    }

    /** An unpaired surrogate (a JSON escape can carry one) has no UTF-8 encoding. Returns null when there is none. */
    private static String utf8Problem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "contains an unpaired surrogate at index " + i;
            }
        }
        return null;
    }

    private static void checkCharacters(String s, String role) throws BridgeException {
        String why = characterProblem(s);
        if (why != null) {
            throw new BridgeException(ErrorCode.TOPIC_INVALID_CHARACTER, role + " topic " + why);
        }
    }

    private static void checkSize(String s, String role) throws BridgeException {
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_TOPIC_BYTES) {
            throw new BridgeException(ErrorCode.TOPIC_TOO_LONG,
                    role + " topic is " + bytes + " bytes in UTF-8, the AWS IoT limit is " + MAX_TOPIC_BYTES);
        }
        long slashes = s.chars().filter(ch -> ch == '/').count();
        if (slashes > MAX_SLASHES) {
            throw new BridgeException(ErrorCode.TOPIC_TOO_MANY_LEVELS,
                    role + " topic has " + slashes + " forward slashes, the AWS IoT limit is " + MAX_SLASHES + " (8 levels)");
        }
    }
}
