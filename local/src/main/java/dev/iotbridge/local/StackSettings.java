package dev.iotbridge.local;

import dev.iotbridge.contract.Route;
import dev.iotbridge.local.broker.EmbeddedBroker;
import dev.iotbridge.local.config.BridgeConfig;
import dev.iotbridge.local.config.Ports;
import dev.iotbridge.local.config.RepositoryPaths;
import dev.iotbridge.local.iotdata.FaultPlan;
import dev.iotbridge.local.lambda.FunctionCommand;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of a stack, with its default: what {@link LocalBridgeStack.Builder} fills in and
 * the parts of the stack read. The settings the file {@code bridge.local.json} also has take their
 * defaults from {@link BridgeConfig#DEFAULTS}, so that a default is written once.
 */
final class StackSettings {
    List<Route> routes = new ArrayList<>();
    Ports ports;
    boolean controlPlane;
    String region;
    String accountId = "000000000000";
    String queueName;
    String dlqName;
    int maxReceiveCount;
    Duration visibilityTimeout;
    Duration messageRetention = Duration.ofDays(4);
    /** Retry backoff of the function: on a laptop's time scale (the function's own default is 60 s / 900 s). */
    Duration backoffBase = Duration.ofSeconds(1);
    Duration backoffCap = Duration.ofSeconds(30);
    int batchSize;
    Duration maximumBatchingWindow;
    Duration functionTimeout;
    int memoryMb;
    String functionName;
    String handler = FunctionCommand.QUARKUS_HANDLER;
    Path functionZip;
    FunctionCommand functionCommand;
    List<String> jvmOptions;
    Path javaBin = FunctionCommand.currentJava();
    Path ricDir;
    final Map<String, String> functionEnv = new LinkedHashMap<>();
    boolean echoFunctionOutput;
    /** null: one instance (scaling_config.maximum_concurrency not set). */
    Integer maximumConcurrency;
    /** Function instances: the checked maximum concurrency (set by the builder's build()). */
    int instances = 1;
    /** Requests per second the iot-data endpoint answers before it throttles; 0: no quota. */
    int iotDataPublishQuota;
    Duration iotDataLatency;
    boolean iotDataTls;
    FaultPlan faultPlan = FaultPlan.NONE;
    boolean enforcePublishPolicy = true;
    Path templateFile;
    Path workDir;
    PrintStream progress = System.out;
    EmbeddedBroker sharedSource;
    EmbeddedBroker sharedDestination;
    boolean rulesEngineEnabled = true;
    boolean startFunction = true;
    boolean awaitFunctionReady = true;
    Duration startTimeout = Duration.ofSeconds(Long.getLong("bridge.startTimeoutSeconds", 120));

    StackSettings() {
        apply(BridgeConfig.DEFAULTS);
        functionZip = null;   // the default is looked up at build(): -Dlocal.function.zip may be set by then
    }

    /** The settings of the file; its routes only through {@link LocalBridgeStack.Builder#config}. */
    void apply(BridgeConfig c) {
        ports = c.ports();
        region = c.region();
        queueName = c.queue().name();
        dlqName = c.queue().dlqName();
        maxReceiveCount = c.queue().maxReceiveCount();
        visibilityTimeout = Duration.ofSeconds(c.queue().visibilityTimeoutSeconds());
        batchSize = c.eventSourceMapping().batchSize();
        maximumBatchingWindow = Duration.ofSeconds(c.eventSourceMapping().maximumBatchingWindowSeconds());
        maximumConcurrency = c.eventSourceMapping().maximumConcurrency();
        functionName = c.function().name();
        memoryMb = c.function().memoryMb();
        functionTimeout = Duration.ofSeconds(c.function().timeoutSeconds());
        functionZip = c.function().artifactPath();
        functionEnv.putAll(c.function().env());
        iotDataLatency = Duration.ofMillis(c.iotData().latencyMs());
        iotDataPublishQuota = c.iotData().publishQuotaPerSecond();
    }

    Path templateFile() {
        return templateFile != null ? templateFile : RepositoryPaths.ruleTemplate();
    }

    Path ricDir() {
        return ricDir != null ? ricDir : RepositoryPaths.ricDir();
    }

    void progress(String fmt, Object... args) {
        if (progress != null) progress.println(String.format(fmt, args));
    }
}
