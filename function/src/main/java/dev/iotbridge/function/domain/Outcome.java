package dev.iotbridge.function.domain;

/**
 * What became of one SQS record: exactly one of PUBLISHED, RETRY (listed in
 * {@code batchItemFailures}) or QUARANTINED (sent to the DLQ with a reason).
 */
public record Outcome(Kind kind, ErrorCode code, String detail) {

    public enum Kind {
        PUBLISHED, RETRY, QUARANTINED
    }

    private static final Outcome PUBLISHED = new Outcome(Kind.PUBLISHED, null, null);

    public static Outcome published() {
        return PUBLISHED;
    }

    public static Outcome retry(ErrorCode code, String detail) {
        return new Outcome(Kind.RETRY, code, detail);
    }

    public static Outcome quarantined(ErrorCode code, String detail) {
        return new Outcome(Kind.QUARANTINED, code, detail);
    }
}
