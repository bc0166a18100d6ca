package dev.iotbridge.function.domain;

import java.util.List;

/**
 * One message to republish, as read from an SQS record body: envelope v1 (docs/envelope.md)
 * or the legacy sample shape ({@code SELECT *, topic() AS topic}).
 *
 * @param legacy true for the legacy shape (no route, no ts, no MQTT 5 properties)
 * @param route route name (v1); null for legacy (chosen by topic match)
 * @param topic full source topic
 * @param payload the bytes to publish
 * @param ts source rules engine time, ms since epoch; null for legacy
 * @param payloadFormatIndicator "UTF8_DATA", "UNSPECIFIED_BYTES" or null
 * @param correlationData base64 text, passed through as the iot-data API expects it
 * @param userProperties MQTT 5 user properties in order, duplicates kept (never null)
 */
public record Envelope(boolean legacy, String route, String topic, byte[] payload, Long ts, String clientId,
        String contentType, String payloadFormatIndicator, String responseTopic, String correlationData,
        List<UserProperty> userProperties) {

    public record UserProperty(String key, String value) {
    }

    public Envelope {
        userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    }
}
