package dev.iotbridge.function;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.iotbridge.function.domain.BatchProcessor;
import dev.iotbridge.function.domain.Outcome;
import dev.iotbridge.function.domain.RecordResult;

/**
 * The Lambda entry point (SQS event source mapping with {@code ReportBatchItemFailures}).
 * Every record is handled; only records whose outcome is RETRY are listed in
 * {@code batchItemFailures}. Nothing thrown here fails the whole batch: if something
 * unexpected escapes, every record is reported as a failure (retried), none is lost.
 */
public class BridgeHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = Logger.getLogger(BridgeHandler.class);
    /** Time kept back from the Lambda deadline to report results. */
    static final long DEADLINE_MARGIN_MS = 1500;

    @Inject
    BridgeService service;

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<BatchProcessor.InRecord> records = new ArrayList<>();
        if (event != null && event.getRecords() != null) {
            for (SQSEvent.SQSMessage m : event.getRecords()) {
                if (m != null) {
                    records.add(new BatchProcessor.InRecord(m.getMessageId(), m.getBody()));
                }
            }
        }
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        try {
            for (RecordResult r : service.process(records, deadline(context))) {
                if (r.outcome().kind() == Outcome.Kind.RETRY) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(r.messageId()));
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "batch processing failed unexpectedly; reporting all %d records for retry", records.size());
            failures.clear();
            records.forEach(r -> failures.add(new SQSBatchResponse.BatchItemFailure(r.messageId())));
        }
        return new SQSBatchResponse(failures);
    }

    private static long deadline(Context context) {
        long now = System.nanoTime();
        if (context == null) {
            return Long.MAX_VALUE;
        }
        long remaining;
        try {
            remaining = context.getRemainingTimeInMillis();
        } catch (RuntimeException e) {
            return Long.MAX_VALUE;
        }
        if (remaining <= 0 || remaining > 15 * 60 * 1000L) {
            return Long.MAX_VALUE; // unknown (e.g. the mock event server) or nonsense: no deadline of our own
        }
        return now + Math.max(100, remaining - DEADLINE_MARGIN_MS) * 1_000_000L;
    }
}
