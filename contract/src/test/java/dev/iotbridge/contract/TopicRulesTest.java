package dev.iotbridge.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The rules of filters and prefixes; topic names are tested where they become error codes (the function's MqttTopicsTest). */
class TopicRulesTest {

    @Test
    void filterValidationAcceptsProperFiltersAndExplainsBadOnes() {
        assertNull(TopicRules.filterProblem("GROUND/v1/#"));
        assertNull(TopicRules.filterProblem("+/x/+"));
        assertNull(TopicRules.filterProblem("#"));
        assertEquals("is empty", TopicRules.filterProblem(""));
        assertEquals("'#' must be a whole level and the last one", TopicRules.filterProblem("a/#/b"));
        assertEquals("'#' must be a whole level and the last one", TopicRules.filterProblem("a/b#"));
        assertEquals("'+' must be a whole level", TopicRules.filterProblem("a/b+/c"));
        assertEquals("starts with '$' (reserved topics cannot be bridged)", TopicRules.filterProblem("$aws/#"));
        assertNotNull(TopicRules.filterProblem("a/b/c/d/e/f/g/h/#"));
        assertNotNull(TopicRules.filterProblem("a\u0000"));
    }

    @Test
    void aPrefixMayNotIntroduceWhatATopicNameMayNotContain() {
        assertNull(TopicRules.prefixProblem(""));
        assertNull(TopicRules.prefixProblem("bridged/acct-a/"));
        assertEquals("must not contain wildcards", TopicRules.prefixProblem("a/+/"));
        assertEquals("must not start with '$' (reserved topics)", TopicRules.prefixProblem("$aws/"));
        assertEquals("contains control character U+0000 at index 1", TopicRules.prefixProblem("a\u0000"));
    }

    @Test
    void aTopicNameViolationNamesItsRule() {
        assertNull(TopicRules.nameViolation("GROUND/v1/site1/temp", "source"));
        assertEquals(new TopicRules.Violation(TopicRules.Rule.TOPIC_RESERVED, "destination topic is reserved ($...): $aws/x"),
                TopicRules.nameViolation("$aws/x", "destination"));
    }
}
