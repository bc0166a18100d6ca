package dev.iotbridge.harness;

import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * The AWS-side endpoints a benchmark run talks to: SQS, the iot-data API (with its
 * per-request latency) and the destination side where published messages arrive; for the
 * end-to-end scenario also the two MQTT brokers.
 */
public interface Endpoints extends AutoCloseable {

    /**
     * Addresses handed to the handler processes; over TLS also the CA that signed the iot-data
     * endpoint's certificate (PEM for Python, JVM trust options for Java), else null / empty.
     */
    record Addresses(String sqs, String iotData, String dlqUrl, java.nio.file.Path caPem, java.util.List<String> javaTrustOptions) {}

    /** MQTT brokers of both accounts (host, port), or null where there are none. */
    record Brokers(String sourceHost, int sourcePort, String destinationHost, int destinationPort) {}

    Addresses addresses();

    void iotDataLatency(Duration latency);

    /**
     * Calls {@code listener(topic, payload)} for each message published on the destination side
     * under {@code topicPrefix} (a topic filter {@code topicPrefix#}).
     */
    AutoCloseable listen(String topicPrefix, BiConsumer<String, byte[]> listener) throws Exception;

    /** One line: what serves these endpoints (printed and recorded in the results). */
    String description();

    default Brokers brokers() {
        return null;
    }

    @Override
    void close();
}
