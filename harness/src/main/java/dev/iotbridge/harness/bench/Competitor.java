package dev.iotbridge.harness.bench;

import dev.iotbridge.harness.Endpoints;
import dev.iotbridge.harness.StackEndpoints;
import dev.iotbridge.harness.Tracker;
import dev.iotbridge.local.lambda.FunctionCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/** A handler under test and how a Lambda execution environment starts it. */
public record Competitor(String id, String label, Kind kind, Shape shape) {

    public enum Kind { PY_SAMPLE, PY_CORRECTED, PY_CONCURRENT, JVM, NATIVE }

    /** The SQS message body shape the competitor is fed. */
    public enum Shape {
        /** the sample's rule: {@code SELECT *, topic() AS topic} (JSON payload + topic field) */
        LEGACY,
        /** envelope v1 (docs/envelope.md) */
        ENVELOPE;

        /** The body of message {@code seq} (its payload {@link Tracker#SEQ}) as the rule puts it on the queue. */
        String body(int seq, String topic) {
            String payload = new String(Tracker.SEQ.payload(seq), StandardCharsets.UTF_8);
            if (this == LEGACY) {
                return payload.substring(0, payload.length() - 1) + ",\"topic\":\"" + topic + "\"}";
            }
            return "{\"v\":1,\"route\":\"" + StackEndpoints.ROUTE + "\",\"topic\":\"" + topic + "\",\"payload\":\""
                    + Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                    + "\",\"ts\":" + System.currentTimeMillis() + ",\"clientId\":\"bench-device\"}";
        }
    }

    /** Every competitor publishes with retain, as the AWS sample's handler does (so the cost includes retained metering). */
    static final boolean ROUTE_RETAINS = true;
    /** The start-up options this project ships for the jvm runtime (terraform sets JAVA_TOOL_OPTIONS). */
    static final String SHIPPED_JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";

    boolean isPython() {
        return kind == Kind.PY_SAMPLE || kind == Kind.PY_CORRECTED || kind == Kind.PY_CONCURRENT;
    }

    boolean isFunction() {
        return kind == Kind.JVM || kind == Kind.NATIVE;
    }

    /** The sequential Python handlers: no concurrency to size, far slower (fewer messages, batch 10 only). */
    boolean isSequential() {
        return kind == Kind.PY_SAMPLE || kind == Kind.PY_CORRECTED;
    }

    /** An analysis variant of the function (a JVM option changed): throughput only. */
    boolean isVariant() {
        return id.startsWith("jvm-keepalive") || id.startsWith("jvm-c2");
    }

    /**
     * Which throughput runs it takes part in: every one at the first batch size; larger batches
     * only for the concurrent handlers in the legacy shape, and of the analysis variants only the
     * full-JIT one (the JIT's share of the CPU grows with the batch).
     */
    boolean inThroughput(int batchSize, int firstBatchSize) {
        return batchSize == firstBatchSize
                || (!isSequential() && (!isVariant() || id.startsWith("jvm-c2")) && shape == Shape.LEGACY);
    }

    boolean inColdStart() {
        return shape == Shape.LEGACY && !isVariant();
    }

    /** End to end at the configured rate: the concurrent handlers (the sequential ones cannot keep up with it). */
    boolean inEndToEnd() {
        return !isSequential() && !isVariant();
    }

    /** Where things are on this machine. */
    public record Paths(Path benchDir, Path python, Path functionZip, Path nativeZip, Path ricDir, Path javaHome, Path workDir) {}

    /**
     * Command (with its task root as working directory) and environment of one process start;
     * the local stack's {@code FunctionInstance} adds PATH, LANG, TZ, LAMBDA_TASK_ROOT and
     * AWS_LAMBDA_RUNTIME_API.
     */
    public record Launch(FunctionCommand command, Map<String, String> env, String notes) {}

    /**
     * @param concurrency publishes in flight per batch: the function's BRIDGE_MAX_CONCURRENCY and the
     *                    concurrent Python handler's pool (both sized to the batch size by the runner)
     */
    public Launch launch(Paths p, Endpoints.Addresses a, int concurrency, int memoryMb) throws IOException {
        Map<String, String> env = new HashMap<>();
        String home = System.getenv("HOME");
        if (home != null) {
            env.put("HOME", home); // as before: interpreters may look for it
        }
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "bench");
        env.put("AWS_SECRET_ACCESS_KEY", "bench");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_LAMBDA_FUNCTION_NAME", "bench-" + id);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memoryMb));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench-" + id);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "bench");
        switch (kind) {
            case PY_SAMPLE, PY_CORRECTED, PY_CONCURRENT -> {
                String module = switch (kind) {
                    case PY_SAMPLE -> "sample_handler";
                    case PY_CORRECTED -> "corrected_handler";
                    default -> "concurrent_handler";
                };
                env.put("IOT_DATA_ENDPOINT", a.iotData());
                env.put("PUBLISH_CONCURRENCY", Integer.toString(concurrency));
                if (a.caPem() != null) {
                    env.put("AWS_CA_BUNDLE", a.caPem().toString()); // botocore's own switch for a private CA
                }
                env.put("AWS_EXECUTION_ENV", "AWS_Lambda_python3.11");
                env.put("LAMBDA_TASK_ROOT", p.benchDir().resolve("python").toString());
                env.put("_HANDLER", module + ".handler");
                return new Launch(FunctionCommand.custom(
                        List.of(p.python().toString(), "-m", "awslambdaric", module + ".handler"), p.benchDir().resolve("python")),
                        env, "python -m awslambdaric " + module + ".handler");
            }
            case JVM, NATIVE -> {
                // Started exactly as the local stack starts the function (local/ FunctionCommand):
                // a native bootstrap, or the JVM as the managed java21 runtime starts it (AWS's
                // runtime interface client, task root as working directory).
                Path zip = kind == Kind.NATIVE ? p.nativeZip() : p.functionZip();
                FunctionCommand fc = FunctionCommand.fromZip(zip, p.workDir().resolve(id), p.ricDir(),
                        p.javaHome().resolve("bin/java"), FunctionCommand.QUARKUS_HANDLER,
                        FunctionCommand.managedJava21Options(memoryMb), memoryMb);
                if (fc.kind().equals("native") != (kind == Kind.NATIVE)) {
                    throw new IllegalStateException(zip + " is a " + fc.kind() + " artifact, not " + kind);
                }
                Path task = fc.taskRoot();
                env.put("LAMBDA_TASK_ROOT", task.toString());
                env.put("TZ", ":UTC");
                env.put("BRIDGE_ROUTES", "[{\"name\":\"" + StackEndpoints.ROUTE + "\",\"source_filter\":\"bench/#\","
                        + "\"strip_prefix\":\"\",\"add_prefix\":\"\",\"qos\":0,\"retain\":" + ROUTE_RETAINS + "}]");
                env.put("BRIDGE_IOT_ENDPOINT", a.iotData());
                env.put("BRIDGE_DLQ_URL", a.dlqUrl());
                env.put("BRIDGE_SQS_ENDPOINT", a.sqs());
                env.put("BRIDGE_MAX_CONCURRENCY", Integer.toString(concurrency));
                if (kind == Kind.NATIVE) {
                    env.put("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023");
                    env.put("DISABLE_SIGNAL_HANDLERS", "true");
                    FunctionCommand withTrust = fc.withSystemProperties(a.javaTrustOptions(), env);
                    List<String> args = withTrust.command().subList(1, withTrust.command().size());
                    return new Launch(withTrust, env, "native bootstrap " + String.join(" ", args));
                }
                env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
                env.put("_HANDLER", FunctionCommand.QUARKUS_HANDLER);
                if (id.startsWith("jvm-c2")) {
                    // analysis variant: full tiered JIT (C2), i.e. without the C1-only start-up options
                    List<String> cmd = fc.command().stream()
                            .filter(x -> !x.startsWith("-XX:TieredStopAtLevel")).toList();
                    FunctionCommand c2 = new FunctionCommand(fc.kind(), cmd, task).withSystemProperties(a.javaTrustOptions(), env);
                    return new Launch(c2, env, "full tiered JIT (no TieredStopAtLevel)");
                }
                env.put("JAVA_TOOL_OPTIONS", SHIPPED_JAVA_TOOL_OPTIONS);
                List<String> properties = new ArrayList<>();
                if (id.startsWith("jvm-keepalive5")) {
                    // before the fix: the JDK's default of 5 idle keep-alive connections per host
                    properties.add("-Dhttp.maxConnections=5");
                }
                properties.addAll(a.javaTrustOptions());
                fc = fc.withSystemProperties(properties, env);
                Path cds = findAppCds(task);
                if (cds != null) {
                    env.merge("JAVA_TOOL_OPTIONS", "-XX:SharedArchiveFile=" + cds, (x, y) -> x + " " + y);
                }
                return new Launch(fc, env, "JAVA_TOOL_OPTIONS=\"" + env.get("JAVA_TOOL_OPTIONS") + "\"");
            }
            default -> throw new IllegalStateException();
        }
    }

    /** The AppCDS archive Quarkus writes when built with quarkus.package.jar.appcds.enabled. */
    static Path findAppCds(Path task) throws IOException {
        try (Stream<Path> s = Files.walk(task, 3)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".jsa")).findFirst().orElse(null);
        }
    }

    /** Whether function.zip carries an AppCDS archive (*.jsa). */
    static boolean zipHasAppCds(Path zip) {
        if (!Files.isRegularFile(zip)) {
            return false;
        }
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return z.stream().anyMatch(e -> e.getName().endsWith(".jsa"));
        } catch (IOException e) {
            return false;
        }
    }
}
