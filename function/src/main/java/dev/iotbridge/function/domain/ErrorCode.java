package dev.iotbridge.function.domain;

/**
 * Every reason a record is not simply published. {@link #transientFailure()} decides the
 * outcome (docs/interfaces.md#outcomes): transient codes are reported in {@code batchItemFailures}
 * (SQS retries, then redrives to the DLQ); permanent codes are quarantined at once with the code as
 * {@code BridgeErrorCode}. The table in {@code function/README.md} documents each one.
 */
public enum ErrorCode {
    // --- envelope (permanent)
    INVALID_JSON(false),
    INVALID_ENVELOPE(false),
    UNSUPPORTED_VERSION(false),
    INVALID_PAYLOAD_ENCODING(false),
    INVALID_MQTT_PROPERTY(false),
    // --- routing and topic policy (permanent)
    UNKNOWN_ROUTE(false),
    TOPIC_EMPTY(false),
    TOPIC_WILDCARD(false),
    TOPIC_RESERVED(false),
    TOPIC_TOO_LONG(false),
    TOPIC_TOO_MANY_LEVELS(false),
    TOPIC_INVALID_CHARACTER(false),
    TOPIC_OUTSIDE_ROUTE(false),
    PREFIX_MISMATCH(false),
    LOOP_DETECTED(false),
    PAYLOAD_TOO_LARGE(false),
    // --- publish rejected by iot-data (permanent)
    PUBLISH_REJECTED(false),
    // --- transient
    PUBLISH_THROTTLED(true),
    PUBLISH_UNAUTHORIZED(true),
    PUBLISH_FORBIDDEN(true),
    PUBLISH_SERVER_ERROR(true),
    PUBLISH_TIMEOUT(true),
    PUBLISH_NETWORK_ERROR(true),
    QUARANTINE_FAILED(true),
    DEADLINE_EXCEEDED(true),
    INTERNAL_ERROR(true);

    private final boolean transientFailure;

    ErrorCode(boolean transientFailure) {
        this.transientFailure = transientFailure;
    }

    public boolean transientFailure() {
        return transientFailure;
    }
}
