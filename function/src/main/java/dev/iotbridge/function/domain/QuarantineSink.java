package dev.iotbridge.function.domain;

/** Sends a record's original body to the DLQ with its reason. Any failure is reported as QUARANTINE_FAILED. */
public interface QuarantineSink {
    /** Sends it, giving up by {@code deadline}. */
    void quarantine(String messageId, String body, ErrorCode code, String detail, String route, Deadline deadline)
            throws BridgeException;
}
