package dev.iotbridge.function.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    static final long NOW = 1_800_000_000_000L;
    final RetryPolicy policy = new RetryPolicy(new RetryBackoff(60, 900), 10, 86_400);

    @Test
    void aFailedRecordIsRetriedAfterItsBackoffDelay() {
        assertEquals(new RetryPolicy.RetryAfter(60), policy.decide(1, NOW - 1000, NOW, 0.0));
        assertEquals(new RetryPolicy.RetryAfter(240), policy.decide(3, NOW - 1000, NOW, 0.0));
        assertEquals(new RetryPolicy.RetryAfter(450), policy.decide(9, NOW - 1000, NOW, 0.999_999));
    }

    @Test
    void itsLastAllowedReceiveIsGivenUp() {
        RetryPolicy.GiveUp g = assertInstanceOf(RetryPolicy.GiveUp.class, policy.decide(10, NOW - 1000, NOW, 0.0));
        assertTrue(g.why().contains("max_receive_count is 10"), g.why());
        assertInstanceOf(RetryPolicy.GiveUp.class, policy.decide(11, NOW - 1000, NOW, 0.0), "past it too (a lowered setting)");
        assertInstanceOf(RetryPolicy.RetryAfter.class, policy.decide(9, NOW - 1000, NOW, 0.0));
    }

    @Test
    void anUnknownMaxReceiveCountNeverGivesUpForTheCount() {
        RetryPolicy unknown = new RetryPolicy(new RetryBackoff(60, 900), 0, 86_400);
        assertInstanceOf(RetryPolicy.RetryAfter.class, unknown.decide(500, NOW - 1000, NOW, 0.0));
    }

    @Test
    void aRecordThatWouldExpireBeforeItsNextReceiveIsGivenUp() {
        long sent = NOW - (86_400 - 900) * 1000L; // 900 s of retention left
        assertInstanceOf(RetryPolicy.RetryAfter.class, policy.decide(3, sent, NOW, 0.0), "240 s + 60 s < 900 s left");
        RetryPolicy.GiveUp g = assertInstanceOf(RetryPolicy.GiveUp.class, policy.decide(5, sent, NOW, 0.0));
        assertTrue(g.why().contains("would expire"), g.why());
        assertInstanceOf(RetryPolicy.GiveUp.class, policy.decide(5, sent + 60_000, NOW, 0.0),
                "visible again 900 s from now, with exactly one base delay (60 s) left to be received: too late");
        assertInstanceOf(RetryPolicy.RetryAfter.class, policy.decide(5, sent + 60_001, NOW, 0.0));
    }

    @Test
    void anUnknownSentTimeNeverGivesUpForAge() {
        assertInstanceOf(RetryPolicy.RetryAfter.class, policy.decide(3, 0, NOW, 0.0));
    }
}
