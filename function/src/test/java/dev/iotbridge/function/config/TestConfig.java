package dev.iotbridge.function.config;

import java.util.HashMap;
import java.util.Map;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * {@link BridgeVariables} as SmallRye maps it from {@code bridge.*} values (keys without the
 * prefix, e.g. "max-concurrency"), through the same interceptors Quarkus uses: the default
 * ones (expression expansion) and the discovered ones ({@link VerbatimRoutes}).
 */
public final class TestConfig {
    private TestConfig() {
    }

    public static BridgeVariables bridgeVariables(Map<String, String> values) {
        Map<String, String> properties = new HashMap<>();
        values.forEach((k, v) -> properties.put("bridge." + k, v));
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .addDiscoveredInterceptors()
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .withMapping(BridgeVariables.class)
                .build();
        return config.getConfigMapping(BridgeVariables.class);
    }

    public static BridgeSettings settings(Map<String, String> values) {
        return BridgeSettings.from(bridgeVariables(values));
    }
}
