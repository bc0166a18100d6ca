package dev.iotbridge.function.domain;

/**
 * How long a record that failed transiently stays invisible before SQS hands it out again.
 * Exponential in the record's receive count and capped: the ceiling after the n-th receive is
 * {@code min(cap, base × 2^(n−1))} seconds, and the delay is drawn uniformly from its upper half
 * ("equal jitter": {@code [⌈ceiling/2⌉, ceiling]}), so records that failed together do not all come
 * back together, yet every delay is at least half its ceiling. That lower bound is what the
 * destination module sums to check that {@code max_receive_count} receives span the outage the
 * bridge must ride out ({@link #floorSeconds}); keep the two in step.
 *
 * <p>Whole seconds, because SQS {@code ChangeMessageVisibility} takes whole seconds (0–43,200).
 */
public record RetryBackoff(int baseSeconds, int capSeconds) {
    /** SQS: a message can be kept invisible for at most 12 hours. */
    public static final int MAX_VISIBILITY_SECONDS = 43_200;

    public RetryBackoff {
        if (baseSeconds < 1 || capSeconds < baseSeconds || capSeconds > MAX_VISIBILITY_SECONDS) {
            throw new IllegalArgumentException("backoff needs 1 <= base (" + baseSeconds + " s) <= cap (" + capSeconds
                    + " s) <= " + MAX_VISIBILITY_SECONDS + " s");
        }
    }

    /** The longest delay after the {@code receiveCount}-th receive failed (a count below 1 counts as 1). */
    public int ceilingSeconds(int receiveCount) {
        int n = Math.max(1, receiveCount);
        // base × 2^(n−1) without overflow: past 31 doublings any base is over the cap anyway
        long ceiling = n > 31 ? Long.MAX_VALUE : (long) baseSeconds << (n - 1);
        return (int) Math.min(capSeconds, ceiling);
    }

    /** The shortest delay jitter can draw after the {@code receiveCount}-th receive: ⌈ceiling/2⌉. */
    public int floorSeconds(int receiveCount) {
        int c = ceilingSeconds(receiveCount);
        return c - c / 2;
    }

    /** The delay after the {@code receiveCount}-th receive failed, for a uniform draw {@code random} in [0, 1). */
    public int delaySeconds(int receiveCount, double random) {
        int c = ceilingSeconds(receiveCount);
        int spread = c / 2;
        int jitter = (int) Math.floor(Math.min(Math.max(random, 0.0), 0.999_999_999) * (spread + 1));
        return c - jitter;
    }
}
