package dev.iotbridge.function.domain;

import java.util.List;
import java.util.Set;

/**
 * Delays the next receive of records that failed transiently (SQS {@code ChangeMessageVisibility}).
 * Best effort: a record whose delay could not be set simply comes back after the queue's
 * visibility timeout, so a failure here never turns into a lost or failed record.
 */
public interface RetryScheduler {

    /** Make the record {@code messageId} visible again after {@code seconds}. */
    record Delay(String messageId, Delivery delivery, int seconds) {
    }

    /**
     * @param deadline by which every call must be over
     * @return the message ids whose delay was set
     */
    Set<String> delay(List<Delay> delays, Deadline deadline);
}
