package dev.iotbridge.function.config;

import jakarta.annotation.Priority;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Expressions;
import io.smallrye.config.Priorities;

import dev.iotbridge.contract.Routes;

/**
 * Reads {@code bridge.routes} (BRIDGE_ROUTES) exactly as set. SmallRye expands {@code ${...}}
 * in every value: a route containing {@code ${x}} would make the whole variable vanish (start-up
 * then says it is not set), {@code ${x:y}} would silently become {@code y}, and {@code $$} or
 * {@code \$} would lose a character. Routes are JSON data, not configuration expressions.
 * Runs before SmallRye's expression interceptor (higher priority); registered in
 * META-INF/services/io.smallrye.config.ConfigSourceInterceptor.
 */
@Priority(Priorities.LIBRARY + 400)
public class VerbatimRoutes implements ConfigSourceInterceptor {
    static final String PROPERTY = "bridge.routes";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        return PROPERTY.equals(name) ? Expressions.withoutExpansion(() -> context.proceed(name)) : context.proceed(name);
    }
}
