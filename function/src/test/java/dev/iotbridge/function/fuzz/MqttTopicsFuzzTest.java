package dev.iotbridge.function.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.TopicRules;
import dev.iotbridge.function.domain.BridgeException;
import dev.iotbridge.function.domain.MqttTopics;

/**
 * Fuzzes topic validation ({@link MqttTopics}) and filter matching ({@link Route#matches}) with arbitrary UTF-16 strings
 * (lone surrogates and control characters included). A topic name is refused only with a
 * {@link BridgeException}; an accepted name obeys every AWS IoT rule the class cites; a valid
 * filter is described by {@code filterProblem == null}; matching never throws, and a valid
 * name used as a filter matches itself.
 */
class MqttTopicsFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void topicRules(FuzzedDataProvider data) {
        String filter = data.consumeString(300);
        String topic = data.consumeRemainingAsString();

        boolean validName;
        try {
            MqttTopics.validateTopicName(topic, "source");
            validName = true;
        } catch (BridgeException e) {
            assertNotNull(e.code());
            assertNotNull(e.detail());
            validName = false;
        }
        if (validName) {
            assertFalse(topic.isEmpty());
            assertTrue(topic.getBytes(StandardCharsets.UTF_8).length <= TopicRules.MAX_TOPIC_BYTES, "at most 256 bytes");
            assertTrue(topic.chars().filter(c -> c == '/').count() <= TopicRules.MAX_SLASHES, "at most 7 slashes");
            assertFalse(topic.contains("+") || topic.contains("#"), "no wildcard");
            assertFalse(topic.startsWith("$"), "not reserved");
            assertTrue(topic.chars().noneMatch(c -> c <= 0x1F || (c >= 0x7F && c <= 0x9F)), "no control character");
            assertTrue(wellFormedUtf16(topic), "no unpaired surrogate");
            assertEquals(null, TopicRules.filterProblem(topic), "a valid topic name is a valid filter");
            assertTrue(asFilter(topic).matches(topic), "a topic name used as a filter matches itself");
        }

        String problem = TopicRules.filterProblem(filter);
        if (problem == null) {
            assertFalse(filter.isEmpty());
            assertFalse(filter.startsWith("$"));
            assertTrue(wellFormedUtf16(filter), "no unpaired surrogate in a valid filter");
            boolean matched = asFilter(filter).matches(topic);
            if (filter.equals("#")) {
                assertTrue(matched, "'#' matches every topic");
            }
            if (!filter.contains("+") && !filter.contains("#")) {
                assertEquals(filter.equals(topic), matched, "a filter without wildcards matches only itself");
            }
        }
    }

    /** Filter matching, through the route that uses it (where the matching code lives is not this test's business). */
    private static Route asFilter(String filter) {
        return new Route("fuzz", filter, "", "", "", 1, false);
    }

    private static boolean wellFormedUtf16(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
