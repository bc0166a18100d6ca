package dev.iotbridge.function.domain;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Strict parser for SQS record bodies (docs/envelope.md). Types are checked exactly
 * ({@code v} must be the integer 1, {@code ts} an integer, {@code payload} strict base64...);
 * each kind of fault has its own {@link ErrorCode}. Reads with the strict {@link Json} mapper.
 */
public final class EnvelopeParser {
    public static final String UTF8_DATA = "UTF8_DATA";
    public static final String UNSPECIFIED_BYTES = "UNSPECIFIED_BYTES";

    private EnvelopeParser() {
    }

    public static Envelope parse(String body) throws BridgeException {
        if (body == null || body.isBlank()) {
            throw new BridgeException(ErrorCode.INVALID_JSON, "record body is empty");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            // the location only: Jackson's message quotes the offending text, which may be payload data
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column "
                    + e.getLocation().getColumnNr();
            throw new BridgeException(ErrorCode.INVALID_JSON, "record body is not valid JSON" + at);
        } catch (NumberFormatException e) {
            // Exact BigDecimals: a number like 1e999999999999 is valid JSON but has no BigDecimal
            // (its exponent overflows an int). Found by EnvelopeFuzzTest; it used to escape as an
            // unexpected exception (INTERNAL_ERROR, retried until redriven) instead of quarantine.
            throw new BridgeException(ErrorCode.INVALID_JSON, "record body holds a number out of range (exponent too large)");
        }
        if (root == null || !root.isObject()) {
            throw new BridgeException(ErrorCode.INVALID_ENVELOPE, "record body is not a JSON object");
        }
        if (root.has("v")) {
            return parseV1((ObjectNode) root);
        }
        return parseLegacy((ObjectNode) root);
    }

    private static Envelope parseV1(ObjectNode o) throws BridgeException {
        JsonNode v = o.get("v");
        if (!v.isIntegralNumber()) {
            throw new BridgeException(ErrorCode.INVALID_ENVELOPE, "field 'v' must be an integer, got " + kind(v));
        }
        if (!v.canConvertToLong() || v.asLong() != 1) {
            throw new BridgeException(ErrorCode.UNSUPPORTED_VERSION, "envelope version " + (v.canConvertToLong() ? String.valueOf(v.asLong()) : "(huge)") + " is not supported (only 1)");
        }
        String route = requiredString(o, "route");
        String topic = requiredString(o, "topic");
        String payloadText = requiredString(o, "payload");
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(payloadText);
        } catch (IllegalArgumentException e) {
            throw new BridgeException(ErrorCode.INVALID_PAYLOAD_ENCODING, "field 'payload' is not valid base64: " + e.getMessage());
        }
        JsonNode tsNode = o.get("ts");
        if (tsNode == null || tsNode.isNull()) {
            throw new BridgeException(ErrorCode.INVALID_ENVELOPE, "field 'ts' is missing");
        }
        if (!tsNode.isIntegralNumber() || !tsNode.canConvertToLong() || tsNode.asLong() < 0) {
            throw new BridgeException(ErrorCode.INVALID_ENVELOPE,
                    "field 'ts' must be a non-negative integer (ms since epoch), got " + kind(tsNode));
        }
        String clientId = optionalString(o, "clientId", ErrorCode.INVALID_ENVELOPE);
        String contentType = optionalString(o, "contentType", ErrorCode.INVALID_MQTT_PROPERTY);
        String pfi = optionalString(o, "payloadFormatIndicator", ErrorCode.INVALID_MQTT_PROPERTY);
        if (pfi != null && !pfi.equals(UTF8_DATA) && !pfi.equals(UNSPECIFIED_BYTES)) {
            throw new BridgeException(ErrorCode.INVALID_MQTT_PROPERTY,
                    "field 'payloadFormatIndicator' must be UTF8_DATA or UNSPECIFIED_BYTES, got '" + pfi + "'");
        }
        String responseTopic = optionalString(o, "responseTopic", ErrorCode.INVALID_MQTT_PROPERTY);
        if (responseTopic != null) {
            try {
                MqttTopics.validateResponseTopic(responseTopic);
            } catch (BridgeException e) {
                throw new BridgeException(ErrorCode.INVALID_MQTT_PROPERTY,
                        "field 'responseTopic' is not a valid response topic (" + e.code() + "): " + e.detail());
            }
        }
        String correlationData = optionalString(o, "correlationData", ErrorCode.INVALID_MQTT_PROPERTY);
        if (correlationData != null) {
            try {
                Base64.getDecoder().decode(correlationData);
            } catch (IllegalArgumentException e) {
                throw new BridgeException(ErrorCode.INVALID_MQTT_PROPERTY,
                        "field 'correlationData' is not valid base64: " + e.getMessage());
            }
        }
        List<Envelope.UserProperty> userProperties = userProperties(o.get("userProperties"));
        return new Envelope(false, route, topic, payload, tsNode.asLong(), clientId, contentType, pfi, responseTopic,
                correlationData, userProperties);
    }

    /**
     * Legacy: the device's JSON object with {@code topic} added by the rule. The published
     * payload is that object without {@code topic}, re-serialised (key order kept; number
     * formatting may differ from the device's bytes).
     */
    private static Envelope parseLegacy(ObjectNode o) throws BridgeException {
        JsonNode topic = o.get("topic");
        if (topic == null || !topic.isTextual()) {
            throw new BridgeException(ErrorCode.INVALID_ENVELOPE,
                    "body has neither 'v' (envelope v1) nor a string 'topic' (legacy shape)");
        }
        ObjectNode copy = o.deepCopy();
        copy.remove("topic");
        byte[] payload;
        try {
            payload = Json.MAPPER.writeValueAsBytes(copy);
        } catch (JsonProcessingException e) {
            throw new BridgeException(ErrorCode.INVALID_ENVELOPE, "legacy payload cannot be serialised: " + e.getMessage());
        }
        return new Envelope(true, null, topic.asText(), payload, null, null, null, null, null, null, List.of());
    }

    private static List<Envelope.UserProperty> userProperties(JsonNode n) throws BridgeException {
        if (n == null) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new BridgeException(ErrorCode.INVALID_MQTT_PROPERTY,
                    "field 'userProperties' must be an array of objects like [{\"k\":\"v\"}], got " + kind(n));
        }
        List<Envelope.UserProperty> out = new ArrayList<>();
        for (JsonNode item : n) {
            if (!item.isObject() || item.isEmpty()) {
                throw new BridgeException(ErrorCode.INVALID_MQTT_PROPERTY,
                        "field 'userProperties' must contain only non-empty objects of strings, got " + kind(item));
            }
            for (Map.Entry<String, JsonNode> e : item.properties()) {
                if (!e.getValue().isTextual()) {
                    throw new BridgeException(ErrorCode.INVALID_MQTT_PROPERTY,
                            "user property '" + e.getKey() + "' must have a string value, got " + kind(e.getValue()));
                }
                out.add(new Envelope.UserProperty(e.getKey(), e.getValue().asText()));
            }
        }
        return out;
    }

    private static String requiredString(ObjectNode o, String field) throws BridgeException {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            throw new BridgeException(ErrorCode.INVALID_ENVELOPE, "field '" + field + "' is missing");
        }
        if (!n.isTextual()) {
            throw new BridgeException(ErrorCode.INVALID_ENVELOPE, "field '" + field + "' must be a string, got " + kind(n));
        }
        return n.asText();
    }

    private static String optionalString(ObjectNode o, String field, ErrorCode code) throws BridgeException {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new BridgeException(code, "field '" + field + "' must be a string, got " + kind(n));
        }
        return n.asText();
    }

    /** The JSON type only: values are never echoed (they could be payload data). */
    private static String kind(JsonNode n) {
        return n.isIntegralNumber() ? "an integer" : "a " + n.getNodeType().name().toLowerCase();
    }
}
