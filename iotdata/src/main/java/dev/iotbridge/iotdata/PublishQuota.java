package dev.iotbridge.iotdata;

import java.util.function.LongSupplier;

/**
 * A requests-per-second quota, as AWS IoT Core holds an account to its inbound publish quota
 * (requests per second per account, adjustable) on the iot-data Publish API: a token bucket refilled at {@code perSecond} tokens a
 * second and holding at most one second's worth, so a steady rate up to the quota always passes, a
 * burst may use what an idle second saved, and anything beyond is refused (the caller answers 429).
 * Thread-safe.
 */
final class PublishQuota {
    private final int perSecond;
    private final LongSupplier nanoClock;
    private double tokens;
    private long refilledAt;

    /** @param perSecond requests per second, at least 1 */
    PublishQuota(int perSecond, LongSupplier nanoClock) {
        if (perSecond < 1) throw new IllegalArgumentException("a publish quota is at least 1 request per second, got " + perSecond);
        this.perSecond = perSecond;
        this.nanoClock = nanoClock;
        this.tokens = perSecond;
        this.refilledAt = nanoClock.getAsLong();
    }

    int perSecond() { return perSecond; }

    /** Takes one request's token; false when the quota is spent for now. */
    synchronized boolean tryAcquire() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(perSecond, tokens + (now - refilledAt) * (double) perSecond / 1_000_000_000L);
        refilledAt = now;
        if (tokens < 1) return false;
        tokens -= 1;
        return true;
    }
}
