package dev.iotbridge.function.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Settles the records of a batch that failed transiently (outcome RETRY), once the batch is
 * over. Each one either
 * <ul>
 * <li>comes back after its backoff delay ({@link RetryPolicy}; one ChangeMessageVisibilityBatch
 * per ten records through the {@link RetryScheduler}) and stays in {@code batchItemFailures}, or</li>
 * <li>is on its last chance (last allowed receive, or about to expire) and is quarantined with its
 * last error code and detail, so that the DLQ never receives a record without a
 * {@code BridgeErrorCode}. If that quarantine fails, it stays RETRY (QUARANTINE_FAILED).</li>
 * </ul>
 * Never throws.
 */
public final class Redelivery {
    private final RetryPolicy policy;
    private final RetryScheduler scheduler;
    private final QuarantineSink quarantine;
    private final LongSupplier clock;
    private final DoubleSupplier random;

    public Redelivery(RetryPolicy policy, RetryScheduler scheduler, QuarantineSink quarantine, LongSupplier clock,
            DoubleSupplier random) {
        this.policy = policy;
        this.scheduler = scheduler;
        this.quarantine = quarantine;
        this.clock = clock;
        this.random = random;
    }

    /**
     * @param records       the batch as received, in the order of {@code results}
     * @param deadline      by which the SQS calls must be over
     * @return the results with every RETRY settled (same order)
     */
    public List<RecordResult> settle(List<BatchProcessor.InRecord> records, List<RecordResult> results,
            Deadline deadline) {
        List<RecordResult> out = new ArrayList<>(results);
        List<RetryScheduler.Delay> delays = new ArrayList<>();
        List<Integer> delayed = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            RecordResult r = out.get(i);
            if (r.outcome().kind() != Outcome.Kind.RETRY) {
                continue;
            }
            BatchProcessor.InRecord in = records.get(i);
            Delivery d = in.delivery();
            RetryPolicy.Decision decision;
            try {
                decision = policy.decide(d.receiveCount(), d.sentTimestampMillis(), clock.getAsLong(), random.getAsDouble());
            } catch (RuntimeException e) {
                continue; // keep the plain RETRY: it comes back after the visibility timeout
            }
            if (decision instanceof RetryPolicy.GiveUp g) {
                out.set(i, giveUp(in, r, g.why(), deadline));
            } else if (decision instanceof RetryPolicy.RetryAfter a && d.receiptHandle() != null && d.queueArn() != null) {
                delays.add(new RetryScheduler.Delay(r.messageId(), d, a.seconds()));
                delayed.add(i);
            }
        }
        if (delays.isEmpty()) {
            return out;
        }
        Set<String> done;
        try {
            done = scheduler.delay(delays, deadline);
        } catch (RuntimeException e) {
            done = Set.of();
        }
        for (int k = 0; k < delays.size(); k++) {
            int i = delayed.get(k);
            RecordResult r = out.get(i);
            String next = done.contains(r.messageId()) ? "next try in " + delays.get(k).seconds() + " s"
                    : "next try after the queue's visibility timeout (its delay could not be set)";
            out.set(i, r.withOutcome(Outcome.retry(r.outcome().code(), r.outcome().detail() + " (" + next + ")")));
        }
        return out;
    }

    private RecordResult giveUp(BatchProcessor.InRecord in, RecordResult r, String why, Deadline deadline) {
        ErrorCode code = r.outcome().code();
        String detail = "gave up retrying: " + why + "; last error " + code + ": " + r.outcome().detail();
        try {
            quarantine.quarantine(r.messageId(), in.body(), code, detail, r.route(), deadline);
            return r.withOutcome(Outcome.quarantined(code, detail));
        } catch (BridgeException q) {
            return r.withOutcome(Outcome.retry(ErrorCode.QUARANTINE_FAILED, q.detail() + "; " + detail));
        } catch (RuntimeException q) {
            return r.withOutcome(Outcome.retry(ErrorCode.QUARANTINE_FAILED, "quarantine failed: " + q + "; " + detail));
        }
    }
}
