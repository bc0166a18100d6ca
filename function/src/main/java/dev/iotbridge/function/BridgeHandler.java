package dev.iotbridge.function;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.iotbridge.function.domain.BatchProcessor;
import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.Delivery;
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
    /** Time kept back from the Lambda deadline for the retry bookkeeping and the response: publishing stops here. */
    static final long DEADLINE_MARGIN_MS = 1500;
    /** Time kept back from the Lambda deadline for the response alone: the retry bookkeeping stops here. */
    static final long REPLY_MARGIN_MS = 300;

    @Inject
    BridgeService service;

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<BatchProcessor.InRecord> records = new ArrayList<>();
        if (event != null && event.getRecords() != null) {
            for (SQSEvent.SQSMessage m : event.getRecords()) {
                if (m != null) {
                    records.add(new BatchProcessor.InRecord(m.getMessageId(), m.getBody(), delivery(m)));
                }
            }
        }
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        try {
            long remaining = remainingMillis(context);
            Deadline publishBy = remaining < 0 ? Deadline.none()
                    : Deadline.in(Duration.ofMillis(Math.max(100, remaining - DEADLINE_MARGIN_MS)));
            Deadline settleBy = remaining < 0 ? Deadline.none()
                    : Deadline.in(Duration.ofMillis(remaining - REPLY_MARGIN_MS)).orLater(publishBy);
            for (RecordResult r : service.process(records, publishBy, settleBy)) {
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

    /** Milliseconds left in this invocation, or -1 when unknown (e.g. the mock event server) or nonsense. */
    private static long remainingMillis(Context context) {
        if (context == null) {
            return -1;
        }
        long remaining;
        try {
            remaining = context.getRemainingTimeInMillis();
        } catch (RuntimeException e) {
            return -1;
        }
        return remaining <= 0 || remaining > 15 * 60 * 1000L ? -1 : remaining;
    }

    /** Receive count, sent time, queue and receipt handle of a record (unknown parts stay 0/null). */
    static Delivery delivery(SQSEvent.SQSMessage m) {
        Map<String, String> a = m.getAttributes();
        return new Delivery(m.getEventSourceArn(), m.getReceiptHandle(), (int) number(a, "ApproximateReceiveCount"),
                number(a, "SentTimestamp"));
    }

    private static long number(Map<String, String> attributes, String name) {
        String v = attributes == null ? null : attributes.get(name);
        try {
            return v == null ? 0 : Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
