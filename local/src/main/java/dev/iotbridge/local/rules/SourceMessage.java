package dev.iotbridge.local.rules;

import java.util.List;
import java.util.Map;

/**
 * What the rules engine knows about one MQTT PUBLISH received by the source broker.
 *
 * @param mqtt5                  whether the publisher is an MQTT 5 client (MQTT 5 properties are
 *                               undefined otherwise, as in IoT Core)
 * @param payloadFormatIndicator null (absent), 0 (unspecified bytes) or 1 (UTF-8)
 */
public record SourceMessage(String topic, byte[] payload, String clientId, int qos, boolean retain,
                            boolean mqtt5, String contentType, Integer payloadFormatIndicator,
                            String responseTopic, byte[] correlationData,
                            List<Map.Entry<String, String>> userProperties, long timestamp) {

    public static SourceMessage simple(String topic, byte[] payload) {
        return new SourceMessage(topic, payload, "client", 1, false, true, null, null, null, null,
                List.of(), System.currentTimeMillis());
    }
}
