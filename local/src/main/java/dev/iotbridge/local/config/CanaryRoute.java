package dev.iotbridge.local.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;

import dev.iotbridge.contract.Route;

/**
 * The canary route and the topic {@code make doctor} publishes on, read from the one definition
 * Terraform uses too ({@code terraform/canary-route.json}).
 */
public record CanaryRoute(Route route, String topic) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static CanaryRoute load() {
        Path file = RepositoryPaths.canaryRouteFile();
        try {
            JsonNode root = JSON.readTree(file.toFile());
            Route route = BridgeConfig.routes(JSON.createArrayNode().add(root.path("route")), file + ": route").get(0);
            return new CanaryRoute(route, root.path("topic").asText());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the canary route from " + file + ": " + e.getMessage(), e);
        }
    }

    /** The topic the canary arrives on in the destination account. */
    public String destinationTopic() { return route.destinationTopic(topic); }
}
