package dev.iotbridge.iotdata;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the endpoint's accepted publishes go and retained messages come from: the destination
 * broker in the local stack, a {@link Recorder} in tests.
 */
public interface Destination {

    /**
     * Publishes {@code p}; returns once the message is accepted (QoS 0) or acknowledged (QoS 1).
     *
     * @throws IllegalArgumentException when a property is out of the destination's range (the
     *         endpoint answers 400 InvalidRequestException with its message)
     * @throws Unavailable when it is not taken: the endpoint answers 503 ServiceUnavailableException
     */
    void publish(Publish p) throws Unavailable;

    /** The message retained on this exact topic, if any (what GetRetainedMessage returns). */
    Optional<RetainedMessage> retained(String topic);

    /** A retained message as the iot-data GetRetainedMessage API reports it. */
    record RetainedMessage(String topic, byte[] payload, int qos, long lastModifiedMillis,
                           List<Map.Entry<String, String>> userProperties) {}

    /** The destination did not take the message. */
    final class Unavailable extends Exception {
        public Unavailable(String message, Throwable cause) { super(message, cause); }
    }
}
