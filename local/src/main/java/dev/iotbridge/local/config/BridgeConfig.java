package dev.iotbridge.local.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.Routes;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The local stack's settings file, {@code local/bridge.local.json} (local/README.md#configuration-localbridgelocaljson),
 * read once into these records: the routes (docs/interfaces.md#routes, the same list as the Terraform
 * variable {@code routes}, checked as the function checks {@code BRIDGE_ROUTES}) and the local settings,
 * every one optional with the default written here. A key left out or null takes its default; an
 * unknown key, a value of the wrong type or out of range stops the start with an error naming the
 * key's path, the fix and the keys allowed there.
 *
 * @param canary the canary route of terraform/canary-route.json, added when the file says
 *               {@code "canary": true} (as {@code canary = true} does in Terraform); null otherwise
 */
public record BridgeConfig(
        @JsonProperty("_comment") String comment,
        @JsonDeserialize(using = RoutesFromFile.class) List<Route> routes,
        String region,
        Ports ports,
        @JsonDeserialize(using = CanaryFlag.class) CanaryRoute canary,
        Queue queue,
        EventSourceMapping eventSourceMapping,
        Function function,
        IotData iotData) {

    /** Every default, and no route. */
    public static final BridgeConfig DEFAULTS = new BridgeConfig(null, List.of(), null, null, null, null, null, null, null);

    public BridgeConfig {
        routes = routes == null ? List.of() : List.copyOf(routes);
        region = orDefault(region, "eu-west-1");
        ports = orDefault(ports, Ports.defaults());
        queue = orDefault(queue, new Queue(null, null, null, null));
        eventSourceMapping = orDefault(eventSourceMapping, new EventSourceMapping(null, null, null));
        function = orDefault(function, new Function(null, null, null, null, null));
        iotData = orDefault(iotData, new IotData(null, null));
    }

    /** {@code queue}: the bridge queue and its DLQ, as the destination module creates them. */
    public record Queue(String name, String dlqName, Integer maxReceiveCount, Integer visibilityTimeoutSeconds) {
        public Queue {
            name = orDefault(name, "iot-bridge");
            dlqName = orDefault(dlqName, "iot-bridge-dlq");
            // SQS's ranges: redrive maxReceiveCount 1-1000, VisibilityTimeout 0-43200 s
            maxReceiveCount = within("max_receive_count", orDefault(maxReceiveCount, 5), 1, 1000);
            visibilityTimeoutSeconds = within("visibility_timeout_seconds", orDefault(visibilityTimeoutSeconds, 30), 0, 43_200);
        }
    }

    /** {@code event_source_mapping}: how the Lambda service polls the queue. */
    public record EventSourceMapping(Integer batchSize, Integer maximumBatchingWindowSeconds, Integer maximumConcurrency) {
        public EventSourceMapping {
            // Lambda's ranges for an SQS standard queue: batch size 1-10000, batching window 0-300 s
            batchSize = within("batch_size", orDefault(batchSize, 10), 1, 10_000);
            maximumBatchingWindowSeconds = within("maximum_batching_window_seconds", orDefault(maximumBatchingWindowSeconds, 0), 0, 300);
            if (maximumConcurrency != null) {
                dev.iotbridge.local.lambda.EventSourceMapping.instancesFor(maximumConcurrency, "maximum_concurrency");
            }
        }
    }

    /** {@code function}: the function as the destination module deploys it, and its artifact. */
    public record Function(String name, Integer memoryMb, Integer timeoutSeconds, String artifact, Map<String, String> env) {
        public Function {
            name = orDefault(name, "iot-bridge");
            // Lambda's ranges: 128-10240 MB, 1-900 s
            memoryMb = within("memory_mb", orDefault(memoryMb, 512), 128, 10_240);
            timeoutSeconds = within("timeout_seconds", orDefault(timeoutSeconds, 10), 1, 900);
            artifact = orDefault(artifact, RepositoryPaths.FUNCTION_ZIP);
            env = env == null ? Map.of() : Map.copyOf(env);
        }

        /** The artifact's path: relative paths are relative to the repository root. */
        public Path artifactPath() { return RepositoryPaths.resolve(artifact); }
    }

    /** {@code iot_data}: the destination account's iot-data endpoint. */
    public record IotData(Integer latencyMs, Integer publishQuotaPerSecond) {
        public IotData {
            latencyMs = within("latency_ms", orDefault(latencyMs, 0), 0, 60_000);
            publishQuotaPerSecond = orDefault(publishQuotaPerSecond, 0);
            if (publishQuotaPerSecond < 0) {
                throw InvalidSetting.value("publish_quota_per_second", publishQuotaPerSecond, "requests per second the "
                        + "destination's iot-data endpoint accepts before it throttles; 0 or left out for no quota");
            }
        }
    }

    /** The file's routes, then the canary route when it is on. */
    public List<Route> allRoutes() {
        if (canary == null) return routes;
        List<Route> all = new ArrayList<>(routes);
        all.add(canary.route());
        return List.copyOf(all);
    }

    public BridgeConfig withPorts(Ports p) {
        return new BridgeConfig(comment, routes, region, p, canary, queue, eventSourceMapping, function, iotData);
    }

    public BridgeConfig withIotDataLatencyMs(int ms) {
        return new BridgeConfig(comment, routes, region, ports, canary, queue, eventSourceMapping, function,
                new IotData(ms, iotData.publishQuotaPerSecond()));
    }

    public BridgeConfig withFunctionArtifact(Path zip) {
        return new BridgeConfig(comment, routes, region, ports, canary, queue, eventSourceMapping,
                new Function(function.name(), function.memoryMb(), function.timeoutSeconds(), zip.toString(), function.env()),
                iotData);
    }

    // ------------------------------------------------------------------ reading the file

    /** Strict JSON and no guessing: a key twice, a string for a number or 4.5 for a whole number is an error. */
    private static final JsonMapper JSON = strictMapper();

    private static JsonMapper strictMapper() {
        return JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .build();
    }

    /** Reads and checks the file; an {@link IllegalArgumentException} names the file, the key's path and the fix. */
    public static BridgeConfig load(Path file) {
        JsonNode tree;
        BridgeConfig c;
        try {
            tree = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            c = JSON.treeToValue(tree, BridgeConfig.class);
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(file + ": " + describe(e, tree), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (c == null || c.routes().isEmpty()) {
            throw new IllegalArgumentException(file + ": routes is missing or empty: list at least one route "
                    + "(docs/interfaces.md#routes), e.g. the sample route ground of terraform/terraform.tfvars.example");
        }
        return c;
    }

    /** The message of a mapping failure: path, what is wrong, the fix or the keys allowed there. */
    private static String describe(JsonMappingException e, JsonNode tree) {
        List<JsonMappingException.Reference> path = e.getPath();
        if (e instanceof UnrecognizedPropertyException u) {
            return unknownKey(path(path, path.size() - 1), u.getPropertyName(),
                    u.getKnownPropertyIds().stream().map(Object::toString).toList());
        }
        Throwable cause = e.getCause();
        String at = path(path, path.size());
        if (cause instanceof InvalidSetting s) {
            return s.allowed() != null ? unknownKey(at, s.key(), s.allowed()) : join(at, s.key()) + " " + s.problem();
        }
        if (cause instanceof IllegalArgumentException bad) {
            // the records' own checks: their messages start with the key inside the object at this path
            return join(at, bad.getMessage());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return at + " must be " + expected(m.getTargetType()) + ", not " + shown(tree.at(pointer(path)));
        }
        return at + " " + e.getOriginalMessage();
    }

    private static String unknownKey(String at, String key, Collection<String> allowed) {
        return "unknown key " + join(at, key) + "; the keys allowed " + (at.isEmpty() ? "at the top level" : "in " + at)
                + ": " + allowed.stream().sorted().toList() + " (local/README.md lists them)";
    }

    private static String path(List<JsonMappingException.Reference> refs, int n) {
        return refs.subList(0, Math.max(0, n)).stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String join(String at, String key) {
        return at.isEmpty() ? key : at + "." + key;
    }

    private static String expected(Class<?> type) {
        if (type == Integer.class || type == int.class) return "a whole number";
        if (type == String.class) return "a string";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (Collection.class.isAssignableFrom(type)) return "an array";
        return "an object";
    }

    private static JsonPointer pointer(List<JsonMappingException.Reference> refs) {
        JsonPointer p = JsonPointer.empty();
        for (JsonMappingException.Reference r : refs) {
            p = r.getFieldName() != null ? p.appendProperty(r.getFieldName()) : p.appendIndex(r.getIndex());
        }
        return p;
    }

    private static String shown(JsonNode value) {
        if (value.isMissingNode()) return "nothing";
        if (value.isContainerNode()) return value.isArray() ? "an array" : "an object";
        return value.toString();
    }

    /**
     * Routes read from a local file, checked as the function checks BRIDGE_ROUTES ({@link Routes});
     * an unknown key is an error here, not a warning. {@code where} starts the error message.
     */
    public static List<Route> routes(JsonNode array, String where) {
        try {
            return Routes.fromTree(array).withoutUnknownKeys().all();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " " + e.getMessage(), e);
        }
    }

    /** {@code routes}: the contract's checks, strict about unknown keys. */
    static final class RoutesFromFile extends JsonDeserializer<List<Route>> {
        @Override
        public List<Route> deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            JsonNode tree = ctx.readTree(p);
            try {
                return Routes.fromTree(tree).withoutUnknownKeys().all();
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(p, e.getMessage());   // "is invalid: …", after the path "routes"
            }
        }
    }

    /** {@code canary}: true reads the canary route of terraform/canary-route.json. */
    static final class CanaryFlag extends JsonDeserializer<CanaryRoute> {
        @Override
        public CanaryRoute deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            if (!p.currentToken().isBoolean()) {
                throw MismatchedInputException.from(p, Boolean.class, "canary must be true or false");
            }
            return p.getBooleanValue() ? CanaryRoute.load() : null;
        }
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static int within(String key, int value, int min, int max) {
        if (value < min || value > max) throw InvalidSetting.value(key, value, "allowed are " + min + " to " + max);
        return value;
    }
}
