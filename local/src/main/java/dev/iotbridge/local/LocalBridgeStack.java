package dev.iotbridge.local;

import dev.iotbridge.contract.Route;
import dev.iotbridge.local.broker.EmbeddedBroker;
import dev.iotbridge.local.broker.MqttObserver;
import dev.iotbridge.local.config.BridgeConfig;
import dev.iotbridge.local.config.Ports;
import dev.iotbridge.local.config.RepositoryPaths;
import dev.iotbridge.local.config.StackPort;
import dev.iotbridge.local.control.ControlPlaneEndpoint;
import dev.iotbridge.local.iotdata.FaultPlan;
import dev.iotbridge.local.iotdata.IotDataEndpoint;
import dev.iotbridge.local.iotdata.LocalCa;
import dev.iotbridge.local.lambda.EventSourceMapping;
import dev.iotbridge.local.lambda.FunctionCommand;
import dev.iotbridge.local.lambda.FunctionInstance;
import dev.iotbridge.local.rules.RulesEngine;
import dev.iotbridge.local.sqs.LocalSqs;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The whole local two-account stack (local/README.md), as a library: source broker → rules engine →
 * SQS queue (+DLQ) → event source mapping → function process(es) → iot-data endpoint →
 * destination broker. Used by {@code make up}/{@code make demo}, the end-to-end tests, the
 * benchmarks and the chaos suite.
 *
 * <pre>{@code
 * try (LocalBridgeStack stack = LocalBridgeStack.builder()
 *         .routes(List.of(Route.of("ground", "GROUND/v1/#", "", "")))
 *         .ephemeralPorts()
 *         .functionZip(Path.of("function/target/function.zip"))
 *         .iotDataLatency(Duration.ofMillis(15))
 *         .build().start()) {
 *     stack.iotData().setFaultPlan(FaultPlan.mixed(0.2, Duration.ofSeconds(4)));
 *     ... publish on stack.sourceMqttPort(), subscribe on stack.destinationMqttPort() ...
 *     stack.function().kill();     // SIGKILL; the emulation restarts it
 *     stack.awaitDrained(Duration.ofMinutes(2));
 * }
 * }</pre>
 */
public final class LocalBridgeStack implements AutoCloseable {

    static {
        // quiet embedded servers (HiveMQ ships its own logback.xml): our config, unless the caller set one
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "iot-bridge-local-logback.xml");
        }
    }

    private final StackSettings s;
    private final Counters counters = new Counters();
    /** What was started, closed last-in first-out. */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private EmbeddedBroker sourceBroker;
    private EmbeddedBroker destinationBroker;
    private SourceAccount source;
    private DestinationAccount destination;
    private LambdaService lambdaService;
    private ControlPlaneEndpoint controlPlane;
    private Duration startupTime;

    private LocalBridgeStack(StackSettings s) {
        this.s = s;
    }

    public static Builder builder() { return new Builder(); }

    // ------------------------------------------------------------------ lifecycle

    /** Starts every part in order (printing progress); on failure stops what was started. */
    public LocalBridgeStack start() {
        long t0 = System.nanoTime();
        try (StartWatch watch = new StartWatch(s.startTimeout, line -> s.progress("%s", line))) {
            start(watch);
        } catch (RuntimeException | IOException | InterruptedException e) {
            close();
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            if (e instanceof RuntimeException re) throw re;
            throw new IllegalStateException("local stack failed to start: " + e, e);
        }
        startupTime = Duration.ofNanos(System.nanoTime() - t0);
        s.progress("local stack ready in %d ms", startupTime.toMillis());
        return this;
    }

    /** The six steps of local/README.md: each part started after what it uses. */
    private void start(StartWatch watch) throws IOException, InterruptedException {
        if (s.routes.isEmpty()) throw new IllegalStateException("no routes configured");
        Path work = workDir();

        watch.step(1, "rules: rendering %s for %d route(s)", RepositoryPaths.shown(s.templateFile()), s.routes.size());
        List<RulesEngine.Rule> rules = RulesEngine.compile(s.templateFile(), s.routes);

        boolean ownBrokers = s.sharedSource == null;
        int sp = ownBrokers ? s.ports.resolve(StackPort.SOURCE_MQTT) : s.sharedSource.port();
        int dp = ownBrokers ? s.ports.resolve(StackPort.DESTINATION_MQTT) : s.sharedDestination.port();
        if (ownBrokers) {
            EmbeddedBroker src = new EmbeddedBroker("source", sp, work.resolve("broker-source"));
            EmbeddedBroker dst = new EmbeddedBroker("destination", dp, work.resolve("broker-destination"));
            own(() -> Closing.inParallel(src, dst));
            sourceBroker = src;
            destinationBroker = dst;
        } else {
            sourceBroker = s.sharedSource;
            destinationBroker = s.sharedDestination;
        }
        // ElasticMQ (the slowest part to start) comes up in parallel with the brokers
        int qp = s.ports.resolve(StackPort.SQS);
        destination = own(new DestinationAccount(s, counters, qp));
        CompletableFuture<Void> queuesStarted = destination.startQueues();

        if (ownBrokers) {
            watch.step(2, "brokers: HiveMQ CE source account on 127.0.0.1:%d, destination account on 127.0.0.1:%d", sp, dp);
            startBroker(sourceBroker, watch);
            startBroker(destinationBroker, watch);
        } else {
            watch.step(2, "brokers: using the given source (%d) and destination (%d) brokers", sp, dp);
        }

        watch.step(3, "sqs: ElasticMQ on 127.0.0.1:%d, queue %s + DLQ %s (maxReceiveCount %d, visibility %ds)",
                qp, s.queueName, s.dlqName, s.maxReceiveCount, s.visibilityTimeout.toSeconds());
        try {
            queuesStarted.get(watch.remaining().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw watch.timedOut("[3/6] sqs (ElasticMQ)");
        }

        watch.step(4, "rules engine: %d topic rule(s) on the source broker → SQS action", rules.size());
        source = own(new SourceAccount(sourceBroker, rules, destination.sqs(), counters, s.rulesEngineEnabled));

        int ip = s.ports.resolve(StackPort.IOT_DATA);
        watch.step(5, "iot-data: Publish API on %s://127.0.0.1:%d → destination broker (latency %d ms%s)",
                s.iotDataTls ? "https" : "http", ip, s.iotDataLatency.toMillis(),
                s.iotDataPublishQuota == 0 ? "" : ", quota " + s.iotDataPublishQuota + " requests/s");
        destination.startIotData(destinationBroker, ip, work.resolve("tls"));
        if (s.controlPlane) {
            int sip = s.ports.resolve(StackPort.SOURCE_IOT_DATA);
            watch.progress("       iot-data: source account's Publish API on http://127.0.0.1:%d → source broker", sip);
            source.startIotData(sip);
        }

        lambdaService = own(new LambdaService(s, counters));
        if (!s.startFunction) {
            watch.step(6, "lambda: not started (startFunction=false)");
            return;
        }
        lambdaService.start(work, s.ports.get(StackPort.RUNTIME_API), destination, watch);
        lambdaService.startMapping(destination.sqs());
        if (s.controlPlane) {
            LocalSqs sqs = destination.sqs();
            controlPlane = own(new ControlPlaneEndpoint(s.ports.resolve(StackPort.CONTROL),
                    ControlPlaneEndpoint.Names.defaults(s.region, s.accountId, s.functionName), source.rulesEngine(),
                    sqs.queueUrl(), sqs.queueArn(), lambdaService.instances(), lambdaService.mappings(), sqs.endpoint()));
            controlPlane.start();
            watch.progress("       control plane: IoT rules, Lambda configuration and SQS queue policy API on %s", controlPlane.url());
        }
    }

    /** The configured work dir, or a temporary one removed again when the stack closes (closed last). */
    private Path workDir() throws IOException {
        if (s.workDir != null) return Files.createDirectories(s.workDir);
        Path tmp = Files.createTempDirectory("iot-bridge-local-");
        own(() -> FunctionCommand.deleteTree(tmp));
        return tmp;
    }

    private static void startBroker(EmbeddedBroker broker, StartWatch watch) {
        try {
            broker.start(watch.remaining());
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw watch.timedOut("[2/6] brokers (HiveMQ CE " + broker.name() + ")");
            }
            throw e;
        }
    }

    private <T extends AutoCloseable> T own(T c) {
        started.push(c);
        return c;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) Closing.quietly(started.pop());
    }

    // ------------------------------------------------------------------ access

    public Counters counters() { return counters; }
    public EmbeddedBroker sourceBroker() { return sourceBroker; }
    public EmbeddedBroker destinationBroker() { return destinationBroker; }
    public int sourceMqttPort() { return sourceBroker.port(); }
    public int destinationMqttPort() { return destinationBroker.port(); }
    public LocalSqs sqs() { return destination.sqs(); }
    public SqsClient sqsClient() { return destination.sqs().client(); }
    public String queueUrl() { return destination.sqs().queueUrl(); }
    public String dlqUrl() { return destination.sqs().dlqUrl(); }
    public RulesEngine rulesEngine() { return source.rulesEngine(); }
    public IotDataEndpoint iotData() { return destination.iotData(); }
    /** The source account's iot-data Publish API; null without the control plane. */
    public IotDataEndpoint sourceIotData() { return source.iotData(); }
    /** GetTopicRule, Lambda configuration, SQS Policy (see {@link ControlPlaneEndpoint}); null when off or without a function. */
    public ControlPlaneEndpoint controlPlane() { return controlPlane; }
    /** The CA that signed the iot-data endpoint's certificate (null over plain HTTP). */
    public LocalCa iotDataCa() { return destination.iotDataCa(); }
    public MqttObserver destinationObserver() { return destination.observer(); }
    public List<FunctionInstance> functions() { return List.copyOf(lambdaService.instances()); }
    public FunctionInstance function() { return lambdaService.instances().get(0); }
    public List<EventSourceMapping> eventSourceMappings() { return List.copyOf(lambdaService.mappings()); }
    public List<Route> routes() { return s.routes; }
    public Duration startupTime() { return startupTime; }

    public void setFaultPlan(FaultPlan plan) { iotData().setFaultPlan(plan); }
    public void setIotDataLatency(Duration d) { iotData().setLatency(d); }

    /** Messages in the queue (visible + in flight + delayed). */
    public long queueDepth() { return destination.queueDepth(); }
    public long dlqDepth() { return destination.dlqDepth(); }

    /** Waits until the queue is empty and stays empty for a second; false on timeout. */
    public boolean awaitDrained(Duration timeout) throws InterruptedException { return destination.awaitDrained(timeout); }

    /** Receives (and deletes, unless {@code keep}) every message currently in the DLQ. */
    public List<Message> drainDlq(boolean keep) { return destination.drainDlq(keep); }

    /** Polls a condition every 50 ms until true or timeout. */
    public static boolean await(Duration timeout, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) return true;
            Thread.sleep(50);
        }
        return cond.getAsBoolean();
    }

    /** A currently free TCP port on 127.0.0.1. */
    public static int freePort() { return Ports.freePort(); }

    /** The repository root: -Dbridge.root, else the nearest parent of the working dir holding local/pom.xml. */
    public static Path repoRoot() { return RepositoryPaths.root(); }

    // ------------------------------------------------------------------ builder

    /** Settings of a stack; every one has a default suited to tests (see local/README.md). */
    public static final class Builder {
        private final StackSettings s = new StackSettings();

        private Builder() {}

        /** The settings file's routes (with the canary route when it is on) and settings (bridge.local.json). */
        public Builder config(BridgeConfig c) {
            s.routes = new ArrayList<>(c.allRoutes());
            s.apply(c);
            return this;
        }

        public Builder routes(List<Route> r) { s.routes = new ArrayList<>(r); return this; }
        public Builder route(Route r) { s.routes.add(r); return this; }
        /** Every port picked free at start (tests, benchmarks, chaos). */
        public Builder ephemeralPorts() { s.ports = Ports.allFree(); return this; }
        /** One port (0 = free); the named setters below are the same for each {@link StackPort}. */
        public Builder port(StackPort p, int port) { s.ports = s.ports.with(p, port); return this; }
        public Builder sourceMqttPort(int p) { return port(StackPort.SOURCE_MQTT, p); }
        public Builder destinationMqttPort(int p) { return port(StackPort.DESTINATION_MQTT, p); }
        public Builder sqsPort(int p) { return port(StackPort.SQS, p); }
        /** Port of the first function instance's Runtime API (instance i uses port + i); 0 = free. */
        public Builder runtimeApiPort(int p) { return port(StackPort.RUNTIME_API, p); }
        public Builder iotDataPort(int p) { return port(StackPort.IOT_DATA, p); }
        public Builder sourceIotDataPort(int p) { return port(StackPort.SOURCE_IOT_DATA, p); }
        public Builder controlPort(int p) { return port(StackPort.CONTROL, p); }
        /** The source account's iot-data endpoint and the control plane ({@code make up} turns them on for {@code make doctor}). */
        public Builder controlPlane(boolean c) { s.controlPlane = c; return this; }
        public Builder region(String r) { s.region = r; return this; }
        public Builder accountId(String a) { s.accountId = a; return this; }
        public Builder queueNames(String queue, String dlq) { s.queueName = queue; s.dlqName = dlq; return this; }
        public Builder maxReceiveCount(int n) { s.maxReceiveCount = n; return this; }
        public Builder visibilityTimeout(Duration d) { s.visibilityTimeout = d; return this; }
        /** The queue's retention (enforced by the event source mapping, ElasticMQ does not) and BRIDGE_MESSAGE_RETENTION. */
        public Builder messageRetention(Duration d) { s.messageRetention = d; return this; }
        /** BRIDGE_BACKOFF_BASE / BRIDGE_BACKOFF_CAP of the function (whole seconds). */
        public Builder backoff(Duration base, Duration cap) { s.backoffBase = base; s.backoffCap = cap; return this; }
        public Builder batchSize(int n) { s.batchSize = n; return this; }
        public Builder maximumBatchingWindow(Duration d) { s.maximumBatchingWindow = d; return this; }
        public Builder functionTimeout(Duration d) { s.functionTimeout = d; return this; }
        /** Limit for starting steps 1-5 (brokers, SQS, rules, iot-data); default 120 s or -Dbridge.startTimeoutSeconds. */
        public Builder startTimeout(Duration d) { s.startTimeout = d; return this; }
        public Builder memoryMb(int m) { s.memoryMb = m; return this; }
        public Builder functionName(String n) { s.functionName = n; return this; }
        public Builder handler(String h) { s.handler = h; return this; }
        /** The function artifact (JVM zip or native zip with bootstrap). */
        public Builder functionZip(Path p) { s.functionZip = p; return this; }
        /** Runs this command instead of the zip (e.g. a Python handler for benchmarks). */
        public Builder functionCommand(FunctionCommand c) { s.functionCommand = c; return this; }
        /** JVM options for the JVM artifact; default {@link FunctionCommand#managedJava21Options}. */
        public Builder jvmOptions(List<String> o) { s.jvmOptions = List.copyOf(o); return this; }
        public Builder javaBin(Path p) { s.javaBin = p; return this; }
        public Builder ricDir(Path p) { s.ricDir = p; return this; }
        /** Extra/overriding environment variables of the function process (e.g. JAVA_TOOL_OPTIONS). */
        public Builder functionEnv(String k, String v) { s.functionEnv.put(k, v); return this; }
        public Builder functionEnv(Map<String, String> m) { s.functionEnv.putAll(m); return this; }
        public Builder echoFunctionOutput(boolean e) { s.echoFunctionOutput = e; return this; }
        /**
         * The event source mapping's {@code scaling_config.maximum_concurrency}: up to N invocations at
         * once, each in a function instance of its own (own Runtime API, process and poller). Lambda's
         * range (2-1000) and the local limit ({@link EventSourceMapping#LOCAL_MAXIMUM_CONCURRENCY}) are
         * checked at start; 1 = not set (one instance, the default).
         */
        public Builder concurrency(int n) { s.maximumConcurrency = n == 1 ? null : n; return this; }
        /**
         * The destination account's iot-data publish quota in requests per second (IoT Core's inbound
         * publish quota per account, on the Publish API): requests beyond it get
         * 429 ThrottlingException; 0 (default) = none. See {@link IotDataEndpoint#setPublishQuota}.
         */
        public Builder iotDataPublishQuota(int perSecond) { s.iotDataPublishQuota = perSecond; return this; }
        public Builder iotDataLatency(Duration d) { s.iotDataLatency = d; return this; }
        /** Serve iot-data over HTTPS with a CA generated at start ({@link #iotDataCa()}); default plain HTTP. */
        public Builder iotDataTls(boolean t) { s.iotDataTls = t; return this; }
        public Builder faultPlan(FaultPlan p) { s.faultPlan = p; return this; }
        /** 403 for topics outside the routes' destination topics, like the function role's policy (default on). */
        public Builder enforcePublishPolicy(boolean e) { s.enforcePublishPolicy = e; return this; }
        public Builder templateFile(Path p) { s.templateFile = p; return this; }
        public Builder workDir(Path p) { s.workDir = p; return this; }
        /** Where progress lines go; null for silence. */
        public Builder progress(PrintStream p) { s.progress = p; return this; }
        /** Use existing brokers (not owned): e.g. a reverse bridge on another stack's brokers. */
        public Builder useBrokers(EmbeddedBroker source, EmbeddedBroker destination) {
            s.sharedSource = source;
            s.sharedDestination = destination;
            return this;
        }
        /** Off: nothing is sent to the queue from the source broker (benchmarks filling the queue directly). */
        public Builder rulesEngineEnabled(boolean e) { s.rulesEngineEnabled = e; return this; }
        public Builder startFunction(boolean start) { s.startFunction = start; return this; }
        public Builder awaitFunctionReady(boolean a) { s.awaitFunctionReady = a; return this; }

        /** Checks the settings that have no safe reading, before anything starts. */
        public LocalBridgeStack build() {
            s.instances = EventSourceMapping.instancesFor(s.maximumConcurrency, "maximum concurrency (concurrency(n))");
            if (s.iotDataPublishQuota < 0) {
                throw new IllegalArgumentException("iotDataPublishQuota = " + s.iotDataPublishQuota
                        + ": the iot-data publish quota is requests per second, 0 for none");
            }
            if (s.functionZip == null && s.functionCommand == null && s.startFunction) s.functionZip = RepositoryPaths.functionZip();
            return new LocalBridgeStack(s);
        }
    }
}
