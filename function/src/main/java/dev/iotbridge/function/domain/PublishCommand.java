package dev.iotbridge.function.domain;

/**
 * One iot-data Publish call. {@code userPropertiesJson} is the JSON text of the MQTT 5 user
 * properties, {@code [{"k":"v"},...]} (the SDK base64-encodes it into the
 * {@code x-amz-mqtt5-user-properties} header); {@code correlationData} is base64 text.
 */
public record PublishCommand(String topic, int qos, boolean retain, byte[] payload, String contentType,
        String payloadFormatIndicator, String responseTopic, String correlationData, String userPropertiesJson) {
}
