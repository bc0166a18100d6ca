package dev.iotbridge.function.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * The function's settings as SmallRye maps them, prefix {@code bridge}: each key is an
 * environment variable ({@code bridge.iot-endpoint} = {@code BRIDGE_IOT_ENDPOINT}, see
 * function/README.md); a variable set to the empty string counts as unset.
 * <p>
 * Values stay text on purpose: {@link BridgeSettings} converts them, applies the defaults and
 * reports every bad value in ONE message naming the environment variable and the fix. Typed
 * methods would let SmallRye stop start-up first, naming the property instead of the variable,
 * before the other settings are checked, and failing on an empty value instead of defaulting.
 * {@code routes} is read verbatim, without {@code ${...}} expansion ({@link VerbatimRoutes}).
 */
@ConfigMapping(prefix = "bridge")
public interface BridgeVariables {

    /** BRIDGE_ROUTES: JSON array of routes (required). */
    Optional<String> routes();

    /** BRIDGE_IOT_ENDPOINT: iot-data endpoint URL or bare host name (required). */
    Optional<String> iotEndpoint();

    /** BRIDGE_DLQ_URL: quarantine queue URL (required). */
    Optional<String> dlqUrl();

    /** BRIDGE_MAX_CONCURRENCY: publishes in flight per batch, 1 to 1000 (default 10). */
    Optional<String> maxConcurrency();

    /** BRIDGE_PUBLISH_TIMEOUT: per-attempt publish timeout, "3s", "500ms", "1m" or ISO-8601, 1 ms to 5 min (default 3s). */
    Optional<String> publishTimeout();

    /** BRIDGE_PUBLISH_MAX_ATTEMPTS: SDK attempts per publish, 1 (no in-call retry) to 10 (default 2). */
    Optional<String> publishMaxAttempts();

    /** BRIDGE_SQS_ENDPOINT: SQS endpoint override, local stack/tests only (applied through quarkus.sqs.endpoint-override). */
    Optional<String> sqsEndpoint();

    /** BRIDGE_METRICS_NAMESPACE: CloudWatch namespace of the EMF metrics (default IotBridge). */
    Optional<String> metricsNamespace();

    /** BRIDGE_RECORD_LOG: which records get a log line, all or failures (default all). */
    Optional<String> recordLog();

    /** BRIDGE_MAX_RECEIVE_COUNT: the queue's redrive maxReceiveCount (default: not known, 0). */
    Optional<String> maxReceiveCount();

    /** BRIDGE_BACKOFF_BASE: first retry delay, whole seconds (default 60s). */
    Optional<String> backoffBase();

    /** BRIDGE_BACKOFF_CAP: longest retry delay, whole seconds (default 900s). */
    Optional<String> backoffCap();

    /** BRIDGE_MESSAGE_RETENTION: the queue's message retention period (default 345600s, SQS's default). */
    Optional<String> messageRetention();
}
