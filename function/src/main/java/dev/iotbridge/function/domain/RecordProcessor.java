package dev.iotbridge.function.domain;

import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.Routes;

/**
 * Handles ONE SQS record end to end: parse, route, validate (the destination is the security
 * boundary), publish, and on a permanent failure quarantine. Never throws: every path ends in
 * an {@link Outcome}.
 *
 * <p>Order of checks: envelope → route → source topic policy → source topic within the route's
 * source_filter → loop (hop property already present) → topic mapping and destination topic
 * policy → payload size → publish.
 */
public final class RecordProcessor {
    /** MQTT 5 user property added to every republished message (value: the route name). */
    public static final String HOP_PROPERTY = "iot-bridge-hop";
    /** AWS IoT Core message payload limit: 128 KiB. */
    public static final int MAX_PAYLOAD_BYTES = 128 * 1024;

    private final Routes routes;
    private final Publisher publisher;
    private final QuarantineSink quarantine;
    private final LongSupplier clock;

    public RecordProcessor(Routes routes, Publisher publisher, QuarantineSink quarantine, LongSupplier clock) {
        this.routes = routes;
        this.publisher = publisher;
        this.quarantine = quarantine;
        this.clock = clock;
    }

    /** @param deadline by which the publish (or quarantine) must be over: the adapters bound their calls by it */
    public RecordResult process(String messageId, String body, Deadline deadline) {
        Trace t = new Trace();
        Outcome outcome;
        try {
            outcome = publishOrFail(messageId, body, t, deadline);
        } catch (BridgeException e) {
            outcome = settle(messageId, body, e, t, deadline);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // unexpected: never fail the batch; SQS will retry this record only
            outcome = Outcome.retry(ErrorCode.INTERNAL_ERROR, "unexpected " + e.getClass().getName() + ": " + e.getMessage());
        }
        return new RecordResult(messageId, t.route, t.sourceTopic, t.destinationTopic, t.legacy, outcome, t.latencyMs,
                t.ageMs);
    }

    private Outcome publishOrFail(String messageId, String body, Trace t, Deadline deadline) throws BridgeException {
        Envelope env = EnvelopeParser.parse(body);
        t.legacy = env.legacy();
        t.sourceTopic = env.topic();
        Route route;
        if (env.legacy()) {
            MqttTopics.validateTopicName(env.topic(), "source");
            route = routes.firstMatching(env.topic()).orElseThrow(() -> new BridgeException(ErrorCode.UNKNOWN_ROUTE,
                    "legacy message on topic " + env.topic() + " matches no route's source_filter"));
            t.route = route.name();
        } else {
            t.route = env.route();
            route = routes.byName(env.route()).orElseThrow(() -> new BridgeException(ErrorCode.UNKNOWN_ROUTE,
                    "route '" + env.route() + "' is not configured in BRIDGE_ROUTES"));
            MqttTopics.validateTopicName(env.topic(), "source");
            if (!route.matches(env.topic())) {
                throw new BridgeException(ErrorCode.TOPIC_OUTSIDE_ROUTE, "source topic " + env.topic()
                        + " does not match source_filter '" + route.sourceFilter() + "' of route " + route.name());
            }
        }
        for (Envelope.UserProperty p : env.userProperties()) {
            if (HOP_PROPERTY.equals(p.key())) {
                throw new BridgeException(ErrorCode.LOOP_DETECTED, "message already carries user property "
                        + HOP_PROPERTY + "='" + p.value() + "' (republished by a bridge); not publishing it again");
            }
        }
        String destination = MqttTopics.destinationTopic(route, env.topic());
        t.destinationTopic = destination;
        if (env.payload().length > MAX_PAYLOAD_BYTES) {
            throw new BridgeException(ErrorCode.PAYLOAD_TOO_LARGE, "payload is " + env.payload().length
                    + " bytes, the AWS IoT limit is " + MAX_PAYLOAD_BYTES);
        }
        PublishCommand cmd = new PublishCommand(destination, route.qos(), route.retain(), env.payload(),
                env.contentType(), env.payloadFormatIndicator(), env.responseTopic(), env.correlationData(),
                userPropertiesJson(env, route));
        long start = System.nanoTime();
        try {
            publisher.publish(cmd, deadline);
        } finally {
            t.latencyMs = (System.nanoTime() - start) / 1_000_000;
        }
        if (env.ts() != null) {
            t.ageMs = Math.max(0, clock.getAsLong() - env.ts());
        }
        return Outcome.published();
    }

    private Outcome settle(String messageId, String body, BridgeException e, Trace t, Deadline deadline) {
        if (e.code().transientFailure()) {
            return Outcome.retry(e.code(), e.detail());
        }
        try {
            quarantine.quarantine(messageId, body, e.code(), e.detail(), t.route, deadline);
            return Outcome.quarantined(e.code(), e.detail());
        } catch (BridgeException q) {
            return Outcome.retry(ErrorCode.QUARANTINE_FAILED, q.detail() + "; original error " + e.code() + ": " + e.detail());
        } catch (RuntimeException q) {
            return Outcome.retry(ErrorCode.QUARANTINE_FAILED, "quarantine failed: " + q + "; original error " + e.code());
        }
    }

    /** The device's user properties in order, then {"iot-bridge-hop": "<route>"}: JSON text for the Publish API. */
    static String userPropertiesJson(Envelope env, Route route) {
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (Envelope.UserProperty p : env.userProperties()) {
            arr.addObject().put(p.key(), p.value());
        }
        arr.addObject().put(HOP_PROPERTY, route.name());
        return arr.toString();
    }

    private static final class Trace {
        String route;
        String sourceTopic;
        String destinationTopic;
        boolean legacy;
        Long latencyMs;
        Long ageMs;
    }
}
