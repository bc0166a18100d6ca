package dev.iotbridge.function.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.jboss.logging.Logger;

import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.Routes;
import dev.iotbridge.function.domain.RetryBackoff;
import dev.iotbridge.function.domain.RetryPolicy;
import dev.iotbridge.function.telemetry.RecordLog;
import io.quarkus.runtime.configuration.DurationConverter;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * The validated, typed configuration. {@link #from} checks every setting and throws ONE
 * message listing every problem, each naming its environment variable and the fix; it runs
 * at start-up ({@link SettingsProducer}), so a bad configuration stops the function before it
 * takes an event.
 */
public record BridgeSettings(Routes routes, URI iotEndpoint, String dlqUrl, int maxConcurrency, Duration publishTimeout,
        int publishMaxAttempts, String metricsNamespace, RecordLog recordLog, Region region, RetryPolicy retryPolicy) {
    private static final Logger LOG = Logger.getLogger(BridgeSettings.class);
    private static final String QUEUE_EXAMPLE = "https://sqs.eu-west-1.amazonaws.com/123456789012/iot-bridge-dlq";
    private static final String IOT_EXAMPLE = "https://xxxxxxxxxxxxxx-ats.iot.eu-west-1.amazonaws.com";

    public static BridgeSettings from(BridgeVariables config) {
        Problems problems = new Problems();
        Routes routes = routes(config.routes(), problems);
        URI iotEndpoint = problems.required("BRIDGE_IOT_ENDPOINT", config.iotEndpoint(),
                "set it to the destination account's iot-data endpoint, e.g. " + IOT_EXAMPLE
                        + " (aws iot describe-endpoint --endpoint-type iot:Data-ATS)",
                v -> httpUrl(v.contains("://") ? v : "https://" + v, IOT_EXAMPLE)); // describe-endpoint prints the bare host
        String dlqUrl = problems.required("BRIDGE_DLQ_URL", config.dlqUrl(),
                "set it to the URL of the dead-letter queue, e.g. " + QUEUE_EXAMPLE,
                v -> httpUrl(v, QUEUE_EXAMPLE).toString());
        Integer maxConcurrency = problems.optional("BRIDGE_MAX_CONCURRENCY", config.maxConcurrency(), "10",
                v -> integer(v, 1, 1000));
        Duration publishTimeout = problems.optional("BRIDGE_PUBLISH_TIMEOUT", config.publishTimeout(), "3s",
                BridgeSettings::publishTimeout);
        Integer publishMaxAttempts = problems.optional("BRIDGE_PUBLISH_MAX_ATTEMPTS", config.publishMaxAttempts(), "2",
                v -> integer(v, 1, 10));
        problems.optional("BRIDGE_SQS_ENDPOINT", config.sqsEndpoint(), null, v -> httpUrl(v, "http://127.0.0.1:9324"));
        String metricsNamespace = problems.optional("BRIDGE_METRICS_NAMESPACE", config.metricsNamespace(), "IotBridge", v -> v);
        RecordLog recordLog = problems.optional("BRIDGE_RECORD_LOG", config.recordLog(), "all", RecordLog::parse);
        Region region = region(problems);
        RetryPolicy retryPolicy = retryPolicy(config, problems);
        problems.throwIfAny();

        routes.warnings().forEach(w -> LOG.warnf("BRIDGE_ROUTES: %s; ignored", w));
        LOG.infof("iot-bridge ready: %d route(s) %s, iot endpoint %s, max concurrency %d, publish timeout %s x %d attempt(s)",
                routes.all().size(), routes.all().stream().map(Route::name).toList(), iotEndpoint, maxConcurrency,
                publishTimeout, publishMaxAttempts);
        LOG.infof("retries: backoff %d s doubling to %d s (with jitter), max receive count %s, retention %d s",
                retryPolicy.backoff().baseSeconds(), retryPolicy.backoff().capSeconds(),
                retryPolicy.maxReceiveCount() == 0 ? "not set" : retryPolicy.maxReceiveCount(), retryPolicy.retentionSeconds());
        return new BridgeSettings(routes, iotEndpoint, dlqUrl, maxConcurrency, publishTimeout, publishMaxAttempts,
                metricsNamespace, recordLog, region, retryPolicy);
    }

    /**
     * Backoff, last allowed receive and retention of records that failed transiently (the
     * destination module sets all four from the queue it creates). Null when a value is bad (reported).
     */
    private static RetryPolicy retryPolicy(BridgeVariables config, Problems problems) {
        Integer maxReceiveCount = problems.optional("BRIDGE_MAX_RECEIVE_COUNT", config.maxReceiveCount(), "0",
                v -> v.equals("0") ? 0 : integer(v, 1, 1000));
        Integer base = problems.optional("BRIDGE_BACKOFF_BASE", config.backoffBase(), "60s",
                v -> seconds(v, 1, RetryBackoff.MAX_VISIBILITY_SECONDS));
        Integer cap = problems.optional("BRIDGE_BACKOFF_CAP", config.backoffCap(), "900s",
                v -> seconds(v, 1, RetryBackoff.MAX_VISIBILITY_SECONDS));
        // SQS allows 60 s - 14 days; shorter values only for time-compressed local tests
        Integer retention = problems.optional("BRIDGE_MESSAGE_RETENTION", config.messageRetention(), "345600s",
                v -> seconds(v, 1, 1_209_600));
        if (maxReceiveCount == null || base == null || cap == null || retention == null) {
            return null;
        }
        if (cap < base) {
            problems.add("BRIDGE_BACKOFF_CAP=" + cap + "s is shorter than BRIDGE_BACKOFF_BASE=" + base
                    + "s; set the cap to at least the base");
            return null;
        }
        return new RetryPolicy(new RetryBackoff(base, cap), maxReceiveCount, retention);
    }

    /** A whole number of seconds within [min, max], in Quarkus' duration syntax ("60s", "15m", "PT1H", "60"). */
    private static int seconds(String text, int min, int max) {
        return parseDuration(text)
                .filter(d -> d.toMillis() % 1000 == 0 && d.getSeconds() >= min && d.getSeconds() <= max)
                .map(d -> (int) d.getSeconds())
                .orElseThrow(() -> new IllegalArgumentException("is not a whole number of seconds from " + min + " to "
                        + max + "; set e.g. 60s, 15m or PT1H, or unset it"));
    }

    /** Quarkus' duration syntax: "3s", "500ms", "1m", a number of seconds, or ISO-8601 ("PT3S"). */
    static Optional<Duration> parseDuration(String text) {
        try {
            return Optional.ofNullable(DurationConverter.parseDuration(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Routes are reported without their (long) value; Routes.parse names the route and key at fault. */
    private static Routes routes(Optional<String> value, Problems problems) {
        if (value.isEmpty() || value.get().isBlank()) {
            problems.add("BRIDGE_ROUTES is not set; set it to the JSON array of routes, e.g. "
                    + "[{\"name\":\"ground\",\"source_filter\":\"GROUND/v1/#\",\"add_prefix\":\"bridged/\"}]");
            return null;
        }
        try {
            return Routes.parse(value.get());
        } catch (IllegalArgumentException e) {
            problems.add("BRIDGE_ROUTES " + e.getMessage() + "; fix the routes (keys: name, source_filter, condition, "
                    + "strip_prefix, add_prefix, qos, retain)");
            return null;
        }
    }

    private static int integer(String text, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not an integer; set an integer from " + min + " to " + max + " or unset it");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("is out of range; set an integer from " + min + " to " + max + " or unset it");
        }
        return v;
    }

    private static Duration publishTimeout(String text) {
        return parseDuration(text)
                .filter(d -> d.compareTo(Duration.ofMillis(1)) >= 0 && d.compareTo(Duration.ofMinutes(5)) <= 0)
                .orElseThrow(() -> new IllegalArgumentException(
                        "is not a duration between 1ms and 5m; set e.g. 3s, 500ms or PT3S, or unset it"));
    }

    private static URI httpUrl(String text, String example) {
        try {
            URI u = URI.create(text);
            if (("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) && u.getHost() != null) {
                return u;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("is not an http(s) URL with a host; set it to e.g. " + example);
    }

    private static Region region(Problems problems) {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (RuntimeException e) {
            problems.add("AWS_REGION is not set (Lambda sets it); set AWS_REGION to the destination region, e.g. eu-west-1");
            return null;
        }
    }

    /** Every problem found, each naming its environment variable and the fix; thrown together as one message. */
    private static final class Problems {
        private final List<String> found = new ArrayList<>();

        void add(String problem) {
            found.add(problem);
        }

        /** A required variable: "ENV is not set; howToSet" when it is missing or blank, else {@link #valid}. */
        <T> T required(String env, Optional<String> value, String howToSet, Function<String, T> conversion) {
            if (value.isEmpty() || value.get().isBlank()) {
                add(env + " is not set; " + howToSet);
                return null;
            }
            return valid(env, value.get(), conversion);
        }

        /** An optional variable: the default (null: none) when it is missing or blank, else {@link #valid}. */
        <T> T optional(String env, Optional<String> value, String dflt, Function<String, T> conversion) {
            String text = value.filter(v -> !v.isBlank()).orElse(dflt);
            return text == null ? null : valid(env, text, conversion);
        }

        /**
         * The converted value, or null with "ENV=value reason; fix" recorded when the conversion
         * refuses it (IllegalArgumentException carrying the reason and the fix). Text values are
         * quoted so that blanks show; integers are not.
         */
        <T> T valid(String env, String value, Function<String, T> conversion) {
            try {
                return conversion.apply(value.trim());
            } catch (IllegalArgumentException e) {
                String shown = value.matches("-?\\d+") ? value : "'" + value + "'";
                add(env + "=" + shown + " " + e.getMessage());
                return null;
            }
        }

        void throwIfAny() {
            if (!found.isEmpty()) {
                throw new IllegalStateException("iot-bridge function configuration is invalid: " + String.join(" | ", found));
            }
        }
    }
}
