package dev.iotbridge.function.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the records of one batch concurrently on a bounded pool (BRIDGE_MAX_CONCURRENCY
 * threads; how many publish at once ramps up to that in a fresh environment, {@link PublishSlots}),
 * so a batch of 10 takes about one publish round trip. Results come back in
 * record order. A record still running at the deadline is reported as DEADLINE_EXCEEDED
 * (retried), never the whole batch; its publish is bounded by the same deadline (the adapters
 * abort their HTTP call then), and the batch waits for it to end, so nothing of the batch is in
 * flight once {@link #processAll} returns. Records that failed transiently are then settled by
 * the {@link Redelivery} (backoff, or quarantine on their last chance).
 */
public final class BatchProcessor {

    /** A record as taken from the SQS event. */
    public record InRecord(String messageId, String body, Delivery delivery) {
        public InRecord(String messageId, String body) {
            this(messageId, body, Delivery.UNKNOWN);
        }
    }

    private final RecordProcessor processor;
    private final ExecutorService executor;
    private final Redelivery redelivery;
    private final PublishSlots slots;
    private final AtomicInteger running = new AtomicInteger();

    /**
     * @param redelivery settles the RETRY records of each batch; null leaves them to the queue's visibility timeout
     * @param slots      how many records run at once (at most the executor's threads)
     */
    public BatchProcessor(RecordProcessor processor, ExecutorService executor, Redelivery redelivery, PublishSlots slots) {
        this.processor = processor;
        this.executor = executor;
        this.redelivery = redelivery;
        this.slots = slots;
    }

    /** Record tasks executing right now (0 between batches: nothing outlives its batch). */
    public int running() {
        return running.get();
    }

    /**
     * @param publishBy by which every record is published or given up for this invocation (DEADLINE_EXCEEDED)
     * @param settleBy  by which the retry bookkeeping (backoff, last-chance quarantine) must be over;
     *                  not before {@code publishBy}
     */
    public List<RecordResult> processAll(List<InRecord> records, Deadline publishBy, Deadline settleBy) {
        List<Task> tasks = new ArrayList<>(records.size());
        List<RecordResult> results = new ArrayList<>(records.size());
        CountDownLatch ended = new CountDownLatch(records.size());
        for (InRecord r : records) {
            Task t = new Task(r, publishBy, ended);
            try {
                t.future = executor.submit(t::run);
            } catch (RuntimeException e) { // rejected: pool shut down
                t.skip();
            }
            tasks.add(t);
        }
        for (Task t : tasks) {
            InRecord r = t.record;
            if (t.future == null) {
                results.add(failed(r, ErrorCode.INTERNAL_ERROR, "could not schedule the record"));
                continue;
            }
            try {
                RecordResult got = publishBy.await(t.future);
                results.add(got != null ? got : failed(r, ErrorCode.INTERNAL_ERROR, "record task did not run"));
            } catch (TimeoutException e) {
                t.cancel();
                results.add(failed(r, ErrorCode.DEADLINE_EXCEEDED, "not finished before the invocation deadline"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                t.cancel();
                results.add(failed(r, ErrorCode.DEADLINE_EXCEEDED, "interrupted while waiting for the record"));
            } catch (ExecutionException | CancellationException e) {
                results.add(failed(r, ErrorCode.INTERNAL_ERROR, "record task failed: " + e));
            }
        }
        awaitEnd(ended, settleBy);
        return redelivery == null ? results : redelivery.settle(records, results, settleBy);
    }

    /**
     * A cancelled task's thread may still be inside its publish for a moment: cancel(true) does not
     * stop a blocking socket read, the publish's own deadline-bound timeout does. Wait for that,
     * so that a record reported for retry is not published after the handler returned.
     */
    private static void awaitEnd(CountDownLatch ended, Deadline until) {
        try {
            until.await(ended);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One record's task; {@code ended} counts down exactly once: when it ran, or when it will never run. */
    private final class Task {
        private static final int WAITING = 0;
        private static final int RUNNING = 1;
        private static final int DONE = 2;
        final InRecord record;
        final Deadline publishBy;
        final CountDownLatch ended;
        final AtomicInteger state = new AtomicInteger(WAITING);
        Future<RecordResult> future;

        Task(InRecord record, Deadline publishBy, CountDownLatch ended) {
            this.record = record;
            this.publishBy = publishBy;
            this.ended = ended;
        }

        RecordResult run() {
            if (!state.compareAndSet(WAITING, RUNNING)) {
                return null; // cancelled before it started
            }
            running.incrementAndGet();
            try {
                if (!slots.acquire(publishBy)) {
                    return failed(record, ErrorCode.DEADLINE_EXCEEDED, "no publish slot came free before the invocation deadline");
                }
                try {
                    if (publishBy.passed()) {
                        return failed(record, ErrorCode.DEADLINE_EXCEEDED, "a publish slot came free only at the invocation deadline");
                    }
                    return processor.process(record.messageId(), record.body(), publishBy);
                } finally {
                    slots.release();
                }
            } finally {
                running.decrementAndGet();
                state.set(DONE);
                ended.countDown();
            }
        }

        /** Not started yet: it never will. Running: interrupt it; its deadline-bound calls end it soon. */
        void cancel() {
            if (state.compareAndSet(WAITING, DONE)) {
                ended.countDown();
            }
            future.cancel(true);
        }

        void skip() {
            if (state.compareAndSet(WAITING, DONE)) {
                ended.countDown();
            }
        }
    }

    private static RecordResult failed(InRecord r, ErrorCode code, String detail) {
        return RecordResult.unread(r.messageId(), Outcome.retry(code, detail));
    }
}
