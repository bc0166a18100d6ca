package dev.iotbridge.function.domain;

/** Publishes one message to the destination IoT Core; failures are classified into a {@link BridgeException}. */
public interface Publisher {
    void publish(PublishCommand command) throws BridgeException;

    /**
     * Publishes, and gives up by {@code deadlineNanos} (System.nanoTime(); Long.MAX_VALUE for none):
     * nothing of this call may still be in flight after it. The default has no bound of its own.
     */
    default void publish(PublishCommand command, long deadlineNanos) throws BridgeException {
        publish(command);
    }
}
