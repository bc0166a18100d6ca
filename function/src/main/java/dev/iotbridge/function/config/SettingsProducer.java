package dev.iotbridge.function.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.runtime.Startup;

/** Makes {@link BridgeSettings} a bean, built eagerly ({@link Startup}): configuration errors stop start-up. */
public class SettingsProducer {

    @Produces
    @Singleton
    @Startup
    BridgeSettings settings(BridgeVariables config) {
        return BridgeSettings.from(config);
    }
}
