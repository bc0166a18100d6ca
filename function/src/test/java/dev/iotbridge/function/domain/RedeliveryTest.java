package dev.iotbridge.function.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Backoff and last-chance quarantine of the records a batch reported for retry. */
class RedeliveryTest {
    static final long NOW = 1_800_000_000_000L;
    static final String ARN = "arn:aws:sqs:eu-west-1:123456789012:iot-bridge";

    final List<RetryScheduler.Delay> scheduled = new ArrayList<>();
    final List<String> quarantined = new ArrayList<>();
    boolean schedulerFails;
    boolean quarantineFails;

    final RetryScheduler scheduler = (delays, deadline) -> {
        if (schedulerFails) {
            throw new IllegalStateException("sqs down");
        }
        scheduled.addAll(delays);
        Set<String> ids = new HashSet<>();
        delays.forEach(d -> ids.add(d.messageId()));
        return ids;
    };
    final QuarantineSink sink = (id, body, code, detail, route, deadline) -> {
        if (quarantineFails) {
            throw new BridgeException(ErrorCode.QUARANTINE_FAILED, "dlq down");
        }
        quarantined.add(id + "|" + code + "|" + route + "|" + body + "|" + detail);
    };
    final Redelivery redelivery = new Redelivery(new RetryPolicy(new RetryBackoff(60, 900), 5, 86_400), scheduler, sink,
            () -> NOW, () -> 0.0);

    static BatchProcessor.InRecord in(String id, int receiveCount, long sent) {
        return new BatchProcessor.InRecord(id, "body-" + id, new Delivery(ARN, "handle-" + id, receiveCount, sent));
    }

    static RecordResult result(String id, Outcome o) {
        return new RecordResult(id, "ground", "GROUND/x", "GROUND/x", false, o, null, null);
    }

    @Test
    void transientFailuresComeBackAfterTheirBackoffAndStayInBatchItemFailures() {
        List<BatchProcessor.InRecord> recs = List.of(in("a", 1, NOW - 5_000), in("b", 3, NOW - 5_000), in("c", 1, NOW));
        List<RecordResult> res = List.of(result("a", Outcome.retry(ErrorCode.PUBLISH_THROTTLED, "429")),
                result("b", Outcome.retry(ErrorCode.PUBLISH_SERVER_ERROR, "503")), result("c", Outcome.published()));
        List<RecordResult> out = redelivery.settle(recs, res, Deadline.none());
        assertEquals(List.of(Outcome.Kind.RETRY, Outcome.Kind.RETRY, Outcome.Kind.PUBLISHED),
                out.stream().map(r -> r.outcome().kind()).toList());
        assertEquals(List.of(new RetryScheduler.Delay("a", recs.get(0).delivery(), 60),
                new RetryScheduler.Delay("b", recs.get(1).delivery(), 240)), scheduled, "one call for the whole batch");
        assertEquals(ErrorCode.PUBLISH_THROTTLED, out.get(0).outcome().code(), "throttling backs off the same way");
        assertTrue(out.get(1).outcome().detail().endsWith("(next try in 240 s)"), out.get(1).outcome().detail());
        assertTrue(quarantined.isEmpty());
    }

    @Test
    void aRecordOnItsLastAllowedReceiveIsQuarantinedWithItsLastErrorCodeAndDetail() {
        List<BatchProcessor.InRecord> recs = List.of(in("a", 5, NOW - 5_000), in("b", 4, NOW - 5_000));
        List<RecordResult> res = List.of(result("a", Outcome.retry(ErrorCode.PUBLISH_SERVER_ERROR, "HTTP 503 down")),
                result("b", Outcome.retry(ErrorCode.PUBLISH_SERVER_ERROR, "HTTP 503 down")));
        List<RecordResult> out = redelivery.settle(recs, res, Deadline.none());
        assertEquals(Outcome.Kind.QUARANTINED, out.get(0).outcome().kind(), "not left to the redrive policy");
        assertEquals(ErrorCode.PUBLISH_SERVER_ERROR, out.get(0).outcome().code());
        assertEquals(1, quarantined.size());
        String q = quarantined.get(0);
        assertTrue(q.startsWith("a|PUBLISH_SERVER_ERROR|ground|body-a|gave up retrying: receive 5 was its last"), q);
        assertTrue(q.endsWith("last error PUBLISH_SERVER_ERROR: HTTP 503 down"), q);
        assertEquals(Outcome.Kind.RETRY, out.get(1).outcome().kind(), "receive 4 of 5 still backs off");
        assertEquals(1, scheduled.size());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ErrorCode.class, names = {"PUBLISH_UNAUTHORIZED", "PUBLISH_FORBIDDEN"})
    void anAuthorizationErrorIsRetriedWhileReceivesAreLeftAndQuarantinedWithItsCodeOnTheLast(ErrorCode code) {
        List<BatchProcessor.InRecord> recs = List.of(in("early", 1, NOW - 5_000), in("last", 5, NOW - 5_000));
        List<RecordResult> res = List.of(result("early", Outcome.retry(code, "not authorized")),
                result("last", Outcome.retry(code, "not authorized")));
        List<RecordResult> out = redelivery.settle(recs, res, Deadline.none());
        assertEquals(Outcome.Kind.RETRY, out.get(0).outcome().kind(), "an IAM change may still be propagating");
        assertEquals(Outcome.Kind.QUARANTINED, out.get(1).outcome().kind());
        assertEquals(code, out.get(1).outcome().code());
        assertEquals(1, quarantined.size());
        assertTrue(quarantined.get(0).startsWith("last|" + code + "|ground|body-last|gave up retrying"), quarantined.get(0));
    }

    @Test
    void aRecordAboutToExpireIsQuarantinedInsteadOfLostToRetention() {
        long sent = NOW - (86_400 - 100) * 1000L;
        List<RecordResult> out = redelivery.settle(List.of(in("old", 2, sent)),
                List.of(result("old", Outcome.retry(ErrorCode.PUBLISH_TIMEOUT, "slow"))), Deadline.none());
        assertEquals(Outcome.Kind.QUARANTINED, out.get(0).outcome().kind());
        assertTrue(quarantined.get(0).contains("would expire before its next receive"), quarantined.get(0));
        assertTrue(scheduled.isEmpty());
    }

    @Test
    void aFailedLastChanceQuarantineStaysRetriedNeverDropped() {
        quarantineFails = true;
        List<RecordResult> out = redelivery.settle(List.of(in("a", 5, NOW)),
                List.of(result("a", Outcome.retry(ErrorCode.PUBLISH_SERVER_ERROR, "503"))), Deadline.none());
        assertEquals(Outcome.Kind.RETRY, out.get(0).outcome().kind());
        assertEquals(ErrorCode.QUARANTINE_FAILED, out.get(0).outcome().code());
        assertTrue(out.get(0).outcome().detail().contains("PUBLISH_SERVER_ERROR"));
    }

    @Test
    void aFailingSchedulerLeavesTheRecordToTheVisibilityTimeout() {
        schedulerFails = true;
        List<RecordResult> out = redelivery.settle(List.of(in("a", 1, NOW)),
                List.of(result("a", Outcome.retry(ErrorCode.PUBLISH_THROTTLED, "429"))), Deadline.none());
        assertEquals(Outcome.Kind.RETRY, out.get(0).outcome().kind());
        assertTrue(out.get(0).outcome().detail().contains("visibility timeout"), out.get(0).outcome().detail());
    }

    @Test
    void aRecordWithoutReceiptHandleIsRetriedWithoutADelay() {
        List<RecordResult> out = redelivery.settle(List.of(new BatchProcessor.InRecord("a", "b")),
                List.of(result("a", Outcome.retry(ErrorCode.PUBLISH_THROTTLED, "429"))), Deadline.none());
        assertEquals(Outcome.Kind.RETRY, out.get(0).outcome().kind());
        assertTrue(scheduled.isEmpty());
        assertTrue(quarantined.isEmpty(), "unknown receive count and age: never given up");
    }
}
