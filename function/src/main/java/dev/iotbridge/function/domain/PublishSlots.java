package dev.iotbridge.function.domain;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many records publish at once: a slow start up to BRIDGE_MAX_CONCURRENCY.
 *
 * <p>A fresh execution environment runs the publish path (SDK pipeline, SigV4, TLS) interpreted
 * while its JIT compiles it, under Lambda's CPU share. Starting a large batch's publishes all at
 * once makes every one of them wait for that CPU together, past BRIDGE_PUBLISH_TIMEOUT: each is
 * retried after a backoff, and some arrive twice. So, like TCP's slow start, the limit starts at
 * {@code initial} and grows by one with every record that finishes, until {@code max}: it doubles
 * per round of publishes, whatever the records' outcomes, and never shrinks (the retry backoff,
 * not this, is the answer to a struggling destination). With the default BRIDGE_MAX_CONCURRENCY
 * of 10 and {@link #INITIAL} 10 there is nothing to ramp.
 */
public final class PublishSlots {
    /** The limit of a fresh execution environment: the default BRIDGE_MAX_CONCURRENCY. */
    public static final int INITIAL = 10;

    private final int max;
    private final AtomicInteger limit;
    private final Semaphore free;

    public PublishSlots(int initial, int max) {
        if (initial < 1 || max < 1) {
            throw new IllegalArgumentException("publish slots need initial >= 1 and max >= 1");
        }
        this.max = max;
        int start = Math.min(initial, max);
        this.limit = new AtomicInteger(start);
        this.free = new Semaphore(start);
    }

    /** The current limit (for tests and logs). */
    public int limit() {
        return limit.get();
    }

    /**
     * Waits for a slot until {@code deadline}.
     *
     * @return false when none came free in time, or the thread was interrupted
     */
    public boolean acquire(Deadline deadline) {
        try {
            return deadline.acquire(free);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Gives back a slot taken by {@link #acquire}, plus a new one while the limit is below the maximum. */
    public void release() {
        boolean grow = limit.getAndUpdate(l -> l < max ? l + 1 : l) < max;
        free.release(grow ? 2 : 1);
    }
}
