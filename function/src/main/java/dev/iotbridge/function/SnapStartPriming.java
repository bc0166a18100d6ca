package dev.iotbridge.function;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.Startup;

import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.Routes;
import dev.iotbridge.function.aws.IotPublisher;
import dev.iotbridge.function.config.BridgeSettings;
import dev.iotbridge.function.domain.BridgeException;
import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.ErrorCode;
import dev.iotbridge.function.domain.Outcome;
import dev.iotbridge.function.domain.PublishCommand;
import dev.iotbridge.function.domain.Publisher;
import dev.iotbridge.function.domain.QuarantineSink;
import dev.iotbridge.function.domain.RecordProcessor;
import dev.iotbridge.function.domain.RecordResult;

/**
 * SnapStart priming of the JVM build: before Lambda takes the snapshot of a published version,
 * one synthetic envelope per route goes through the real record path (parse, route, topic
 * policy, destination topic, the iot-data request with marshalling and SigV4 signing) and is
 * stopped just before it would be sent, so the classes, the SDK's lazily built request
 * pipeline and the code JIT-compiled on the way are in the snapshot instead of in the first
 * invocation after a restore. Nothing is published and nothing is quarantined.
 *
 * <p>The hook is a CRaC {@link Resource} registered as the Quarkus SnapStart guide shows
 * ("Resource registration"); AWS's java21 runtime calls {@code beforeCheckpoint} before the
 * snapshot. Elsewhere (no SnapStart, the local stack, the native build) no checkpoint ever
 * happens and it costs one registration.
 */
@Startup
@ApplicationScoped
public class SnapStartPriming implements Resource {
    private static final Logger LOG = Logger.getLogger(SnapStartPriming.class);
    /**
     * For measuring the hook where no snapshot is ever taken (the local stack, make bench):
     * {@code -Diotbridge.snapstart.prime-at-start=true} (e.g. in JAVA_TOOL_OPTIONS) runs it during
     * init, where a SnapStart checkpoint would run it. Not under {@code bridge.}: Quarkus refuses
     * unknown properties in that (mapped) namespace at start-up.
     */
    static final String PRIME_AT_START = "iotbridge.snapstart.prime-at-start";
    /** The level that stands for '+' and '#' in a synthetic source topic. */
    static final String PRIMING_LEVEL = "snapstart-priming";

    @Inject
    BridgeSettings settings;

    @Inject
    IotPublisher publisher;

    @PostConstruct
    void register() {
        if (!ImageMode.current().isNativeImage()) {
            Core.getGlobalContext().register(this);
        }
        if (Boolean.getBoolean(PRIME_AT_START)) {
            beforeCheckpoint(null);
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        long t0 = System.nanoTime();
        List<RecordResult> results = prime(settings.routes(), publisher::prime);
        LOG.infof("SnapStart priming: %d route(s) through the publish path (dry run, nothing sent) in %d ms",
                results.size(), (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // nothing to refresh: the SDK resolves credentials per request from the default chain
    }

    /** A dry-run publish: true when the request was built, signed and stopped before sending. */
    @FunctionalInterface
    interface DryRunPublisher {
        boolean prime(PublishCommand command);
    }

    /**
     * Runs one synthetic envelope per route through {@link RecordProcessor} with a publisher that
     * only dry-runs and a quarantine that refuses to send. Never throws: priming must not fail the
     * snapshot; a record that did not reach the publisher is logged and reported in its result.
     */
    static List<RecordResult> prime(Routes routes, DryRunPublisher dryRun) {
        Publisher publisher = (command, deadline) -> {
            if (!dryRun.prime(command)) {
                throw new BridgeException(ErrorCode.INTERNAL_ERROR, "priming request was not stopped before sending");
            }
        };
        QuarantineSink noQuarantine = (messageId, body, code, detail, route, deadline) -> {
            throw new BridgeException(ErrorCode.QUARANTINE_FAILED, "priming never quarantines: " + code + " " + detail);
        };
        RecordProcessor processor = new RecordProcessor(routes, publisher, noQuarantine, System::currentTimeMillis);
        List<RecordResult> results = new ArrayList<>();
        for (Route route : routes.all()) {
            try {
                RecordResult r = processor.process("snapstart-priming-" + route.name(), envelope(route), Deadline.none());
                if (r.outcome().kind() != Outcome.Kind.PUBLISHED) {
                    LOG.debugf("SnapStart priming of route %s ended %s", route.name(), r.outcome());
                }
                results.add(r);
            } catch (RuntimeException e) {
                LOG.debugf(e, "SnapStart priming of route %s failed", route.name());
            }
        }
        return results;
    }

    /** An envelope v1 on a topic inside the route's source filter ('+' and '#' become one level). */
    static String envelope(Route route) {
        StringBuilder topic = new StringBuilder();
        for (String level : route.sourceFilter().split("/", -1)) {
            if (!topic.isEmpty()) {
                topic.append('/');
            }
            topic.append(level.equals("+") || level.equals("#") ? PRIMING_LEVEL : level);
        }
        try {
            return new ObjectMapper().writeValueAsString(Map.of(
                    "v", 1,
                    "route", route.name(),
                    "topic", topic.toString(),
                    "payload", Base64.getEncoder().encodeToString("{\"priming\":true}".getBytes(StandardCharsets.UTF_8)),
                    "ts", System.currentTimeMillis()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
