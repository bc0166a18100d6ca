package dev.iotbridge.function.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SqsQuarantineTest {

    @Test
    void attributeTextIsMadeAcceptableToSqs() {
        assertEquals("topic a/\\u0000/b", SqsQuarantine.sanitize("topic a/\u0000/b"));
        assertEquals("tab\tok \\uFFFF", SqsQuarantine.sanitize("tab\tok \uFFFF"));
        assertEquals("emoji 😀 kept", SqsQuarantine.sanitize("emoji 😀 kept"));
        assertEquals("lone \\uD800", SqsQuarantine.sanitize("lone \ud800"));
    }

    @Test
    void longDetailsAreTruncatedTo1024Characters() {
        String s = SqsQuarantine.sanitize("x".repeat(5000));
        assertEquals(SqsQuarantine.MAX_DETAIL, s.length());
        assertTrue(s.endsWith("..."));
    }
}
