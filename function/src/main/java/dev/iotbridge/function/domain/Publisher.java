package dev.iotbridge.function.domain;

/** Publishes one message to the destination IoT Core; failures are classified into a {@link BridgeException}. */
public interface Publisher {
    void publish(PublishCommand command) throws BridgeException;
}
