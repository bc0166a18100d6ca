package dev.iotbridge.iotdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The iot-data request format as pure functions: percent-decoding, the topic rules of the
 * service, the query parameters and {@code x-amz-mqtt5-*} headers read into MQTT 5 properties.
 * A wrong value is an IllegalArgumentException naming the parameter or header (answered 400).
 */
final class Wire {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOPIC_BYTES = 256;
    private static final int MAX_TOPIC_SLASHES = 7;

    private Wire() {
    }

    /** The MQTT 5 properties of a request; IllegalArgumentException naming the parameter or header that is wrong. */
    static Publish.Properties properties(Map<String, String> q, Map<String, String> headers) {
        Long expiry = null;
        String e = q.get("messageExpiry");
        if (e != null) {
            try {
                expiry = Long.parseLong(e);
            } catch (NumberFormatException nfe) {
                throw new IllegalArgumentException("messageExpiry must be a number of seconds, got " + e);
            }
        }
        Publish.PayloadFormat format = null;
        String pfi = headers.get("x-amz-mqtt5-payload-format-indicator");
        if (pfi != null) {
            try {
                format = Publish.PayloadFormat.valueOf(pfi);
            } catch (IllegalArgumentException iae) {
                throw new IllegalArgumentException("x-amz-mqtt5-payload-format-indicator must be "
                        + "UNSPECIFIED_BYTES or UTF8_DATA, got " + pfi);
            }
        }
        String cd = headers.get("x-amz-mqtt5-correlation-data");
        String up = headers.get("x-amz-mqtt5-user-properties");
        return new Publish.Properties(q.get("contentType"), q.get("responseTopic"), expiry, format,
                cd == null ? null : base64(cd, "x-amz-mqtt5-correlation-data"),
                up == null ? List.of() : userProperties(up));
    }

    /** Topic rules of the real service (Publish rejects these with 400). */
    static String validateTopic(String topic) {
        if (topic.isEmpty()) return "topic is empty";
        if (topic.contains("+") || topic.contains("#")) return "topic must not contain wildcards: " + topic;
        if (topic.getBytes(StandardCharsets.UTF_8).length > MAX_TOPIC_BYTES) return "topic longer than 256 bytes";
        if (topic.chars().filter(c -> c == '/').count() > MAX_TOPIC_SLASHES) return "topic has more than 7 forward slashes";
        if (topic.chars().anyMatch(c -> c == 0)) return "topic contains NUL";
        return null;
    }

    /** {@code x-amz-mqtt5-user-properties}: base64 of a JSON array of objects with string values, in order. */
    static List<Map.Entry<String, String>> userProperties(String header) {
        JsonNode arr;
        try {
            arr = JSON.readTree(Base64.getDecoder().decode(header));
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException("x-amz-mqtt5-user-properties must be base64 of a JSON array: " + e.getMessage());
        }
        if (arr == null || !arr.isArray()) {
            throw new IllegalArgumentException("x-amz-mqtt5-user-properties must be a JSON array of objects");
        }
        List<Map.Entry<String, String>> props = new ArrayList<>();
        for (JsonNode o : arr) {
            if (!o.isObject()) throw new IllegalArgumentException("x-amz-mqtt5-user-properties: element is not an object");
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException("x-amz-mqtt5-user-properties: value of " + e.getKey() + " is not a string");
                }
                props.add(Map.entry(e.getKey(), e.getValue().asText()));
            }
        }
        return List.copyOf(props);
    }

    /** User properties the way the API writes them: base64 of a JSON array of one-key objects, in order. */
    static String encodeUserProperties(List<Map.Entry<String, String>> props) {
        List<Map<String, String>> objects = new ArrayList<>();
        props.forEach(u -> objects.add(Map.of(u.getKey(), u.getValue())));
        try {
            return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(objects));
        } catch (IOException e) {
            throw new IllegalStateException("user properties could not be written as JSON", e);
        }
    }

    private static byte[] base64(String value, String header) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(header + " must be base64: " + e.getMessage());
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return m;
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? "" : part.substring(eq + 1);
            m.put(percentDecode(k.replace('+', ' ')), percentDecode(v.replace("+", "%20")));
        }
        return m;
    }

    /** RFC 3986 percent-decoding (a '+' stays a '+', unlike form decoding). */
    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw new IllegalArgumentException("bad escape");
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
