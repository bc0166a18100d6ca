package dev.iotbridge.function.telemetry;

import java.util.Locale;

import dev.iotbridge.function.domain.Outcome;
import dev.iotbridge.function.domain.RecordResult;

/**
 * Which records get a log line of their own (BRIDGE_RECORD_LOG). Every line is CloudWatch Logs
 * ingestion (about 310 bytes a record); the EMF metrics count every outcome either way.
 */
public enum RecordLog {
    /** A line per record (the default): an audit trail of every message bridged. */
    ALL,
    /** Only records not published (retried or quarantined): a fraction of the log volume. */
    FAILURES;

    public boolean writes(RecordResult r) {
        return this == ALL || r.outcome().kind() != Outcome.Kind.PUBLISHED;
    }

    /** "all" or "failures", any case. */
    public static RecordLog parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "all" -> ALL;
            case "failures" -> FAILURES;
            default -> throw new IllegalArgumentException(
                    "is not a record log setting; set all (a line per record) or failures (only records not published)");
        };
    }
}
