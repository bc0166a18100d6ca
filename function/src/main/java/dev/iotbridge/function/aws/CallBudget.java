package dev.iotbridge.function.aws;

import java.time.Duration;
import java.util.Optional;

import dev.iotbridge.function.domain.Deadline;
import software.amazon.awssdk.core.SdkClient;

/**
 * The per-request apiCallTimeout of a call that must be over by a deadline: the time left, but
 * never longer than the client's own apiCallTimeout (a per-request value replaces the client's).
 */
final class CallBudget {
    private final Duration clientLimit;

    CallBudget(SdkClient client) {
        Duration limit = null;
        try {
            limit = client.serviceClientConfiguration().overrideConfiguration().apiCallTimeout().orElse(null);
        } catch (RuntimeException e) {
            // a client without a readable configuration (a test double): the deadline alone bounds the call
        }
        this.clientLimit = limit;
    }

    /**
     * @return empty for no deadline, else the timeout to set; under 1 ms means no time is left and
     *         the call must not be made
     */
    Optional<Duration> forDeadline(Deadline deadline) {
        return deadline.remainingCappedBy(clientLimit);
    }
}
