package dev.iotbridge.function.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * Raw function configuration, prefix {@code bridge}: each key maps to an environment variable
 * ({@code bridge.iot-endpoint} = {@code BRIDGE_IOT_ENDPOINT}, see docs/interfaces.md).
 * Values are read as text on purpose: {@link BridgeSettings} converts and validates them at
 * start-up and fails with one message that names the environment variable and the fix,
 * instead of a generic conversion error naming the property.
 */
@ConfigMapping(prefix = "bridge")
public interface BridgeConfig {

    /** BRIDGE_ROUTES: JSON array of routes (required). */
    Optional<String> routes();

    /** BRIDGE_IOT_ENDPOINT: iot-data endpoint URL (required). */
    Optional<String> iotEndpoint();

    /** BRIDGE_DLQ_URL: quarantine queue URL (required). */
    Optional<String> dlqUrl();

    /** BRIDGE_MAX_CONCURRENCY: publishes in flight per batch (default 10). */
    Optional<String> maxConcurrency();

    /** BRIDGE_PUBLISH_TIMEOUT: per-attempt publish timeout, "3s", "500ms" or ISO-8601 (default 3s). */
    Optional<String> publishTimeout();

    /** BRIDGE_PUBLISH_MAX_ATTEMPTS: SDK attempts per publish, 1 = no in-call retry (default 2). */
    Optional<String> publishMaxAttempts();

    /** BRIDGE_SQS_ENDPOINT: SQS endpoint override, local stack/tests only (applied through quarkus.sqs.endpoint-override). */
    Optional<String> sqsEndpoint();

    /** BRIDGE_METRICS_NAMESPACE: CloudWatch namespace of the EMF metrics (default IotBridge). */
    Optional<String> metricsNamespace();

    /** BRIDGE_MAX_RECEIVE_COUNT: the queue's redrive maxReceiveCount (default: not known, 0). */
    Optional<String> maxReceiveCount();

    /** BRIDGE_BACKOFF_BASE: first retry delay, whole seconds (default 60s). */
    Optional<String> backoffBase();

    /** BRIDGE_BACKOFF_CAP: longest retry delay, whole seconds (default 900s). */
    Optional<String> backoffCap();

    /** BRIDGE_MESSAGE_RETENTION: the queue's message retention period (default 345600s, SQS's default). */
    Optional<String> messageRetention();
}
