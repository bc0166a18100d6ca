package dev.iotbridge.function.config;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.iotbridge.function.domain.RetryBackoff;
import dev.iotbridge.function.domain.RetryPolicy;
import dev.iotbridge.function.domain.Route;
import dev.iotbridge.function.domain.Routes;
import io.quarkus.runtime.Startup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * The validated, typed configuration. Built eagerly at start-up ({@link Startup}): any
 * missing or invalid value stops the function before it takes an event, with ONE message
 * listing every problem, each naming its environment variable and the fix.
 */
@Startup
@Singleton
public class BridgeSettings {
    private static final Logger LOG = Logger.getLogger(BridgeSettings.class);
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)");

    private final Routes routes;
    private final URI iotEndpoint;
    private final String dlqUrl;
    private final int maxConcurrency;
    private final Duration publishTimeout;
    private final int publishMaxAttempts;
    private final String metricsNamespace;
    private final Region region;
    private final RetryPolicy retryPolicy;

    public BridgeSettings(BridgeConfig config) {
        List<String> problems = new ArrayList<>();
        this.routes = routes(config.routes(), problems);
        this.iotEndpoint = endpoint(config.iotEndpoint(), problems);
        this.dlqUrl = dlqUrl(config.dlqUrl(), problems);
        this.maxConcurrency = intIn(config.maxConcurrency(), "BRIDGE_MAX_CONCURRENCY", 10, 1, 1000, problems);
        this.publishTimeout = duration(config.publishTimeout(), problems);
        this.publishMaxAttempts = intIn(config.publishMaxAttempts(), "BRIDGE_PUBLISH_MAX_ATTEMPTS", 2, 1, 10, problems);
        this.metricsNamespace = config.metricsNamespace().filter(s -> !s.isBlank()).orElse("IotBridge");
        config.sqsEndpoint().filter(s -> !s.isBlank()).ifPresent(s -> {
            if (!isHttpUrl(s)) {
                problems.add("BRIDGE_SQS_ENDPOINT='" + s + "' is not an http(s) URL; set it to e.g. http://127.0.0.1:9324 or unset it");
            }
        });
        this.region = region(problems);
        this.retryPolicy = retryPolicy(config, problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("iot-bridge function configuration is invalid: " + String.join(" | ", problems));
        }
        if (routes != null) {
            routes.warnings().forEach(w -> LOG.warnf("BRIDGE_ROUTES: %s", w));
        }
        LOG.infof("iot-bridge ready: %d route(s) %s, iot endpoint %s, max concurrency %d, publish timeout %s x %d attempt(s)",
                routes.all().size(), routes.all().stream().map(Route::name).toList(), iotEndpoint, maxConcurrency,
                publishTimeout, publishMaxAttempts);
        LOG.infof("retries: backoff %d s doubling to %d s (with jitter), max receive count %s, retention %d s",
                retryPolicy.backoff().baseSeconds(), retryPolicy.backoff().capSeconds(),
                retryPolicy.maxReceiveCount() == 0 ? "not set" : retryPolicy.maxReceiveCount(), retryPolicy.retentionSeconds());
    }

    public Routes routes() {
        return routes;
    }

    public URI iotEndpoint() {
        return iotEndpoint;
    }

    public String dlqUrl() {
        return dlqUrl;
    }

    public int maxConcurrency() {
        return maxConcurrency;
    }

    public Duration publishTimeout() {
        return publishTimeout;
    }

    public int publishMaxAttempts() {
        return publishMaxAttempts;
    }

    public String metricsNamespace() {
        return metricsNamespace;
    }

    public Region region() {
        return region;
    }

    /** Backoff, last allowed receive and retention of records that failed transiently. */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    private static RetryPolicy retryPolicy(BridgeConfig config, List<String> problems) {
        int maxReceiveCount = intIn(config.maxReceiveCount(), "BRIDGE_MAX_RECEIVE_COUNT", 0, 1, 1000, problems);
        long base = seconds(config.backoffBase(), "BRIDGE_BACKOFF_BASE", 60, 1, RetryBackoff.MAX_VISIBILITY_SECONDS, problems);
        long cap = seconds(config.backoffCap(), "BRIDGE_BACKOFF_CAP", 900, 1, RetryBackoff.MAX_VISIBILITY_SECONDS, problems);
        // SQS allows 60 s - 14 days; shorter only for time-compressed local tests
        long retention = seconds(config.messageRetention(), "BRIDGE_MESSAGE_RETENTION", RetryPolicy.DEFAULT_RETENTION_SECONDS,
                1, 1_209_600, problems);
        if (cap < base) {
            problems.add("BRIDGE_BACKOFF_CAP=" + cap + "s is shorter than BRIDGE_BACKOFF_BASE=" + base
                    + "s; set the cap to at least the base");
            cap = base;
        }
        return new RetryPolicy(new RetryBackoff((int) base, (int) cap), Math.max(0, maxReceiveCount), retention);
    }

    /** A duration in whole seconds ("60s", "15m", "PT1H"), from {@code min} to {@code max} seconds. */
    private static long seconds(Optional<String> value, String env, long dflt, long min, long max, List<String> problems) {
        if (value.isEmpty() || value.get().isBlank()) {
            return dflt;
        }
        Optional<Duration> d = parseDuration(value.get());
        if (d.isEmpty() || d.get().toMillis() % 1000 != 0 || d.get().getSeconds() < min || d.get().getSeconds() > max) {
            problems.add(env + "='" + value.get() + "' is not a whole number of seconds from " + min + " to " + max
                    + "; set e.g. " + dflt + "s (default " + dflt + "s)");
            return dflt;
        }
        return d.get().getSeconds();
    }

    private static Routes routes(Optional<String> value, List<String> problems) {
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

    private static URI endpoint(Optional<String> value, List<String> problems) {
        if (value.isEmpty() || value.get().isBlank()) {
            problems.add("BRIDGE_IOT_ENDPOINT is not set; set it to the destination account's iot-data endpoint, e.g. "
                    + "https://xxxxxxxxxxxxxx-ats.iot.eu-west-1.amazonaws.com (aws iot describe-endpoint --endpoint-type iot:Data-ATS)");
            return null;
        }
        String v = value.get().trim();
        if (!v.contains("://")) {
            v = "https://" + v; // describe-endpoint returns the bare host name
        }
        if (!isHttpUrl(v)) {
            problems.add("BRIDGE_IOT_ENDPOINT='" + value.get() + "' is not an http(s) URL with a host; set it to e.g. "
                    + "https://xxxxxxxxxxxxxx-ats.iot.eu-west-1.amazonaws.com");
            return null;
        }
        return URI.create(v);
    }

    private static String dlqUrl(Optional<String> value, List<String> problems) {
        if (value.isEmpty() || value.get().isBlank()) {
            problems.add("BRIDGE_DLQ_URL is not set; set it to the URL of the dead-letter queue, e.g. "
                    + "https://sqs.eu-west-1.amazonaws.com/123456789012/iot-bridge-dlq");
            return null;
        }
        if (!isHttpUrl(value.get().trim())) {
            problems.add("BRIDGE_DLQ_URL='" + value.get() + "' is not a queue URL; set it to e.g. "
                    + "https://sqs.eu-west-1.amazonaws.com/123456789012/iot-bridge-dlq");
            return null;
        }
        return value.get().trim();
    }

    private static int intIn(Optional<String> value, String env, int dflt, int min, int max, List<String> problems) {
        if (value.isEmpty() || value.get().isBlank()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(value.get().trim());
            if (v < min || v > max) {
                problems.add(env + "=" + v + " is out of range; set an integer from " + min + " to " + max + " (default " + dflt + ")");
            }
            return v;
        } catch (NumberFormatException e) {
            problems.add(env + "='" + value.get() + "' is not an integer; set an integer from " + min + " to " + max
                    + " (default " + dflt + ")");
            return dflt;
        }
    }

    /** Parses "3s", "500ms", "1m" or ISO-8601 ("PT3S"). Package-visible for tests. */
    static Optional<Duration> parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT_DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return Optional.of(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            });
        }
        try {
            return Optional.of(Duration.parse(text.trim().toUpperCase(Locale.ROOT)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Duration duration(Optional<String> value, List<String> problems) {
        Duration dflt = Duration.ofSeconds(3);
        if (value.isEmpty() || value.get().isBlank()) {
            return dflt;
        }
        Optional<Duration> d = parseDuration(value.get());
        if (d.isEmpty() || d.get().isNegative() || d.get().isZero() || d.get().compareTo(Duration.ofMinutes(5)) > 0) {
            problems.add("BRIDGE_PUBLISH_TIMEOUT='" + value.get() + "' is not a duration between 1ms and 5m; "
                    + "set e.g. 3s, 500ms or PT3S (default 3s)");
            return dflt;
        }
        return d.get();
    }

    private static Region region(List<String> problems) {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (RuntimeException e) {
            problems.add("AWS_REGION is not set (Lambda sets it); set AWS_REGION to the destination region, e.g. eu-west-1");
            return null;
        }
    }

    private static boolean isHttpUrl(String s) {
        try {
            URI u = URI.create(s);
            return ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
