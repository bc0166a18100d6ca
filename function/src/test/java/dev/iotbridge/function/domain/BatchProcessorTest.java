package dev.iotbridge.function.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.iotbridge.contract.Routes;

class BatchProcessorTest {
    static final Routes ROUTES = Routes.parse("[{\"name\":\"air\",\"source_filter\":\"AIR/#\"}]");
    ExecutorService pool;

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    static Deadline in(long millis) {
        return Deadline.in(java.time.Duration.ofMillis(millis));
    }

    /** As many records at once as the pool runs. */
    static PublishSlots noRamp() {
        return new PublishSlots(Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    static List<BatchProcessor.InRecord> records(int n) {
        List<BatchProcessor.InRecord> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new BatchProcessor.InRecord("m" + i, "{\"v\":1,\"route\":\"air\",\"topic\":\"AIR/" + i + "\",\"payload\":\""
                    + Base64.getEncoder().encodeToString(new byte[] { (byte) i }) + "\",\"ts\":1}"));
        }
        return list;
    }

    /** A publisher that takes {@code millis} and records the peak number of calls in flight. */
    static final class SlowPublisher implements Publisher {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final long millis;

        SlowPublisher(long millis) {
            this.millis = millis;
        }

        @Override
        public void publish(PublishCommand c, Deadline deadline) {
            int now = inFlight.incrementAndGet();
            peak.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    @Test
    void concurrencyIsBoundedByThePoolSize() {
        pool = Executors.newFixedThreadPool(3);
        SlowPublisher p = new SlowPublisher(100);
        BatchProcessor batch = new BatchProcessor(new RecordProcessor(ROUTES, p, (a, b, c, d, e, f) -> {
        }, System::currentTimeMillis), pool, null, noRamp());
        List<RecordResult> results = batch.processAll(records(10), Deadline.none(), Deadline.none());
        assertEquals(10, results.size());
        assertEquals(3, p.peak.get());
    }

    @Test
    void tenRecordsRunInParallelWithTenThreads() {
        pool = Executors.newFixedThreadPool(10);
        SlowPublisher p = new SlowPublisher(200);
        BatchProcessor batch = new BatchProcessor(new RecordProcessor(ROUTES, p, (a, b, c, d, e, f) -> {
        }, System::currentTimeMillis), pool, null, noRamp());
        batch.processAll(records(10), Deadline.none(), Deadline.none());
        assertEquals(10, p.peak.get());
    }

    @Test
    void aFreshEnvironmentRampsUpToItsConcurrency() {
        pool = Executors.newFixedThreadPool(8);
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger overLimit = new AtomicInteger();
        SlowPublisher slow = new SlowPublisher(300);
        Publisher p = (c, deadline) -> {
            // slow start: at most 2 + (records finished so far) publish at once
            if (slow.inFlight.get() + 1 > 2 + finished.get()) {
                overLimit.incrementAndGet();
            }
            slow.publish(c, deadline);
            finished.incrementAndGet();
        };
        BatchProcessor batch = new BatchProcessor(new RecordProcessor(ROUTES, p, (a, b, c, d, e, f) -> {
        }, System::currentTimeMillis), pool, null, new PublishSlots(2, 8));
        List<RecordResult> first = batch.processAll(records(3), Deadline.none(), Deadline.none());
        assertTrue(slow.peak.get() <= 2, "the first records of a fresh environment: at most 2 at once");
        assertTrue(first.stream().allMatch(r -> r.outcome().kind() == Outcome.Kind.PUBLISHED));
        List<RecordResult> later = batch.processAll(records(24), Deadline.none(), Deadline.none());
        assertEquals(0, overLimit.get(), "never more at once than the ramp allows");
        assertEquals(8, slow.peak.get(), "ramped up to the maximum");
        assertTrue(later.stream().allMatch(r -> r.outcome().kind() == Outcome.Kind.PUBLISHED));
    }

    @Test
    void aRecordWaitingForASlotAtTheDeadlineIsRetriedWithoutPublishing() {
        pool = Executors.newFixedThreadPool(2);
        AtomicInteger published = new AtomicInteger();
        // the first record holds the only slot well past the deadline, interrupts or not
        Publisher holdsTheSlot = (c, deadline) -> {
            published.incrementAndGet();
            long until = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < until) {
                LockSupport.parkNanos(until - System.nanoTime());
            }
        };
        BatchProcessor batch = new BatchProcessor(new RecordProcessor(ROUTES, holdsTheSlot, (a, b, c, d, e, f) -> {
        }, System::currentTimeMillis), pool, null, new PublishSlots(1, 1));
        Deadline by = in(300);
        List<RecordResult> results = batch.processAll(records(2), by, by);
        assertEquals(Outcome.Kind.RETRY, results.get(1).outcome().kind());
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, results.get(1).outcome().code());
        LockSupport.parkNanos(1_800_000_000L); // the first record is over, its slot free again
        assertEquals(1, published.get(), "the second record never got a slot, and none after the deadline");
    }

    @Test
    void resultsComeBackInRecordOrder() {
        pool = Executors.newFixedThreadPool(4);
        BatchProcessor batch = new BatchProcessor(new RecordProcessor(ROUTES, new SlowPublisher(5), (a, b, c, d, e, f) -> {
        }, System::currentTimeMillis), pool, null, noRamp());
        List<RecordResult> results = batch.processAll(records(10), Deadline.none(), Deadline.none());
        for (int i = 0; i < 10; i++) {
            assertEquals("m" + i, results.get(i).messageId());
        }
    }

    @Test
    void recordsStillRunningAtTheDeadlineAreRetriedAndTheRestReported() {
        pool = Executors.newFixedThreadPool(2);
        Publisher p = (c, deadline) -> {
            if (c.topic().equals("AIR/1")) {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        BatchProcessor batch = new BatchProcessor(new RecordProcessor(ROUTES, p, (a, b, c, d, e, f) -> {
        }, System::currentTimeMillis), pool, null, noRamp());
        Deadline by = in(300);
        List<RecordResult> results = batch.processAll(records(3), by, by);
        assertEquals(Outcome.Kind.PUBLISHED, results.get(0).outcome().kind());
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, results.get(1).outcome().code());
        assertEquals(Outcome.Kind.PUBLISHED, results.get(2).outcome().kind());
    }

    /**
     * A publish that ignores interruption (as a blocking socket read does) but honours its
     * deadline, like the SDK's apiCallTimeout: the batch returns only once it has ended, so a
     * record reported for retry is never published after the handler returned.
     */
    @Test
    void nothingIsStillPublishingWhenTheBatchReturns() {
        pool = Executors.newFixedThreadPool(4);
        AtomicInteger inFlight = new AtomicInteger();
        List<Deadline> deadlines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Publisher p = (c, deadline) -> {
            deadlines.add(deadline);
            if (!c.topic().equals("AIR/1")) {
                return;
            }
            inFlight.incrementAndGet();
            try {
                while (!deadline.passed()) {
                    Thread.onSpinWait(); // deaf to interrupts, like a socket read
                }
                long over = System.nanoTime() + 50_000_000L; // the SDK's abort comes a moment later
                while (System.nanoTime() < over) {
                    Thread.onSpinWait();
                }
                throw new BridgeException(ErrorCode.PUBLISH_TIMEOUT, "api call timeout");
            } finally {
                inFlight.decrementAndGet();
            }
        };
        BatchProcessor batch = new BatchProcessor(new RecordProcessor(ROUTES, p, (a, b, c, d, e, f) -> {
        }, System::currentTimeMillis), pool, null, noRamp());
        Deadline publishBy = in(300);
        List<RecordResult> results = batch.processAll(records(3), publishBy, in(5_300));
        assertEquals(0, inFlight.get(), "a publish was still running after the batch returned");
        assertEquals(0, batch.running());
        assertEquals(Outcome.Kind.RETRY, results.get(1).outcome().kind());
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, results.get(1).outcome().code());
        assertTrue(deadlines.stream().allMatch(d -> d == publishBy), "every publish got the batch's deadline");
    }

    @Test
    void recordsNotStartedByTheDeadlineDoNotHoldTheBatch() {
        pool = Executors.newFixedThreadPool(1);
        BatchProcessor batch = new BatchProcessor(new RecordProcessor(ROUTES, new SlowPublisher(400), (a, b, c, d, e, f) -> {
        }, System::currentTimeMillis), pool, null, noRamp());
        long start = System.nanoTime();
        List<RecordResult> results = batch.processAll(records(5), in(200), in(20_200));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < 10_000, "waited for the running record only, not for queued ones: " + tookMs + " ms");
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, results.get(4).outcome().code());
        assertEquals(0, batch.running());
    }

    @Test
    void aThrowingRecordDoesNotAffectTheOthers() {
        pool = Executors.newFixedThreadPool(4);
        Publisher p = (c, deadline) -> {
            if (c.topic().equals("AIR/2")) {
                throw new IllegalStateException("bug");
            }
        };
        BatchProcessor batch = new BatchProcessor(new RecordProcessor(ROUTES, p, (a, b, c, d, e, f) -> {
        }, System::currentTimeMillis), pool, null, noRamp());
        List<RecordResult> results = batch.processAll(records(5), Deadline.none(), Deadline.none());
        for (int i = 0; i < 5; i++) {
            assertEquals(i == 2 ? Outcome.Kind.RETRY : Outcome.Kind.PUBLISHED, results.get(i).outcome().kind(), "m" + i);
        }
        assertTrue(results.get(2).outcome().detail().contains("bug"));
    }
}
