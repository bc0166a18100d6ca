package dev.iotbridge.function.domain;

/**
 * How SQS delivered a record: what the retry decision needs (receive count, sent time) and what
 * changing its visibility needs (queue, receipt handle). Values are "unknown" when the event
 * lacks them (tests, a hand-made event): then the record is retried with the first backoff step
 * and never given up for its receive count or age.
 *
 * @param queueArn            eventSourceARN of the record (null = unknown)
 * @param receiptHandle       receipt handle of this receive (null = unknown)
 * @param receiveCount        ApproximateReceiveCount, 1 at the first receive (0 = unknown)
 * @param sentTimestampMillis SentTimestamp, epoch milliseconds (0 = unknown)
 */
public record Delivery(String queueArn, String receiptHandle, int receiveCount, long sentTimestampMillis) {
    public static final Delivery UNKNOWN = new Delivery(null, null, 0, 0);
}
