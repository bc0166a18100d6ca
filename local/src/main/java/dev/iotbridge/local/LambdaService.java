package dev.iotbridge.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iotbridge.local.config.Ports;
import dev.iotbridge.local.lambda.EventSourceMapping;
import dev.iotbridge.local.lambda.FunctionCommand;
import dev.iotbridge.local.lambda.FunctionInstance;
import dev.iotbridge.local.lambda.RuntimeApiServer;
import dev.iotbridge.local.sqs.LocalSqs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The destination account's Lambda service running the bridge function: N instances (each a
 * process of the artifact behind its own Runtime API), their environment as the destination
 * module sets it, and the SQS event source mapping that invokes them.
 */
final class LambdaService implements AutoCloseable {
    private final StackSettings s;
    private final Counters counters;
    private final List<FunctionInstance> instances = new ArrayList<>();
    private final List<EventSourceMapping> mappings = new ArrayList<>();

    LambdaService(StackSettings s, Counters counters) {
        this.s = s;
        this.counters = counters;
    }

    /**
     * Starts every instance at once, as Lambda starts execution environments side by side, and
     * waits until each has reached its Runtime API (unless the settings say not to wait).
     *
     * @param firstRuntimeApiPort instance i listens on this + i; 0: free ports
     */
    void start(Path workDir, int firstRuntimeApiPort, DestinationAccount destination, StartWatch watch)
            throws IOException, InterruptedException {
        FunctionCommand cmd = s.functionCommand;
        if (cmd == null) {
            List<String> jvm = s.jvmOptions != null ? s.jvmOptions : FunctionCommand.managedJava21Options(s.memoryMb);
            cmd = FunctionCommand.fromZip(s.functionZip, workDir.resolve("function"), s.ricDir(), s.javaBin, s.handler, jvm,
                    s.memoryMb);
        }
        Map<String, String> env = environment(cmd.kind(), destination);
        if (destination.iotDataCa() != null) cmd = cmd.withSystemProperties(destination.iotDataCa().javaTrustOptions(), env);
        String arn = "arn:aws:lambda:" + s.region + ":" + s.accountId + ":function:" + s.functionName;
        int n = s.instances;
        for (int i = 0; i < n; i++) {
            int port = firstRuntimeApiPort == 0 ? Ports.freePort() : firstRuntimeApiPort + i;
            RuntimeApiServer api = new RuntimeApiServer(port, arn);
            api.start();
            String name = n == 1 ? "function" : "function-" + i;
            FunctionInstance fi = new FunctionInstance(name, api, cmd, env, workDir.resolve("logs").resolve(name + ".log"),
                    s.echoFunctionOutput ? s.progress : null, counters);
            instances.add(fi);
            watch.step(6, "lambda: Runtime API on 127.0.0.1:%d, starting %s function process (%s)", port, cmd.kind(),
                    fi.logFile());
            fi.start();
        }
        if (!s.awaitFunctionReady) return;
        for (FunctionInstance fi : instances) {
            if (!fi.awaitReady(s.functionTimeout.plusSeconds(20))) {
                throw new IllegalStateException("function process " + fi.name() + " did not reach the Runtime API within "
                        + s.functionTimeout.plusSeconds(20).toSeconds() + " s; see " + fi.logFile());
            }
            watch.progress("       %s ready (init %d ms)", fi.name(), fi.lastInitDuration().toMillis());
        }
    }

    /** The event source mapping on the bridge queue, invoking up to one batch per instance at once. */
    void startMapping(LocalSqs sqs) {
        EventSourceMapping esm = new EventSourceMapping(sqs.client(), sqs.queueUrl(), sqs.queueArn(), s.region, instances,
                new EventSourceMapping.Settings(s.batchSize, s.maximumBatchingWindow, s.functionTimeout, 2, true), counters);
        esm.setLog(line -> s.progress("[esm] %s", line));
        esm.setRetention(s.messageRetention);
        mappings.add(esm);
        if (instances.size() > 1) {
            s.progress("       event source mapping: up to %d concurrent invocations (maximum_concurrency)", instances.size());
        }
        esm.start();
    }

    /**
     * The function's environment: the bridge variables of docs/interfaces.md and Lambda's own, as
     * the runtime of the artifact's kind sets them (Terraform's destination module sets the same).
     */
    private Map<String, String> environment(String kind, DestinationAccount destination) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", s.region);
        env.put("AWS_DEFAULT_REGION", s.region);
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put("AWS_SESSION_TOKEN", "local");
        env.put("AWS_LAMBDA_FUNCTION_NAME", s.functionName);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(s.memoryMb));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + s.functionName);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "local");
        if ("native".equals(kind)) {
            // provided.al2023 (an OS-only runtime) defines no AWS_EXECUTION_ENV; the handler is the
            // executable, and Quarkus' native Lambda needs its signal handlers off
            env.put("_HANDLER", "bootstrap");
            env.put("DISABLE_SIGNAL_HANDLERS", "true");
        } else {
            env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
            env.put("_HANDLER", s.handler);
        }
        try {
            env.put("BRIDGE_ROUTES", new ObjectMapper().writeValueAsString(s.routes.stream().map(r -> r.toJsonMap()).toList()));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        LocalSqs sqs = destination.sqs();
        env.put("BRIDGE_IOT_ENDPOINT", destination.iotData().url());
        env.put("BRIDGE_DLQ_URL", sqs.dlqUrl());
        env.put("BRIDGE_SQS_ENDPOINT", sqs.endpoint());
        // as the destination module sets them: the queue's redrive and retention, and the backoff
        env.put("BRIDGE_MAX_RECEIVE_COUNT", Integer.toString(s.maxReceiveCount));
        env.put("BRIDGE_MESSAGE_RETENTION", s.messageRetention.toSeconds() + "s");
        env.put("BRIDGE_BACKOFF_BASE", s.backoffBase.toSeconds() + "s");
        env.put("BRIDGE_BACKOFF_CAP", s.backoffCap.toSeconds() + "s");
        env.putAll(s.functionEnv);
        return env;
    }

    List<FunctionInstance> instances() { return instances; }

    List<EventSourceMapping> mappings() { return mappings; }

    /** The mapping first (no new invocations), then the instances. */
    @Override
    public void close() {
        for (EventSourceMapping m : mappings) Closing.quietly(m);
        for (int i = instances.size() - 1; i >= 0; i--) Closing.quietly(instances.get(i));
    }
}
