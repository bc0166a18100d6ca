package dev.iotbridge.function.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the records of one batch concurrently on a bounded pool (BRIDGE_MAX_CONCURRENCY
 * threads), so a batch of 10 takes about one publish round trip. Results come back in
 * record order. A record still running at the deadline is reported as DEADLINE_EXCEEDED
 * (retried), never the whole batch.
 */
public final class BatchProcessor {

    /** A record as taken from the SQS event. */
    public record InRecord(String messageId, String body) {
    }

    private final RecordProcessor processor;
    private final ExecutorService executor;

    public BatchProcessor(RecordProcessor processor, ExecutorService executor) {
        this.processor = processor;
        this.executor = executor;
    }

    /** @param deadlineNanos System.nanoTime() by which results are needed; Long.MAX_VALUE for none */
    public List<RecordResult> processAll(List<InRecord> records, long deadlineNanos) {
        List<Future<RecordResult>> futures = new ArrayList<>(records.size());
        List<RecordResult> results = new ArrayList<>(records.size());
        for (InRecord r : records) {
            try {
                futures.add(executor.submit(() -> processor.process(r.messageId(), r.body())));
            } catch (RuntimeException e) { // rejected: pool shut down
                futures.add(null);
            }
        }
        for (int i = 0; i < records.size(); i++) {
            InRecord r = records.get(i);
            Future<RecordResult> f = futures.get(i);
            if (f == null) {
                results.add(failed(r, ErrorCode.INTERNAL_ERROR, "could not schedule the record"));
                continue;
            }
            try {
                long wait = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadlineNanos - System.nanoTime());
                results.add(wait == Long.MAX_VALUE ? f.get() : f.get(wait, TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                f.cancel(true);
                results.add(failed(r, ErrorCode.DEADLINE_EXCEEDED, "not finished before the invocation deadline"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                results.add(failed(r, ErrorCode.DEADLINE_EXCEEDED, "interrupted while waiting for the record"));
            } catch (ExecutionException | CancellationException e) {
                results.add(failed(r, ErrorCode.INTERNAL_ERROR, "record task failed: " + e));
            }
        }
        return results;
    }

    private static RecordResult failed(InRecord r, ErrorCode code, String detail) {
        return new RecordResult(r.messageId(), null, null, null, false, Outcome.retry(code, detail), null, null);
    }
}
