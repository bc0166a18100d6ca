package dev.iotbridge.function.domain;

/** Sends a record's original body to the DLQ with its reason. Any failure is reported as QUARANTINE_FAILED. */
public interface QuarantineSink {
    void quarantine(String messageId, String body, ErrorCode code, String detail, String route) throws BridgeException;

    /** As above, giving up by {@code deadlineNanos} (System.nanoTime(); Long.MAX_VALUE for none). */
    default void quarantine(String messageId, String body, ErrorCode code, String detail, String route,
            long deadlineNanos) throws BridgeException {
        quarantine(messageId, body, code, detail, route);
    }
}
