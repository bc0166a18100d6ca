package dev.iotbridge.iotdata;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One iot-data Publish request as the endpoint decoded and checked it: topic, QoS, retain flag,
 * payload and the MQTT 5 properties, and the request's query parameters and headers as sent
 * (header names in lower case, first value), for whoever wants to see the wire itself.
 */
public record Publish(String topic, int qos, boolean retain, byte[] payload, Properties properties,
                      Map<String, String> query, Map<String, String> headers) {

    /** The MQTT 5 properties of the message; null or empty where the request set none. */
    public record Properties(String contentType, String responseTopic, Long messageExpirySeconds,
                             PayloadFormat payloadFormat, byte[] correlationData,
                             List<Map.Entry<String, String>> userProperties) {}

    /** {@code x-amz-mqtt5-payload-format-indicator}. */
    public enum PayloadFormat { UNSPECIFIED_BYTES, UTF8_DATA }

    /** A request header's first value, null when absent. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
