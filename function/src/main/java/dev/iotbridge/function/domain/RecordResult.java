package dev.iotbridge.function.domain;

/**
 * The result of one record, for the batch response, the log line and the metrics.
 * {@code publishLatencyMs} and {@code endToEndAgeMs} are null when not measured.
 */
public record RecordResult(String messageId, String route, String sourceTopic, String destinationTopic, boolean legacy,
        Outcome outcome, Long publishLatencyMs, Long endToEndAgeMs) {
}
