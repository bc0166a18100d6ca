package dev.iotbridge.function.domain;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

/**
 * The function's one JSON reader and writer (record bodies, BRIDGE_ROUTES, legacy payloads).
 * Strict: a duplicate key, trailing text or a comment is an error, not a guess. Works on the
 * Jackson tree model only, so a native image needs no reflection for it. Building a tree to
 * write (log lines, user properties) needs no mapper: {@code JsonNodeFactory} and
 * {@code toString()}.
 */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            // Legacy bodies are re-serialised: keep every number exactly as the device wrote it.
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private Json() {
    }
}
