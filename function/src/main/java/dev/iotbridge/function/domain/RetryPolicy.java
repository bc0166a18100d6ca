package dev.iotbridge.function.domain;

/**
 * What happens to a record that failed transiently: it comes back after its {@link RetryBackoff}
 * delay, unless this is its last chance, in which case the function gives up on it and
 * quarantines it with its last error rather than letting SQS move it to the DLQ without a reason
 * (redrive policy) or drop it (retention). Its last chance is
 * <ul>
 * <li>its last allowed receive: receive count ≥ {@code maxReceiveCount}, the queue's redrive
 * policy (BRIDGE_MAX_RECEIVE_COUNT; 0 = not known, never given up for this reason), or</li>
 * <li>its last receive before retention: it would expire before it is visible again, or less
 * than one base delay after (time for a poller to receive it):
 * {@code SentTimestamp + retention − delay − base ≤ now}.</li>
 * </ul>
 *
 * @param retentionSeconds the queue's message retention period (BRIDGE_MESSAGE_RETENTION)
 */
public record RetryPolicy(RetryBackoff backoff, int maxReceiveCount, long retentionSeconds) {

    /** SQS default retention: 4 days. */
    public static final long DEFAULT_RETENTION_SECONDS = 345_600;

    public RetryPolicy {
        if (backoff == null || maxReceiveCount < 0 || retentionSeconds < 1) {
            throw new IllegalArgumentException("retry policy needs a backoff, maxReceiveCount >= 0 and retention >= 1 s");
        }
    }

    /** What to do with one record that failed transiently. */
    public sealed interface Decision permits RetryAfter, GiveUp {
    }

    /** Make it visible again after {@code seconds}. */
    public record RetryAfter(int seconds) implements Decision {
    }

    /** Quarantine it now; {@code why} says which last chance it was on. */
    public record GiveUp(String why) implements Decision {
    }

    /**
     * @param receiveCount        ApproximateReceiveCount of this delivery (0 = unknown)
     * @param sentTimestampMillis SentTimestamp of the message (0 = unknown)
     * @param random              a uniform draw in [0, 1) for the jitter
     */
    public Decision decide(int receiveCount, long sentTimestampMillis, long nowMillis, double random) {
        if (maxReceiveCount > 0 && receiveCount >= maxReceiveCount) {
            return new GiveUp("receive " + receiveCount + " was its last: max_receive_count is " + maxReceiveCount
                    + " (the queue's redrive policy would move it to the DLQ without a reason)");
        }
        int delay = backoff.delaySeconds(receiveCount, random);
        if (sentTimestampMillis > 0) {
            long expiresAt = sentTimestampMillis + retentionSeconds * 1000;
            if (nowMillis + (delay + (long) backoff.baseSeconds()) * 1000L >= expiresAt) {
                return new GiveUp("it would expire before its next receive: sent " + (nowMillis - sentTimestampMillis) / 1000
                        + " s ago, retention " + retentionSeconds + " s, next retry in " + delay + " s");
            }
        }
        return new RetryAfter(delay);
    }
}
