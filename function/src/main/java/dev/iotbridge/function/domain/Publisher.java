package dev.iotbridge.function.domain;

/** Publishes one message to the destination IoT Core; failures are classified into a {@link BridgeException}. */
public interface Publisher {
    /** Publishes, giving up by {@code deadline}: nothing of this call may still be in flight after it. */
    void publish(PublishCommand command, Deadline deadline) throws BridgeException;
}
