package dev.iotbridge.function.domain;

/**
 * The result of one record, for the batch response, the log line and the metrics.
 * {@code publishLatencyMs} and {@code endToEndAgeMs} are null when not measured.
 */
public record RecordResult(String messageId, String route, String sourceTopic, String destinationTopic, boolean legacy,
        Outcome outcome, Long publishLatencyMs, Long endToEndAgeMs) {

    /** A record that ended before it was read (not scheduled, not finished in time): only its id and outcome. */
    public static RecordResult unread(String messageId, Outcome outcome) {
        return new RecordResult(messageId, null, null, null, false, outcome, null, null);
    }

    /** The same record with another outcome (the retry bookkeeping settles a RETRY). */
    public RecordResult withOutcome(Outcome o) {
        return new RecordResult(messageId, route, sourceTopic, destinationTopic, legacy, o, publishLatencyMs, endToEndAgeMs);
    }
}
