package dev.iotbridge.contract;

import java.nio.charset.StandardCharsets;

/**
 * AWS IoT Core topic rules: topic names and filters are UTF-8, at most 256 bytes and at most
 * 7 forward slashes (8 levels); names starting with {@code $} are reserved; topic names carry
 * no wildcards. Control characters (U+0000-U+001F, U+007F-U+009F) and unpaired surrogates
 * are refused outright. Matching a filter against a topic is MQTT's, not AWS's: {@link TopicFilter}.
 */
public final class TopicRules {
    public static final int MAX_TOPIC_BYTES = 256;
    public static final int MAX_SLASHES = 7;

    /** Which rule a topic breaks, named as the function's error code for it (function/README.md#outcomes-and-error-codes). */
    public enum Rule { TOPIC_EMPTY, TOPIC_INVALID_CHARACTER, TOPIC_WILDCARD, TOPIC_RESERVED, TOPIC_TOO_LONG, TOPIC_TOO_MANY_LEVELS }

    /** A broken rule and the reason, worded for the record's log line or the start-up error. */
    public record Violation(Rule rule, String detail) {
    }

    private TopicRules() {
    }

    /** A topic NAME (a concrete topic, as published): null when valid. {@code role} ("source", "destination") starts the detail. */
    public static Violation nameViolation(String topic, String role) {
        if (topic == null || topic.isEmpty()) {
            return new Violation(Rule.TOPIC_EMPTY, role + " topic is empty");
        }
        Violation v = characters(topic, role);
        if (v != null) {
            return v;
        }
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            return new Violation(Rule.TOPIC_WILDCARD, role + " topic contains an MQTT wildcard (+ or #): " + topic);
        }
        if (topic.charAt(0) == '$') {
            return new Violation(Rule.TOPIC_RESERVED, role + " topic is reserved ($...): " + topic);
        }
        return size(topic, role);
    }

    /**
     * An MQTT 5 response topic exactly as the iot-data Publish API states it: "A UTF-8 encoded
     * string ... The topic must not contain wildcard characters." It names the topic a receiver
     * replies on, not the topic being published, so the topic-name policy of
     * {@link #nameViolation} ($-reserved, 256 bytes, 8 levels) does not apply to it. Null when valid.
     */
    public static Violation responseTopicViolation(String topic) {
        String why = utf8Problem(topic);
        if (why != null) {
            return new Violation(Rule.TOPIC_INVALID_CHARACTER, "response topic " + why);
        }
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            return new Violation(Rule.TOPIC_WILDCARD, "response topic contains an MQTT wildcard (+ or #): " + topic);
        }
        return null;
    }

    /** A topic FILTER (route source_filter): null when valid, else the reason. */
    public static String filterProblem(String filter) {
        if (filter == null || filter.isEmpty()) {
            return "is empty";
        }
        Violation v = characters(filter, "filter");
        if (v == null) {
            v = size(filter, "filter");
        }
        if (v != null) {
            return v.detail();
        }
        if (filter.charAt(0) == '$') {
            return "starts with '$' (reserved topics cannot be bridged)";
        }
        return TopicFilter.wildcardProblem(filter);
    }

    /**
     * Add_prefix is the start of every destination topic of its route: it must not introduce
     * what a topic name may not contain. Null when valid, else the reason.
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
     * Null when the text passes, else the reason.
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

    /** An unpaired surrogate (a JSON escape can carry one) has no UTF-8 encoding. Null when there is none. */
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

    private static Violation characters(String s, String role) {
        String why = characterProblem(s);
        return why == null ? null : new Violation(Rule.TOPIC_INVALID_CHARACTER, role + " topic " + why);
    }

    private static Violation size(String s, String role) {
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_TOPIC_BYTES) {
            return new Violation(Rule.TOPIC_TOO_LONG,
                    role + " topic is " + bytes + " bytes in UTF-8, the AWS IoT limit is " + MAX_TOPIC_BYTES);
        }
        long slashes = s.chars().filter(ch -> ch == '/').count();
        if (slashes > MAX_SLASHES) {
            return new Violation(Rule.TOPIC_TOO_MANY_LEVELS,
                    role + " topic has " + slashes + " forward slashes, the AWS IoT limit is " + MAX_SLASHES + " (8 levels)");
        }
        return null;
    }
}
