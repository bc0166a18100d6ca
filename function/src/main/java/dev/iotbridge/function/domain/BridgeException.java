package dev.iotbridge.function.domain;

/** A record-level failure with a stable {@link ErrorCode} and a human readable detail. */
public class BridgeException extends Exception {
    private final ErrorCode code;

    public BridgeException(ErrorCode code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    public BridgeException(ErrorCode code, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public String detail() {
        return getMessage();
    }
}
