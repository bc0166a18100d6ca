package dev.iotbridge.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iotbridge.contract.Route;
import dev.iotbridge.local.broker.EmbeddedBroker;
import dev.iotbridge.local.broker.MqttObserver;
import dev.iotbridge.local.config.BridgeConfig;
import dev.iotbridge.local.control.ControlPlaneEndpoint;
import dev.iotbridge.local.iotdata.FaultPlan;
import dev.iotbridge.local.iotdata.IotDataEndpoint;
import dev.iotbridge.local.iotdata.LocalCa;
import dev.iotbridge.local.lambda.EventSourceMapping;
import dev.iotbridge.local.lambda.FunctionCommand;
import dev.iotbridge.local.lambda.FunctionInstance;
import dev.iotbridge.local.lambda.RuntimeApiServer;
import dev.iotbridge.local.rules.RulesEngine;
import dev.iotbridge.local.sqs.LocalSqs;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private final Builder b;
    private final Counters counters = new Counters();
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private EmbeddedBroker sourceBroker;
    private EmbeddedBroker destinationBroker;
    private LocalSqs sqs;
    private RulesEngine rulesEngine;
    private IotDataEndpoint iotData;
    private IotDataEndpoint sourceIotData;
    private ControlPlaneEndpoint controlPlane;
    private LocalCa iotDataCa;
    private MqttObserver destinationObserver;
    private final List<FunctionInstance> functions = new ArrayList<>();
    private final List<EventSourceMapping> mappings = new ArrayList<>();
    private Duration startupTime;
    private StartWatch watch;

    private LocalBridgeStack(Builder b) {
        this.b = b;
    }

    public static Builder builder() { return new Builder(); }

    // ------------------------------------------------------------------ lifecycle

    /** Starts every part in order (printing progress); on failure stops what was started. */
    public LocalBridgeStack start() {
        long t0 = System.nanoTime();
        try (StartWatch w = new StartWatch(b.startTimeout)) {
            watch = w;
            doStart();
        } catch (RuntimeException | IOException | InterruptedException e) {
            close();
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            if (e instanceof RuntimeException re) throw re;
            throw new IllegalStateException("local stack failed to start: " + e, e);
        }
        startupTime = Duration.ofNanos(System.nanoTime() - t0);
        progress("local stack ready in %d ms", startupTime.toMillis());
        return this;
    }

    private void doStart() throws IOException, InterruptedException {
        Path work;
        if (b.workDir != null) {
            work = Files.createDirectories(b.workDir);
        } else {
            // a temporary work dir, removed again when the stack closes (closed last)
            Path tmp = Files.createTempDirectory("iot-bridge-local-");
            own(() -> FunctionCommand.deleteTree(tmp));
            work = tmp;
        }
        if (b.routes.isEmpty()) throw new IllegalStateException("no routes configured");
        int total = 6;

        step(1, total, "rules: rendering %s for %d route(s)", rel(b.templateFile()), b.routes.size());
        List<RulesEngine.Rule> rules = RulesEngine.compile(b.templateFile(), b.routes);

        // ElasticMQ (the slowest part to start) comes up in parallel with the brokers
        int qp = port(b.sqsPort);
        sqs = own(new LocalSqs(qp, b.region, b.accountId));
        java.util.concurrent.CompletableFuture<Void> sqsStarted = java.util.concurrent.CompletableFuture.runAsync(() ->
                sqs.start(b.queueName, b.dlqName, b.maxReceiveCount, (int) b.visibilityTimeout.toSeconds(),
                        b.messageRetention.toSeconds()));

        if (b.sharedSource != null) {
            sourceBroker = b.sharedSource;
            destinationBroker = b.sharedDestination;
            step(2, total, "brokers: using the given source (%d) and destination (%d) brokers",
                    sourceBroker.port(), destinationBroker.port());
        } else {
            int sp = port(b.sourceMqttPort);
            int dp = port(b.destinationMqttPort);
            step(2, total, "brokers: HiveMQ CE source account on 127.0.0.1:%d, destination account on 127.0.0.1:%d", sp, dp);
            EmbeddedBroker s = new EmbeddedBroker("source", sp, work.resolve("broker-source"));
            EmbeddedBroker d = new EmbeddedBroker("destination", dp, work.resolve("broker-destination"));
            own(() -> closeInParallel(s, d));
            startBroker(s);
            sourceBroker = s;
            startBroker(d);
            destinationBroker = d;
        }

        step(3, total, "sqs: ElasticMQ on 127.0.0.1:%d, queue %s + DLQ %s (maxReceiveCount %d, visibility %ds)",
                qp, b.queueName, b.dlqName, b.maxReceiveCount, b.visibilityTimeout.toSeconds());
        try {
            sqsStarted.get(watch.remaining().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw watch.timedOut("[3/6] sqs (ElasticMQ)");
        }

        step(4, total, "rules engine: %d topic rule(s) on the source broker → SQS action", rules.size());
        rulesEngine = own(new RulesEngine(rules, sqs.client(), sqs.queueUrl(), counters, 4));
        if (b.rulesEngineEnabled) {
            java.util.function.Consumer<dev.iotbridge.local.rules.SourceMessage> listener = rulesEngine::onPublish;
            sourceBroker.addPublishListener(listener);
            EmbeddedBroker src = sourceBroker;
            closeables.push(() -> src.removePublishListener(listener));
        }

        int ip = port(b.iotDataPort);
        step(5, total, "iot-data: Publish API on %s://127.0.0.1:%d → destination broker (latency %d ms%s)",
                b.iotDataTls ? "https" : "http", ip, b.iotDataLatency.toMillis(),
                b.iotDataPublishQuota == 0 ? "" : ", quota " + b.iotDataPublishQuota + " requests/s");
        iotData = own(new IotDataEndpoint(ip, destinationBroker.port(), counters));
        if (b.iotDataTls) {
            iotDataCa = LocalCa.create(work.resolve("tls"));
            iotData.useTls(iotDataCa.serverContext());
        }
        iotData.setLatency(b.iotDataLatency);
        iotData.setFaultPlan(b.faultPlan);
        iotData.setPublishQuota(b.iotDataPublishQuota);
        if (b.enforcePublishPolicy) iotData.setAllowedTopicFilters(destinationFilters(b.routes));
        iotData.setRetainedMessages(destinationBroker);
        iotData.start();
        destinationObserver = own(new MqttObserver(destinationBroker.port(), "local-observer-" + ip, "#"));
        destinationObserver.start();
        if (b.controlPlane) {
            // the source account's iot-data API (Publish into the source broker, where the rules see it);
            // its own counters, so the destination's publish counts stay the function's alone
            int sip = port(b.sourceIotDataPort);
            progress("       iot-data: source account's Publish API on http://127.0.0.1:%d → source broker", sip);
            sourceIotData = own(new IotDataEndpoint(sip, sourceBroker.port(), new Counters()));
            sourceIotData.setRetainedMessages(sourceBroker);
            sourceIotData.start();
        }

        if (!b.startFunction) {
            step(6, total, "lambda: not started (startFunction=false)");
            return;
        }
        FunctionCommand cmd = b.functionCommand;
        if (cmd == null) {
            List<String> jvm = b.jvmOptions != null ? b.jvmOptions : FunctionCommand.managedJava21Options(b.memoryMb);
            cmd = FunctionCommand.fromZip(b.functionZip, work.resolve("function"), b.ricDir(), b.javaBin,
                    b.handler, jvm, b.memoryMb);
        }
        Map<String, String> env = functionEnv(cmd.kind());
        if (iotDataCa != null) cmd = cmd.withSystemProperties(iotDataCa.javaTrustOptions(), env);
        int n = b.instances;
        String arn = "arn:aws:lambda:" + b.region + ":" + b.accountId + ":function:" + b.functionName;
        for (int i = 0; i < n; i++) {
            int rp = b.runtimeApiPort == 0 ? freePort() : b.runtimeApiPort + i;
            RuntimeApiServer api = new RuntimeApiServer(rp, arn);
            api.start();
            String name = n == 1 ? "function" : "function-" + i;
            FunctionInstance fi = new FunctionInstance(name, api, cmd, env,
                    work.resolve("logs").resolve(name + ".log"), b.echoFunctionOutput ? b.progress : null, counters);
            own(fi);
            functions.add(fi);
            step(6, total, "lambda: Runtime API on 127.0.0.1:%d, starting %s function process (%s)", rp, cmd.kind(),
                    fi.logFile());
            fi.start();   // all N initialise at once, as Lambda starts execution environments side by side
        }
        if (b.awaitFunctionReady) {
            for (FunctionInstance fi : functions) {
                if (!fi.awaitReady(b.functionTimeout.plusSeconds(20))) {
                    throw new IllegalStateException("function process " + fi.name() + " did not reach the Runtime API within "
                            + b.functionTimeout.plusSeconds(20).toSeconds() + " s; see " + fi.logFile());
                }
                progress("       %s ready (init %d ms)", fi.name(), fi.lastInitDuration().toMillis());
            }
        }
        EventSourceMapping esm = new EventSourceMapping(sqs.client(), sqs.queueUrl(), sqs.queueArn(), b.region, functions,
                new EventSourceMapping.Settings(b.batchSize, b.maximumBatchingWindow, b.functionTimeout, 2, true),
                counters);
        esm.setLog(s -> progress("[esm] %s", s));
        esm.setRetention(b.messageRetention);
        own(esm);
        mappings.add(esm);
        if (n > 1) progress("       event source mapping: up to %d concurrent invocations (maximum_concurrency)", n);
        esm.start();
        if (b.controlPlane) {
            int cp = port(b.controlPort);
            controlPlane = own(new ControlPlaneEndpoint(cp, ControlPlaneEndpoint.Names.defaults(b.region, b.accountId,
                    b.functionName), rulesEngine, sqs.queueUrl(), sqs.queueArn(), functions, mappings, sqs.endpoint()));
            controlPlane.start();
            progress("       control plane: IoT rules, Lambda configuration and SQS queue policy API on %s", controlPlane.url());
        }
    }

    /**
     * The function's environment: the bridge variables of docs/interfaces.md and Lambda's own, as
     * the runtime of the artifact's kind sets them (Terraform's destination module sets the same).
     */
    private Map<String, String> functionEnv(String kind) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", b.region);
        env.put("AWS_DEFAULT_REGION", b.region);
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put("AWS_SESSION_TOKEN", "local");
        env.put("AWS_LAMBDA_FUNCTION_NAME", b.functionName);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(b.memoryMb));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + b.functionName);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "local");
        if ("native".equals(kind)) {
            // provided.al2023 (an OS-only runtime) defines no AWS_EXECUTION_ENV; the handler is the
            // executable, and Quarkus' native Lambda needs its signal handlers off
            env.put("_HANDLER", "bootstrap");
            env.put("DISABLE_SIGNAL_HANDLERS", "true");
        } else {
            env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
            env.put("_HANDLER", b.handler);
        }
        try {
            List<Map<String, Object>> routes = new ArrayList<>();
            b.routes.forEach(r -> routes.add(r.toJsonMap()));
            env.put("BRIDGE_ROUTES", new ObjectMapper().writeValueAsString(routes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env.put("BRIDGE_IOT_ENDPOINT", iotData.url());
        env.put("BRIDGE_DLQ_URL", sqs.dlqUrl());
        env.put("BRIDGE_SQS_ENDPOINT", sqs.endpoint());
        // as the destination module sets them: the queue's redrive and retention, and the backoff
        env.put("BRIDGE_MAX_RECEIVE_COUNT", Integer.toString(b.maxReceiveCount));
        env.put("BRIDGE_MESSAGE_RETENTION", b.messageRetention.toSeconds() + "s");
        env.put("BRIDGE_BACKOFF_BASE", b.backoffBase.toSeconds() + "s");
        env.put("BRIDGE_BACKOFF_CAP", b.backoffCap.toSeconds() + "s");
        env.putAll(b.functionEnv);
        return env;
    }

    /** The topic filters the function's iot:Publish policy allows: add_prefix + filter without strip_prefix. */
    public static List<String> destinationFilters(List<Route> routes) {
        List<String> out = new ArrayList<>();
        for (Route r : routes) {
            String f = r.sourceFilter();
            if (f.startsWith(r.stripPrefix())) out.add(r.addPrefix() + f.substring(r.stripPrefix().length()));
            else out.add(r.addPrefix() + "#");   // the function will refuse these anyway
        }
        return out;
    }

    @Override
    public void close() {
        while (!closeables.isEmpty()) {
            AutoCloseable c = closeables.pop();
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("[stack] close failed for " + c.getClass().getSimpleName() + ": " + e);
            }
        }
    }

    private static void closeInParallel(AutoCloseable... cs) {
        List<Thread> ts = new ArrayList<>();
        for (AutoCloseable c : cs) {
            Thread t = new Thread(() -> {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("[stack] close failed: " + e);
                }
            }, "stack-close");
            t.start();
            ts.add(t);
        }
        for (Thread t : ts) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private <T extends AutoCloseable> T own(T c) {
        closeables.push(c);
        return c;
    }

    // ------------------------------------------------------------------ access

    public Counters counters() { return counters; }
    public EmbeddedBroker sourceBroker() { return sourceBroker; }
    public EmbeddedBroker destinationBroker() { return destinationBroker; }
    public int sourceMqttPort() { return sourceBroker.port(); }
    public int destinationMqttPort() { return destinationBroker.port(); }
    public LocalSqs sqs() { return sqs; }
    public SqsClient sqsClient() { return sqs.client(); }
    public String queueUrl() { return sqs.queueUrl(); }
    public String dlqUrl() { return sqs.dlqUrl(); }
    public RulesEngine rulesEngine() { return rulesEngine; }
    public IotDataEndpoint iotData() { return iotData; }
    /** The source account's iot-data Publish API; null without the control plane. */
    public IotDataEndpoint sourceIotData() { return sourceIotData; }
    /** GetTopicRule, Lambda configuration, SQS Policy (see {@link ControlPlaneEndpoint}); null when off or without a function. */
    public ControlPlaneEndpoint controlPlane() { return controlPlane; }
    /** The CA that signed the iot-data endpoint's certificate (null over plain HTTP). */
    public LocalCa iotDataCa() { return iotDataCa; }
    public MqttObserver destinationObserver() { return destinationObserver; }
    public List<FunctionInstance> functions() { return List.copyOf(functions); }
    public FunctionInstance function() { return functions.get(0); }
    public List<EventSourceMapping> eventSourceMappings() { return List.copyOf(mappings); }
    public List<Route> routes() { return b.routes; }
    public Duration startupTime() { return startupTime; }

    public void setFaultPlan(FaultPlan plan) { iotData.setFaultPlan(plan); }
    public void setIotDataLatency(Duration d) { iotData.setLatency(d); }

    /** Messages in the queue (visible + in flight + delayed). */
    public long queueDepth() { return sqs.depth(sqs.queueUrl()); }
    public long dlqDepth() { return sqs.depth(sqs.dlqUrl()); }

    /** Waits until the queue is empty and stays empty for a second; false on timeout. */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        int quiet = 0;
        while (System.nanoTime() < end) {
            if (queueDepth() == 0) {
                if (++quiet >= 5) return true;
            } else {
                quiet = 0;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** Receives (and deletes, unless {@code keep}) every message currently in the DLQ. */
    public List<Message> drainDlq(boolean keep) {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> got = sqs.client().receiveMessage(r -> r.queueUrl(sqs.dlqUrl()).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).visibilityTimeout(keep ? 1 : 30)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                    .messageAttributeNames("All")).messages();
            if (got.isEmpty()) break;
            all.addAll(got);
            if (!keep) {
                for (Message m : got) sqs.client().deleteMessage(d -> d.queueUrl(sqs.dlqUrl()).receiptHandle(m.receiptHandle()));
            }
        }
        return all;
    }

    /** Polls a condition every 50 ms until true or timeout. */
    public static boolean await(Duration timeout, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) return true;
            Thread.sleep(50);
        }
        return cond.getAsBoolean();
    }

    // ------------------------------------------------------------------ helpers

    private void startBroker(EmbeddedBroker broker) {
        try {
            broker.start(watch.remaining());
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof java.util.concurrent.TimeoutException) {
                throw watch.timedOut("[2/6] brokers (HiveMQ CE " + broker.name() + ")");
            }
            throw e;
        }
    }

    private void step(int i, int n, String fmt, Object... args) {
        String line = String.format("[" + i + "/" + n + "] " + fmt, args);
        if (watch != null) watch.enter(line.substring(0, line.indexOf(':') < 0 ? line.length() : line.indexOf(':')));
        progress("%s", line);
    }

    /**
     * Bounds the start (issue: one start of five sat after "[2/6] brokers" for over 40 s). What
     * takes the time is CPU: two HiveMQ brokers, ElasticMQ (Pekko) and their first requests load
     * and JIT-compile thousands of classes in a fresh JVM; on an idle 2-core machine that is a
     * few seconds, with a load average of 20 it took 16-40 s here. So a step that runs long is
     * reported with the machine's load, and every wait uses what is left of one budget
     * ({@link Builder#startTimeout}): a start that cannot complete fails with a message naming
     * the step instead of hanging. (The function's own init has its own limit, step 6.)
     */
    private final class StartWatch implements AutoCloseable {
        private static final long REPORT_EVERY_S = 15;
        private final Duration limit;
        private final long deadline;
        private final Thread reporter;
        private volatile String step = "start";
        private volatile long stepStart = System.nanoTime();

        StartWatch(Duration limit) {
            this.limit = limit;
            this.deadline = System.nanoTime() + limit.toNanos();
            this.reporter = new Thread(this::report, "local-stack-start-watch");
            reporter.setDaemon(true);
            reporter.start();
        }

        void enter(String step) {
            this.step = step;
            this.stepStart = System.nanoTime();
        }

        /** What is left of the budget; throws when it is spent. */
        Duration remaining() {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw timedOut(step);
            return Duration.ofNanos(left);
        }

        IllegalStateException timedOut(String what) {
            String limitText = limit.toMillis() < 1000 ? limit.toMillis() + " ms" : limit.toSeconds() + " s";
            return new IllegalStateException(what + " did not finish within the local stack's start limit of "
                    + limitText + " (" + load() + "); the machine is probably too busy: start it again when "
                    + "it is quieter, or allow more time with -Dbridge.startTimeoutSeconds=N");
        }

        private void report() {
            String reported = null;
            long next = REPORT_EVERY_S;
            try {
                while (true) {
                    Thread.sleep(1000);
                    String current = step;
                    if (!current.equals(reported)) {
                        reported = current;
                        next = REPORT_EVERY_S;
                    }
                    long s = Duration.ofNanos(System.nanoTime() - stepStart).toSeconds();
                    if (s >= next) {
                        progress("       … %s still starting after %d s (%s)", current, s, load());
                        next += REPORT_EVERY_S;
                    }
                }
            } catch (InterruptedException e) {
                // start finished
            }
        }

        private static String load() {
            var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            double l = os.getSystemLoadAverage();
            int cpus = os.getAvailableProcessors();
            return (l < 0 ? "load average unknown" : String.format("load average %.1f", l)) + " on " + cpus
                    + (cpus == 1 ? " CPU" : " CPUs");
        }

        @Override
        public void close() {
            reporter.interrupt();
        }
    }

    private void progress(String fmt, Object... args) {
        if (b.progress != null) b.progress.println(String.format(fmt, args));
    }

    private String rel(Path p) {
        Path root = repoRoot();
        return root != null && p.toAbsolutePath().normalize().startsWith(root)
                ? root.relativize(p.toAbsolutePath().normalize()).toString() : p.toString();
    }

    private static int port(int configured) {
        return configured == 0 ? freePort() : configured;
    }

    /** A currently free TCP port on 127.0.0.1. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository root: -Dbridge.root, else the nearest parent of the working dir holding local/pom.xml. */
    public static Path repoRoot() {
        String prop = System.getProperty("bridge.root");
        if (prop != null) return Path.of(prop).toAbsolutePath().normalize();
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isRegularFile(p.resolve("local/pom.xml"))) return p;
            p = p.getParent();
        }
        return null;
    }

    // ------------------------------------------------------------------ builder

    /** Settings of a stack; every one has a default suited to tests (see README). */
    public static final class Builder {
        private List<Route> routes = new ArrayList<>();
        private int sourceMqttPort = 1883;
        private int destinationMqttPort = 1884;
        private int sqsPort = 9324;
        private int runtimeApiPort = 9001;
        private int iotDataPort = 9080;
        private int sourceIotDataPort = 9081;
        private int controlPort = 9082;
        private boolean controlPlane;
        private String region = "eu-west-1";
        private String accountId = "000000000000";
        private String queueName = "iot-bridge";
        private String dlqName = "iot-bridge-dlq";
        private int maxReceiveCount = 5;
        private Duration visibilityTimeout = Duration.ofSeconds(30);
        private Duration messageRetention = Duration.ofDays(4);
        /** Retry backoff of the function: on a laptop's time scale (the function's own default is 60 s / 900 s). */
        private Duration backoffBase = Duration.ofSeconds(1);
        private Duration backoffCap = Duration.ofSeconds(30);
        private int batchSize = 10;
        private Duration maximumBatchingWindow = Duration.ZERO;
        private Duration functionTimeout = Duration.ofSeconds(10);
        private int memoryMb = 512;
        private String functionName = "iot-bridge";
        private String handler = FunctionCommand.QUARKUS_HANDLER;
        private Path functionZip;
        private FunctionCommand functionCommand;
        private List<String> jvmOptions;
        private Path javaBin = FunctionCommand.currentJava();
        private Path ricDir;
        private Map<String, String> functionEnv = new LinkedHashMap<>();
        private boolean echoFunctionOutput;
        /** null: one instance (scaling_config.maximum_concurrency not set). */
        private Integer maximumConcurrency;
        /** Requests per second the iot-data endpoint answers before it throttles; 0: no quota. */
        private int iotDataPublishQuota;
        private Duration iotDataLatency = Duration.ZERO;
        private boolean iotDataTls;
        private FaultPlan faultPlan = FaultPlan.NONE;
        private boolean enforcePublishPolicy = true;
        private Path templateFile;
        private Path workDir;
        private PrintStream progress = System.out;
        private EmbeddedBroker sharedSource;
        private EmbeddedBroker sharedDestination;
        private boolean rulesEngineEnabled = true;
        private boolean startFunction = true;
        private boolean awaitFunctionReady = true;
        private Duration startTimeout = Duration.ofSeconds(Long.getLong("bridge.startTimeoutSeconds", 120));

        /** Routes and settings from a {@link BridgeConfig} (bridge.local.json). */
        public Builder config(BridgeConfig c) {
            routes = new ArrayList<>(c.routes);
            sourceMqttPort = c.sourceMqttPort;
            destinationMqttPort = c.destinationMqttPort;
            sqsPort = c.sqsPort;
            runtimeApiPort = c.runtimeApiPort;
            iotDataPort = c.iotDataPort;
            sourceIotDataPort = c.sourceIotDataPort;
            controlPort = c.controlPort;
            if (c.canary) routes.add(dev.iotbridge.local.config.CanaryRoute.load(repoRoot()).route());
            region = c.region;
            queueName = c.queueName;
            dlqName = c.dlqName;
            maxReceiveCount = c.maxReceiveCount;
            visibilityTimeout = Duration.ofSeconds(c.visibilityTimeoutSeconds);
            batchSize = c.batchSize;
            maximumBatchingWindow = Duration.ofSeconds(c.maximumBatchingWindowSeconds);
            functionName = c.functionName;
            memoryMb = c.memoryMb;
            functionTimeout = Duration.ofSeconds(c.timeoutSeconds);
            Path art = Path.of(c.functionArtifact);
            Path root = repoRoot();
            functionZip = art.isAbsolute() || root == null ? art : root.resolve(art);
            functionEnv.putAll(c.functionEnv);
            iotDataLatency = Duration.ofMillis(c.iotDataLatencyMs);
            maximumConcurrency = c.maximumConcurrency;
            iotDataPublishQuota = c.iotDataPublishQuota;
            return this;
        }

        public Builder routes(List<Route> r) { routes = new ArrayList<>(r); return this; }
        public Builder route(Route r) { routes.add(r); return this; }
        /** Every port picked free at start (tests, benchmarks, chaos). */
        public Builder ephemeralPorts() {
            sourceMqttPort = destinationMqttPort = sqsPort = runtimeApiPort = iotDataPort = sourceIotDataPort = controlPort = 0;
            return this;
        }
        public Builder sourceMqttPort(int p) { sourceMqttPort = p; return this; }
        public Builder destinationMqttPort(int p) { destinationMqttPort = p; return this; }
        public Builder sqsPort(int p) { sqsPort = p; return this; }
        /** Port of the first function instance's Runtime API (instance i uses port + i); 0 = free. */
        public Builder runtimeApiPort(int p) { runtimeApiPort = p; return this; }
        public Builder iotDataPort(int p) { iotDataPort = p; return this; }
        public Builder sourceIotDataPort(int p) { sourceIotDataPort = p; return this; }
        public Builder controlPort(int p) { controlPort = p; return this; }
        /** The source account's iot-data endpoint and the control plane ({@code make up} turns them on for {@code make doctor}). */
        public Builder controlPlane(boolean c) { controlPlane = c; return this; }
        public Builder region(String r) { region = r; return this; }
        public Builder accountId(String a) { accountId = a; return this; }
        public Builder queueNames(String queue, String dlq) { queueName = queue; dlqName = dlq; return this; }
        public Builder maxReceiveCount(int n) { maxReceiveCount = n; return this; }
        public Builder visibilityTimeout(Duration d) { visibilityTimeout = d; return this; }
        /** The queue's retention (enforced by the event source mapping, ElasticMQ does not) and BRIDGE_MESSAGE_RETENTION. */
        public Builder messageRetention(Duration d) { messageRetention = d; return this; }
        /** BRIDGE_BACKOFF_BASE / BRIDGE_BACKOFF_CAP of the function (whole seconds). */
        public Builder backoff(Duration base, Duration cap) { backoffBase = base; backoffCap = cap; return this; }
        public Builder batchSize(int n) { batchSize = n; return this; }
        public Builder maximumBatchingWindow(Duration d) { maximumBatchingWindow = d; return this; }
        public Builder functionTimeout(Duration d) { functionTimeout = d; return this; }
        /** Limit for starting steps 1-5 (brokers, SQS, rules, iot-data); default 120 s or -Dbridge.startTimeoutSeconds. */
        public Builder startTimeout(Duration d) { startTimeout = d; return this; }
        public Builder memoryMb(int m) { memoryMb = m; return this; }
        public Builder functionName(String n) { functionName = n; return this; }
        public Builder handler(String h) { handler = h; return this; }
        /** The function artifact (JVM zip or native zip with bootstrap). */
        public Builder functionZip(Path p) { functionZip = p; return this; }
        /** Runs this command instead of the zip (e.g. a Python handler for benchmarks). */
        public Builder functionCommand(FunctionCommand c) { functionCommand = c; return this; }
        /** JVM options for the JVM artifact; default {@link FunctionCommand#managedJava21Options}. */
        public Builder jvmOptions(List<String> o) { jvmOptions = List.copyOf(o); return this; }
        public Builder javaBin(Path p) { javaBin = p; return this; }
        public Builder ricDir(Path p) { ricDir = p; return this; }
        /** Extra/overriding environment variables of the function process (e.g. JAVA_TOOL_OPTIONS). */
        public Builder functionEnv(String k, String v) { functionEnv.put(k, v); return this; }
        public Builder functionEnv(Map<String, String> m) { functionEnv.putAll(m); return this; }
        public Builder echoFunctionOutput(boolean e) { echoFunctionOutput = e; return this; }
        /**
         * The event source mapping's {@code scaling_config.maximum_concurrency}: up to N invocations at
         * once, each in a function instance of its own (own Runtime API, process and poller). Lambda's
         * range (2-1000) and the local limit ({@link EventSourceMapping#LOCAL_MAXIMUM_CONCURRENCY}) are
         * checked at start; 1 = not set (one instance, the default).
         */
        public Builder concurrency(int n) { maximumConcurrency = n == 1 ? null : n; return this; }
        /**
         * The destination account's iot-data publish quota in requests per second (IoT Core's inbound
         * publish quota per account, on the Publish API): requests beyond it get
         * 429 ThrottlingException; 0 (default) = none. See {@link IotDataEndpoint#setPublishQuota}.
         */
        public Builder iotDataPublishQuota(int perSecond) { iotDataPublishQuota = perSecond; return this; }
        public Builder iotDataLatency(Duration d) { iotDataLatency = d; return this; }
        /** Serve iot-data over HTTPS with a CA generated at start ({@link #iotDataCa()}); default plain HTTP. */
        public Builder iotDataTls(boolean t) { iotDataTls = t; return this; }
        public Builder faultPlan(FaultPlan p) { faultPlan = p; return this; }
        /** 403 for topics outside the routes' destination topics, like the function role's policy (default on). */
        public Builder enforcePublishPolicy(boolean e) { enforcePublishPolicy = e; return this; }
        public Builder templateFile(Path p) { templateFile = p; return this; }
        public Builder workDir(Path p) { workDir = p; return this; }
        /** Where progress lines go; null for silence. */
        public Builder progress(PrintStream p) { progress = p; return this; }
        /** Use existing brokers (not owned): e.g. a reverse bridge on another stack's brokers. */
        public Builder useBrokers(EmbeddedBroker source, EmbeddedBroker destination) {
            sharedSource = source;
            sharedDestination = destination;
            return this;
        }
        /** Off: nothing is sent to the queue from the source broker (benchmarks filling the queue directly). */
        public Builder rulesEngineEnabled(boolean e) { rulesEngineEnabled = e; return this; }
        public Builder startFunction(boolean s) { startFunction = s; return this; }
        public Builder awaitFunctionReady(boolean a) { awaitFunctionReady = a; return this; }

        Path templateFile() {
            if (templateFile != null) return templateFile;
            String prop = System.getProperty("bridge.template");
            if (prop != null) return Path.of(prop);
            Path root = repoRoot();
            if (root == null) throw new IllegalStateException("cannot find the repository root (set -Dbridge.root)");
            return root.resolve("terraform/modules/source/templates/rule.sql.tftpl");
        }

        Path ricDir() {
            if (ricDir != null) return ricDir;
            String prop = System.getProperty("bridge.ric.dir");
            if (prop != null) return Path.of(prop);
            Path root = repoRoot();
            return root == null ? null : root.resolve("local/target/ric");
        }

        /** Function instances: the checked maximum concurrency (set by {@link #build()}). */
        private int instances = 1;

        /** Checks the settings that have no safe reading, before anything starts. */
        public LocalBridgeStack build() {
            instances = EventSourceMapping.instancesFor(maximumConcurrency, "maximum concurrency (concurrency(n))");
            if (iotDataPublishQuota < 0) {
                throw new IllegalArgumentException("iotDataPublishQuota = " + iotDataPublishQuota
                        + ": the iot-data publish quota is requests per second, 0 for none");
            }
            if (functionZip == null && functionCommand == null && startFunction) {
                String prop = System.getProperty("local.function.zip");
                Path root = repoRoot();
                functionZip = prop != null ? Path.of(prop)
                        : root == null ? Path.of("function/target/function.zip") : root.resolve("function/target/function.zip");
            }
            return new LocalBridgeStack(this);
        }
    }
}
