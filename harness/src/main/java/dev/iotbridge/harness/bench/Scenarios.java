package dev.iotbridge.harness.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.iotbridge.contract.Route;
import dev.iotbridge.harness.Progress;
import dev.iotbridge.harness.StackEndpoints;
import dev.iotbridge.harness.Tracker;
import dev.iotbridge.local.lambda.EventSourceMapping;
import dev.iotbridge.local.lambda.FunctionCommand;
import dev.iotbridge.local.rules.IotSql;
import dev.iotbridge.local.rules.RulesEngine;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import static dev.iotbridge.harness.Results.round;

/** The three scenarios; each returns one result map per competitor. */
final class Scenarios {
    private final BenchOptions o;
    private final String runId;
    private final StackEndpoints ep;
    private final Competitor.Paths paths;
    private final LambdaLimits limits;

    Scenarios(BenchOptions o, String runId, StackEndpoints ep, Competitor.Paths paths, LambdaLimits limits) {
        this.o = o;
        this.runId = runId;
        this.ep = ep;
        this.paths = paths;
        this.limits = limits;
    }

    // ------------------------------------------------------------------ throughput

    /** One instance per competitor and batch size, on a pre-filled queue; concurrency = batch size. */
    List<Map<String, Object>> throughput(List<Competitor> competitors) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int batch : o.batchSizes) {
            for (Competitor c : competitors) {
                if (!c.inThroughput(batch, o.batchSize)) {
                    continue;
                }
                Map<String, Object> r = base(c);
                r.put("batchSize", batch);
                try {
                    throughputOne(c, batch, r);
                } catch (Exception e) {
                    r.put("error", String.valueOf(e.getMessage()));
                    Progress.log("bench", "%s: throughput run FAILED: %s", c.id(), e.getMessage());
                }
                out.add(r);
            }
        }
        return out;
    }

    private void throughputOne(Competitor c, int batchSize, Map<String, Object> r) throws Exception {
        int n = c.isSequential() ? Math.min(o.sequentialMessages, o.messages) : o.messages;
        r.put("concurrency", c.isSequential() ? 1 : batchSize);
        String prefix = "bench/" + runId + "/tp-" + c.id() + "-b" + batchSize + "/";
        String queue = ep.createQueue("bench-tp-" + c.id() + "-b" + batchSize + "-" + runId);
        List<String> bodies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            bodies.add(c.shape().body(i, prefix + "d" + (i % 10)));
        }
        Progress.log("bench", "%s: throughput at batch size %d: loading %d %s messages into SQS", c.id(), batchSize, n, c.shape().name().toLowerCase());
        ep.sendAll(queue, bodies, 4);
        Tracker t = new Tracker(n, Tracker.SEQ);
        try (AutoCloseable sub = ep.listen(prefix, t::arrived)) {
            Competitor.Launch l = withExtraOptions(c, c.launch(paths, ep.addresses(), batchSize, o.memoryMb), r);
            r.put("launch", l.notes());
            Path jfr = null;
            if (o.profile && c.kind() == Competitor.Kind.JVM) {
                jfr = o.benchDir.resolve("target/profiles/" + runId + "-" + c.id() + "-b" + batchSize + ".jfr");
                Files.createDirectories(jfr.getParent());
                l.env().merge("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true",
                        (a, b) -> a + " " + b);
                r.put("profile", o.benchDir.getParent().relativize(jfr).toString());
            }
            Path log = logFile(c, "throughput-b" + batchSize);
            try (Instance p = Instance.start(c, l, log, limits)) {
                p.waitInit(180);
                r.put("initMs", ms(p.initNanos()));
                double cpu0 = p.cpuMillis();
                long[] m0 = Machine.cpuTimes();
                long conn0 = ep.iotDataConnections();
                Instance.BatchStats esm = new Instance.BatchStats();
                EventSourceMapping mapping = p.mapping(ep, queue, batchSize, esm);
                mapping.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.timeoutSeconds);
                double cpuHalf = -1;
                int deliveredHalf = 0;
                Instant halfAt = null;
                long nextLog = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                boolean timedOut = false;
                try {
                    while (esm.handled.get() < n) {
                        Thread.sleep(100);
                        p.checkAlive("");
                        if (cpuHalf < 0 && esm.handled.get() >= n / 2) {
                            // the second half's CPU per message: the JIT's warm-up mostly behind
                            cpuHalf = p.cpuMillis();
                            deliveredHalf = t.delivered();
                            halfAt = Instant.now();
                        }
                        if (System.nanoTime() > deadline) {
                            timedOut = true;
                            break;
                        }
                        if (System.nanoTime() > nextLog) {
                            Progress.log("bench", "%s: %d/%d records handled, %d delivered", c.id(), esm.handled.get(), n, t.delivered());
                            nextLog += TimeUnit.SECONDS.toNanos(10);
                        }
                    }
                } finally {
                    mapping.close();
                }
                settle(t, c.kind() == Competitor.Kind.PY_SAMPLE ? (int) esm.invocations.get() : n);
                double cpu1 = p.cpuMillis();
                long connections = ep.iotDataConnections() - conn0;
                long newAfterFirst = esm.firstAnsweredNanos == 0 ? 0 : ep.iotDataConnectionsSince(esm.firstAnsweredNanos);
                // all CPUs of the machine, busy share: handler + stack + harness + anything else running
                r.put("machineBusyPercent", Machine.busyPercent(m0, Machine.cpuTimes()));
                double seconds = (esm.lastDoneNanos - esm.firstInvokeNanos) / 1e9;
                int delivered = t.delivered();
                r.put("sent", n);
                r.put("delivered", delivered);
                r.put("deliveredRatio", round((double) delivered / n, 4));
                r.put("recordsAcknowledged", esm.handled.get());
                r.put("invocations", esm.invocations.get());
                r.put("meanInvocationMs", round(esm.invokeNanos.get() / 1e6 / Math.max(1, esm.invocations.get()), 2));
                r.put("billedMsPerInvocation", round((double) esm.billedMs.get() / Math.max(1, esm.invocations.get()), 2));
                r.put("billedMsPerMsg", delivered == 0 ? null : round((double) esm.billedMs.get() / delivered, 4));
                r.put("invocationsPerMsg", delivered == 0 ? null : round((double) esm.invocations.get() / delivered, 5));
                // the iot-data endpoint's client connections (TCP, and TLS over HTTPS) while this instance ran
                r.put("connections", connections);
                r.put("connectionsPer1000Msgs", delivered == 0 ? null : round(connections * 1000.0 / delivered, 2));
                r.put("newConnectionsAfterFirstBatch", newAfterFirst);
                r.put("newConnectionsPerBatchAfterFirst", round((double) newAfterFirst / Math.max(1, esm.invocations.get() - 1), 3));
                r.put("cpuThrottling", p.limits.throttled());
                r.put("memoryCgroup", p.limits.memory());
                r.put("retried", esm.retried.get());
                r.put("invocationErrors", esm.errors.get());
                r.put("duplicates", t.duplicates());
                r.put("seconds", round(seconds, 3));
                r.put("throughput", round(delivered / seconds, 1));
                r.put("recordsPerSecond", round(esm.handled.get() / seconds, 1));
                r.put("cpuMsSteady", round(cpu1 - cpu0, 0));
                r.put("cpuMsTotal", round(cpu1, 0));
                r.put("cpuMsPerMsg", delivered == 0 ? null : round((cpu1 - cpu0) / delivered, 4));
                r.put("cpuMsPerMsgInclInit", delivered == 0 ? null : round(cpu1 / delivered, 4));
                r.put("cpuMsPerMsgSecondHalf", cpuHalf < 0 || delivered <= deliveredHalf ? null
                        : round((cpu1 - cpuHalf) / (delivered - deliveredHalf), 4));
                r.put("peakRssMiB", round(p.peakRssMiB(), 1));
                r.put("cpuShareByThread", sharesOf(p.cpuMillisByThread()));
                // what the handler wrote to stdout/stderr (CloudWatch Logs in Lambda), start-up lines included
                r.put("logBytesPerMsg", delivered == 0 || !Files.exists(log) ? null : round((double) Files.size(log) / delivered, 1));
                r.put("timedOut", timedOut);
                if (esm.lastError != null) {
                    r.put("lastError", esm.lastError);
                }
                if (jfr != null) {
                    p.close(); // dumps the recording
                    Path hot = jfr.resolveSibling(jfr.getFileName().toString().replace(".jfr", "-hot-methods.txt"));
                    String jfrTool = paths.javaHome().resolve("bin/jfr").toString();
                    String view = Machine.sh(jfrTool, "view", "--width", "160", "hot-methods", jfr.toString())
                            + "\n\n" + Machine.sh(jfrTool, "view", "--width", "160", "allocation-by-class", jfr.toString());
                    Files.writeString(hot, view);
                    Path areas = jfr.resolveSibling(jfr.getFileName().toString().replace(".jfr", "-areas.txt"));
                    Files.writeString(areas, ProfileAreas.summarize(jfr, halfAt));
                    r.put("profileAreas", o.benchDir.getParent().relativize(areas).toString());
                    Progress.log("bench", "%s: profile %s, hot methods in %s, by code area in %s", c.id(), jfr, hot, areas);
                }
                Progress.log("bench", "%s (batch %d): %d/%d delivered in %.2f s = %.1f msg/s, CPU %.3f ms/msg, peak RSS %.0f MiB, mean invocation %.1f ms, %d connections (%d after the first batch)",
                        c.id(), batchSize, delivered, n, seconds, delivered / seconds, (cpu1 - cpu0) / Math.max(1, delivered), r.get("peakRssMiB"),
                        esm.invokeNanos.get() / 1e6 / Math.max(1, esm.invocations.get()), connections, newAfterFirst);
            }
        } finally {
            ep.deleteQueue(queue);
        }
    }

    /** Waits until {@code expected} messages arrived or nothing arrived for 1 s (at most 15 s). */
    private static void settle(Tracker t, int expected) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int last = -1;
        long stableSince = System.nanoTime();
        while (t.delivered() < expected && System.nanoTime() < end) {
            Thread.sleep(50);
            int d = t.delivered();
            if (d != last) {
                last = d;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(1)) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ cold start

    List<Map<String, Object>> coldStart(List<Competitor> competitors) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Competitor c : competitors) {
            if (!c.inColdStart()) {
                continue;
            }
            Map<String, Object> r = base(c);
            List<Double> init = new ArrayList<>();
            List<Double> first = new ArrayList<>();
            List<Double> rss = new ArrayList<>();
            try {
                for (int k = 0; k < o.coldStarts; k++) {
                    String prefix = "bench/" + runId + "/cold-" + c.id() + "-" + k + "/";
                    List<Message> batch = new ArrayList<>();
                    for (int i = 0; i < o.batchSize; i++) {
                        batch.add(Message.builder().messageId(UUID.randomUUID().toString())
                                .receiptHandle("cold-" + k + "-" + i).md5OfBody("")
                                .attributesWithStrings(Map.of(
                                        MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT.toString(), "1",
                                        MessageSystemAttributeName.SENT_TIMESTAMP.toString(), Long.toString(System.currentTimeMillis())))
                                .body(c.shape().body(i, prefix + "d" + i)).build());
                    }
                    byte[] event = EventSourceMapping.sqsEvent(batch, "arn:aws:sqs:us-east-1:000000000000:cold", "us-east-1")
                            .getBytes(StandardCharsets.UTF_8);
                    Competitor.Launch l = withExtraOptions(c, c.launch(paths, ep.addresses(), o.batchSize, o.memoryMb), r);
                    try (Instance p = Instance.start(c, l, logFile(c, "cold-" + k), limits)) {
                        // Invoked as the process starts: its first /next gets the batch at once.
                        long done = firstInvocation(p, event, 180);
                        init.add(ms(p.initNanos()));
                        first.add(ms(done - p.fn.startNanos()));
                        rss.add(p.peakRssMiB());
                    }
                    Progress.log("bench", "%s: cold start %d/%d: init %.0f ms, first batch done %.0f ms",
                            c.id(), k + 1, o.coldStarts, init.getLast(), first.getLast());
                }
            } catch (Exception e) {
                r.put("error", String.valueOf(e.getMessage()));
                Progress.log("bench", "%s: cold start FAILED: %s", c.id(), e.getMessage());
            }
            r.put("starts", init.size());
            r.put("initMs", init);
            r.put("firstBatchMs", first);
            r.put("initMedianMs", round(Tracker.median(unbox(init)), 1));
            r.put("firstBatchMedianMs", round(Tracker.median(unbox(first)), 1));
            r.put("peakRssAfterFirstBatchMiB", round(Tracker.median(unbox(rss)), 1));
            out.add(r);
        }
        return out;
    }

    // ------------------------------------------------------------------ end to end

    List<Map<String, Object>> endToEnd(List<Competitor> competitors) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Competitor c : competitors) {
            if (!c.inEndToEnd()) {
                continue;
            }
            Map<String, Object> r = base(c);
            try {
                endToEndOne(c, r);
            } catch (Exception e) {
                r.put("error", String.valueOf(e.getMessage()));
                Progress.log("bench", "%s: end-to-end run FAILED: %s", c.id(), e.getMessage());
            } finally {
                ep.rules(null);
            }
            out.add(r);
        }
        return out;
    }

    /**
     * Publishing at the rate starts together with a fresh process (a deployment under live
     * traffic): the messages sent while it starts give the cold-start latency; after the warm-up
     * (stated, counted from the process start) the steady-state latency is measured.
     */
    private void endToEndOne(Competitor c, Map<String, Object> r) throws Exception {
        int warm = o.e2eRate * o.e2eWarmupSeconds;      // sent during the warm-up: cold start + catching up, not in steady state
        int measured = o.e2eRate * o.e2eSeconds;
        int total = warm + measured;
        int coldWindow = Math.min(warm, o.e2eRate);      // the first second's messages: sent while the process starts
        String prefix = "bench/" + runId + "/e2e-" + c.id() + "/";
        String queue = ep.createQueue("bench-e2e-" + c.id() + "-" + runId);
        Route route = new Route(StackEndpoints.ROUTE, prefix + "#", "", "", "", 0, true);
        List<RulesEngine.Rule> rules;
        if (c.shape() == Competitor.Shape.LEGACY) {
            // the sample's rule, evaluated by the local rules engine
            String sql = "SELECT *, topic() AS topic FROM '" + prefix + "#'";
            rules = List.of(new RulesEngine.Rule(route, sql, IotSql.parse(sql)));
            r.put("rule", "legacy: " + sql.replace(prefix, "<prefix>/"));
        } else {
            Path template = o.benchDir.resolveSibling("terraform/modules/source/templates/rule.sql.tftpl");
            rules = RulesEngine.compile(template, List.of(route));
            r.put("rule", "envelope v1: terraform/modules/source/templates/rule.sql.tftpl");
        }
        Tracker t = new Tracker(total, Tracker.SEQ);
        try (RulesEngine engine = new RulesEngine(rules, ep.sqs().client(), queue, ep.counters(), 4);
             AutoCloseable sub = ep.listen(prefix, t::arrived)) {
            ep.rules(engine);
            Competitor.Launch l = c.launch(paths, ep.addresses(), o.batchSize, o.memoryMb);
            Instance.BatchStats esm = new Instance.BatchStats();
            Mqtt5AsyncClient pub = Mqtt5Client.builder().identifier("bench-device-" + c.id())
                    .serverHost(ep.brokers().sourceHost()).serverPort(ep.brokers().sourcePort()).buildAsync();
            pub.connectWith().cleanStart(true).send().join();
            Progress.log("bench", "%s: end-to-end: %d msg/s from the process start: %d s warm-up (cold start + catch-up), then %d s measured; "
                            + "source broker -> rule -> SQS -> handler -> iot-data -> destination broker",
                    c.id(), o.e2eRate, o.e2eWarmupSeconds, o.e2eSeconds);
            try (Instance p = Instance.start(c, l, logFile(c, "e2e"), limits);
                 EventSourceMapping mapping = p.mapping(ep, queue, o.batchSize, esm)) {
                mapping.start();
                long[] m0 = Machine.cpuTimes();
                long period = 1_000_000_000L / o.e2eRate;
                long t0 = p.fn.startNanos();
                long invocationsAtSteady = 0;
                long handledAtSteady = 0;
                long invokeNanosAtSteady = 0;
                for (int i = 0; i < total; i++) {
                    long due = t0 + i * period;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(Math.min(wait, 1_000_000L));
                    }
                    if (i == warm) {
                        invocationsAtSteady = esm.invocations.get();
                        handledAtSteady = esm.handled.get() + esm.retried.get();
                        invokeNanosAtSteady = esm.invokeNanos.get();
                        r.put("backlogAfterWarmup", ep.sqs().depth(queue));
                    }
                    byte[] payload = t.payload(i);
                    if (i % 200 == 0) {
                        p.checkInitError();
                        p.checkAlive("");
                    }
                    t.sent(i, System.nanoTime());
                    pub.publishWith().topic(prefix + "d" + (i % 10)).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
                }
                double publishSeconds = (System.nanoTime() - t0) / 1e9;
                // drain: until all arrived, or no progress for 3 s once the handler delivers (a slow
                // start is not "no progress"), at most 30 s after the last publish
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                int last = -1;
                long stable = System.nanoTime();
                while (System.nanoTime() < end && t.delivered() < total) {
                    Thread.sleep(50);
                    p.checkAlive("");
                    if (t.delivered() != last) {
                        last = t.delivered();
                        stable = System.nanoTime();
                    } else if (last > 0 && System.nanoTime() - stable > TimeUnit.SECONDS.toNanos(3)) {
                        break;
                    }
                }
                pub.disconnect();
                r.put("machineBusyPercent", Machine.busyPercent(m0, Machine.cpuTimes()));
                r.put("initMs", p.fn.readyNanos() == 0 ? null : ms(p.initNanos()));
                double[] lat = t.latenciesMs(warm, total);
                double[] cold = t.latenciesMs(0, coldWindow);
                r.put("rate", o.e2eRate);
                r.put("warmupSeconds", o.e2eWarmupSeconds);
                r.put("achievedRate", round(total / publishSeconds, 1));
                r.put("sent", measured);
                r.put("delivered", lat.length);
                r.put("deliveredRatio", round((double) lat.length / measured, 4));
                r.put("p50Ms", round(Tracker.percentile(lat, 50), 1));
                r.put("p95Ms", round(Tracker.percentile(lat, 95), 1));
                r.put("p99Ms", round(Tracker.percentile(lat, 99), 1));
                r.put("maxMs", round(lat.length == 0 ? Double.NaN : lat[lat.length - 1], 1));
                // cold start: the messages published during the first second after the process started
                r.put("coldMessages", coldWindow);
                r.put("coldDelivered", cold.length);
                r.put("coldFirstMessageMs", t.latencyMs(0) < 0 ? null : round(t.latencyMs(0), 1));
                r.put("coldP50Ms", round(Tracker.percentile(cold, 50), 1));
                r.put("coldMaxMs", round(cold.length == 0 ? Double.NaN : cold[cold.length - 1], 1));
                long inv = esm.invocations.get() - invocationsAtSteady;
                r.put("invocations", inv);
                r.put("meanInvocationMs", round((esm.invokeNanos.get() - invokeNanosAtSteady) / 1e6 / Math.max(1, inv), 2));
                r.put("meanBatch", round(inv == 0 ? 0 : (double) (esm.handled.get() + esm.retried.get() - handledAtSteady) / inv, 2));
                r.put("backlogAtEnd", ep.sqs().depth(queue));
                r.put("memoryCgroup", p.limits.memory());
                Progress.log("bench", "%s: e2e cold start: first message %.0f ms; steady state (after %d s): %d/%d delivered, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms",
                        c.id(), t.latencyMs(0), o.e2eWarmupSeconds, lat.length, measured,
                        Tracker.percentile(lat, 50), Tracker.percentile(lat, 95), Tracker.percentile(lat, 99));
            }
        } finally {
            ep.deleteQueue(queue);
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Invokes the fresh instance with {@code event} (as an event source mapping would) and returns
     * System.nanoTime() of the answer; fails on an error answer, an init error or a dead process.
     */
    private static long firstInvocation(Instance p, byte[] event, int seconds) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                p.fn.invoke(event, Duration.ofSeconds(seconds));
                done.complete(System.nanoTime());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                return done.get(5, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                p.checkInitError();
                p.checkAlive("");
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("first invocation not done within " + seconds + " s:\n" + p.tail(20));
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("first invocation failed: " + e.getCause().getMessage() + "\n" + p.tail(20));
            }
        }
    }

    /** The analysis options of the run (--extra-jvm-options, --native-options) added to the function's start, and noted in its result. */
    private Competitor.Launch withExtraOptions(Competitor c, Competitor.Launch l, Map<String, Object> r) {
        if (!o.extraJvmOptions.isBlank() && c.kind() == Competitor.Kind.JVM) {
            l.env().merge("JAVA_TOOL_OPTIONS", o.extraJvmOptions, (a, b) -> a + " " + b);
            r.put("extraJvmOptions", o.extraJvmOptions);
        }
        if (!o.nativeOptions.isBlank() && c.kind() == Competitor.Kind.NATIVE) {
            List<String> cmd = new ArrayList<>(l.command().command());
            cmd.addAll(List.of(o.nativeOptions.trim().split("\\s+")));
            r.put("nativeOptions", o.nativeOptions);
            return new Competitor.Launch(new FunctionCommand(l.command().kind(), cmd, l.command().taskRoot()), l.env(),
                    l.notes() + " " + o.nativeOptions);
        }
        return l;
    }

    private Path logFile(Competitor c, String what) {
        return o.benchDir.resolve("target/logs/" + runId + "/" + c.id() + "-" + what + ".log");
    }

    private static Map<String, Object> base(Competitor c) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", c.id());
        r.put("label", c.label());
        r.put("messageShape", c.shape() == Competitor.Shape.LEGACY ? "legacy" : "envelope-v1");
        return r;
    }

    static double ms(long nanos) {
        return round(nanos / 1e6, 1);
    }

    /**
     * Each thread group's share of the process's CPU, in percent, largest first (groups under
     * 0.5 % left out): for the JVM, how much of it the JIT compiler and the GC took.
     */
    static Map<String, Double> sharesOf(Map<String, Double> cpuMillisByThread) {
        double total = cpuMillisByThread.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> shares = new LinkedHashMap<>();
        cpuMillisByThread.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .filter(e -> total > 0 && e.getValue() / total >= 0.005)
                .forEach(e -> shares.put(e.getKey(), round(100 * e.getValue() / total, 1)));
        return shares;
    }

    private static double[] unbox(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
