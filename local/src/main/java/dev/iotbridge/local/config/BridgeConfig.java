package dev.iotbridge.local.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iotbridge.local.lambda.EventSourceMapping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.Routes;

/**
 * The local stack's settings file, {@code local/bridge.local.json}: the routes (docs/interfaces.md#routes,
 * the same list as the Terraform variable {@code routes}) and the local ports and settings.
 * Every key except {@code routes} is optional.
 */
public final class BridgeConfig {

    public List<Route> routes = new ArrayList<>();
    public int sourceMqttPort = 1883;
    public int destinationMqttPort = 1884;
    public int sqsPort = 9324;
    public int runtimeApiPort = 9001;
    public int iotDataPort = 9080;
    public int sourceIotDataPort = 9081;
    public int controlPort = 9082;
    /** Adds the canary route of terraform/canary-route.json (what {@code canary = true} does in Terraform). */
    public boolean canary;
    public String region = "eu-west-1";
    public String queueName = "iot-bridge";
    public String dlqName = "iot-bridge-dlq";
    public int maxReceiveCount = 5;
    public int visibilityTimeoutSeconds = 30;
    public int batchSize = 10;
    public int maximumBatchingWindowSeconds = 0;
    public String functionName = "iot-bridge";
    public int memoryMb = 512;
    public int timeoutSeconds = 10;
    public String functionArtifact = "function/target/function.zip";
    public Map<String, String> functionEnv = new LinkedHashMap<>();
    public int iotDataLatencyMs = 0;
    /** {@code event_source_mapping.maximum_concurrency}: function instances invoked at once; null = not set (one). */
    public Integer maximumConcurrency;
    /** {@code iot_data.publish_quota_per_second}: the destination's Publish requests per second before 429; 0 = none. */
    public int iotDataPublishQuota = 0;

    private static final ObjectMapper JSON = new ObjectMapper();

    public static BridgeConfig load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        onlyKnownKeys(file, root);
        BridgeConfig c = new BridgeConfig();
        c.routes.addAll(routes(root.path("routes"), file + ": routes"));
        JsonNode ports = root.path("ports");
        c.sourceMqttPort = ports.path("source_mqtt").asInt(c.sourceMqttPort);
        c.destinationMqttPort = ports.path("destination_mqtt").asInt(c.destinationMqttPort);
        c.sqsPort = ports.path("sqs").asInt(c.sqsPort);
        c.runtimeApiPort = ports.path("runtime_api").asInt(c.runtimeApiPort);
        c.iotDataPort = ports.path("iot_data").asInt(c.iotDataPort);
        c.sourceIotDataPort = ports.path("source_iot_data").asInt(c.sourceIotDataPort);
        c.controlPort = ports.path("control").asInt(c.controlPort);
        c.canary = root.path("canary").asBoolean(false);
        c.region = root.path("region").asText(c.region);
        JsonNode q = root.path("queue");
        c.queueName = q.path("name").asText(c.queueName);
        c.dlqName = q.path("dlq_name").asText(c.dlqName);
        c.maxReceiveCount = q.path("max_receive_count").asInt(c.maxReceiveCount);
        c.visibilityTimeoutSeconds = q.path("visibility_timeout_seconds").asInt(c.visibilityTimeoutSeconds);
        JsonNode esm = root.path("event_source_mapping");
        c.batchSize = esm.path("batch_size").asInt(c.batchSize);
        c.maximumBatchingWindowSeconds = esm.path("maximum_batching_window_seconds").asInt(c.maximumBatchingWindowSeconds);
        String mc = "event_source_mapping.maximum_concurrency";
        if (esm.has("maximum_concurrency") && !esm.get("maximum_concurrency").isNull()) {
            c.maximumConcurrency = integer(file, mc, esm.get("maximum_concurrency"));
            EventSourceMapping.instancesFor(c.maximumConcurrency, file + ": " + mc);
        }
        JsonNode f = root.path("function");
        c.functionName = f.path("name").asText(c.functionName);
        c.memoryMb = f.path("memory_mb").asInt(c.memoryMb);
        c.timeoutSeconds = f.path("timeout_seconds").asInt(c.timeoutSeconds);
        c.functionArtifact = f.path("artifact").asText(c.functionArtifact);
        if (f.path("env").isObject()) {
            f.path("env").fields().forEachRemaining(e -> c.functionEnv.put(e.getKey(), e.getValue().asText()));
        }
        c.iotDataLatencyMs = root.path("iot_data").path("latency_ms").asInt(c.iotDataLatencyMs);
        JsonNode quota = root.path("iot_data").path("publish_quota_per_second");
        if (!quota.isMissingNode() && !quota.isNull()) {
            c.iotDataPublishQuota = integer(file, "iot_data.publish_quota_per_second", quota);
            if (c.iotDataPublishQuota < 0) {
                throw new IllegalArgumentException(file + ": iot_data.publish_quota_per_second = " + c.iotDataPublishQuota
                        + ": requests per second the destination's iot-data endpoint accepts before it throttles; 0 or "
                        + "left out for no quota");
            }
        }
        return c;
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

    /** The keys this file may hold, by object; "" is the top level. A misspelt key would be ignored silently otherwise. */
    private static final Map<String, Set<String>> KEYS = Map.of(
            "", Set.of("_comment", "routes", "region", "ports", "canary", "queue", "event_source_mapping", "function", "iot_data"),
            "ports", Set.of("source_mqtt", "destination_mqtt", "sqs", "runtime_api", "iot_data", "source_iot_data", "control"),
            "queue", Set.of("name", "dlq_name", "max_receive_count", "visibility_timeout_seconds"),
            "event_source_mapping", Set.of("batch_size", "maximum_batching_window_seconds", "maximum_concurrency"),
            "function", Set.of("name", "memory_mb", "timeout_seconds", "artifact", "env"),
            "iot_data", Set.of("latency_ms", "publish_quota_per_second"));

    private static void onlyKnownKeys(Path file, JsonNode root) {
        if (!root.isObject()) throw new IllegalArgumentException(file + ": must hold a JSON object");
        for (var section : KEYS.entrySet()) {
            JsonNode node = section.getKey().isEmpty() ? root : root.path(section.getKey());
            if (node.isMissingNode() || node.isNull()) continue;
            String where = section.getKey().isEmpty() ? "" : section.getKey() + ".";
            if (!node.isObject()) throw new IllegalArgumentException(file + ": " + section.getKey() + " must be an object");
            for (String key : (Iterable<String>) node::fieldNames) {
                if (!section.getValue().contains(key)) {
                    throw new IllegalArgumentException(file + ": unknown key " + where + key + "; known here: "
                            + new TreeSet<>(section.getValue()) + " (local/README.md lists them)");
                }
            }
        }
    }

    private static int integer(Path file, String key, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(file + ": " + key + " must be a whole number, not " + v);
        }
        return v.intValue();
    }

    /** Applies {@code -Dbridge.<key>=…} overrides (ports and latency), e.g. -Dbridge.sourceMqttPort=11883. */
    public BridgeConfig withSystemPropertyOverrides() {
        sourceMqttPort = Integer.getInteger("bridge.sourceMqttPort", sourceMqttPort);
        destinationMqttPort = Integer.getInteger("bridge.destinationMqttPort", destinationMqttPort);
        sqsPort = Integer.getInteger("bridge.sqsPort", sqsPort);
        runtimeApiPort = Integer.getInteger("bridge.runtimeApiPort", runtimeApiPort);
        iotDataPort = Integer.getInteger("bridge.iotDataPort", iotDataPort);
        sourceIotDataPort = Integer.getInteger("bridge.sourceIotDataPort", sourceIotDataPort);
        controlPort = Integer.getInteger("bridge.controlPort", controlPort);
        iotDataLatencyMs = Integer.getInteger("bridge.iotDataLatencyMs", iotDataLatencyMs);
        functionArtifact = System.getProperty("local.function.zip", functionArtifact);
        return this;
    }

    /** Applies {@code --key=value} command-line flags (same keys as the system properties). */
    public BridgeConfig withArgs(String[] args) {
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("unknown argument " + a + " (use --sourceMqttPort=N, --destinationMqttPort=N, "
                        + "--sqsPort=N, --runtimeApiPort=N, --iotDataPort=N, --sourceIotDataPort=N, --controlPort=N, --iotDataLatencyMs=N, --config=FILE, --function=ZIP)");
            }
            String k = a.substring(2, a.indexOf('='));
            String v = a.substring(a.indexOf('=') + 1);
            switch (k) {
                case "sourceMqttPort" -> sourceMqttPort = Integer.parseInt(v);
                case "destinationMqttPort" -> destinationMqttPort = Integer.parseInt(v);
                case "sqsPort" -> sqsPort = Integer.parseInt(v);
                case "runtimeApiPort" -> runtimeApiPort = Integer.parseInt(v);
                case "iotDataPort" -> iotDataPort = Integer.parseInt(v);
                case "sourceIotDataPort" -> sourceIotDataPort = Integer.parseInt(v);
                case "controlPort" -> controlPort = Integer.parseInt(v);
                case "iotDataLatencyMs" -> iotDataLatencyMs = Integer.parseInt(v);
                case "function" -> functionArtifact = v;
                case "config" -> { }
                default -> throw new IllegalArgumentException("unknown flag --" + k);
            }
        }
        return this;
    }
}
