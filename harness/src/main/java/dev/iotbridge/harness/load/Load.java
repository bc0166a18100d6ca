package dev.iotbridge.harness.load;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.iotbridge.contract.Route;
import dev.iotbridge.harness.Cli;
import dev.iotbridge.harness.Progress;
import dev.iotbridge.harness.StackEndpoints;
import dev.iotbridge.harness.StackOptions;
import dev.iotbridge.harness.Tracker;
import dev.iotbridge.harness.bench.Bench;
import dev.iotbridge.harness.bench.Competitor;
import dev.iotbridge.harness.bench.Instance;
import dev.iotbridge.harness.bench.LambdaLimits;
import dev.iotbridge.harness.bench.Machine;
import dev.iotbridge.local.lambda.EventSourceMapping;
import dev.iotbridge.local.rules.RulesEngine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import static dev.iotbridge.harness.Results.JSON;
import static dev.iotbridge.harness.Results.round;

/**
 * {@code make load}: the multi-instance load run on the local stack. For each instance count N
 * (the event source mapping's maximum concurrency; every instance is the packaged function as its
 * own process under Lambda's CPU share and memory for the memory size), the offered rate rises step
 * by step: devices publish on the source broker, the topic rule (the envelope template) sends to
 * SQS, the mapping invokes up to N instances, they publish through the iot-data endpoint to the
 * destination broker, where every message is counted by its id. Per step it records offered and
 * delivered msg/s, per-instance msg/s, the SQS backlog, end-to-end p50/p99, lost (per id, after
 * draining) and the machine's CPU use, and names what held the rate when the bridge fell behind:
 * the instances' CPU share (the bridge, as on Lambda) or this machine's CPUs. One more step holds
 * the destination's iot-data publish quota below the offered rate (back-pressure: 429s, delivered
 * ≈ quota, nothing lost). Writes harness/results/load/&lt;UTC time&gt;.json and .md and latest.json /
 * latest.md, and puts the capacity model's prediction (harness/capacity/capacity.py) beside each
 * measured point when the model is there.
 */
public final class Load {
    /** Messages per batch, as the deployed default. */
    static final int BATCH_SIZE = 10;
    /**
     * Not counted: each run starts with this many seconds at its first rate (JIT, connections). As
     * long as the latency sweep's warm-up (harness/capacity/sweep.py), whose runs the latency model
     * is fitted to: with 5 s the first steps measured the brokers' and ElasticMQ's JIT too.
     */
    static final int WARMUP_SECONDS = 15;
    /** A step keeps up when it delivers this share of what was offered, with less than a second's backlog. */
    static final double KEEPS_UP = 0.95;
    /** All CPUs of the machine busy at or above this share: the machine is the limit. */
    static final double MACHINE_BUSY = 90.0;
    /**
     * An instance whose CPU quota throttled it in this share of the step's scheduler periods (cgroup
     * cpu.stat), or that used this share of its CPU allowance, is at Lambda's CPU share: the bridge
     * is the limit. (A process held to a CFS quota rarely averages all of it: it waits on I/O in
     * some periods and is throttled in others.)
     */
    static final double THROTTLED_PERIODS = 0.25;
    /** An instance invoking for this share of a step (its batches back to back) has no time to take more: it is saturated. */
    static final double INSTANCE_BUSY = 0.9;
    static final double SHARE_USED = 0.85;

    public static void main(String[] args) {
        System.exit(Cli.of(new LoadOptions(), (o, cl) -> {
            if (o.reportFrom != null) {
                remodel(o);
                return 0;
            }
            return new Load(o).run();
        }).execute(args));
    }

    /**
     * {@code --report-from X.json}: the capacity model's prediction put beside the measured points of
     * an earlier run again (the model may have changed since), X.json and X.md rewritten; nothing measured.
     */
    @SuppressWarnings("unchecked")
    static void remodel(LoadOptions o) throws java.io.IOException {
        Map<String, Object> results = JSON.readValue(o.reportFrom.toFile(), LinkedHashMap.class);
        Map<String, Object> meta = (Map<String, Object>) results.get("meta");
        List<Map<String, Object>> steps = (List<Map<String, Object>>) results.get("steps");
        Map<String, Object> limits = (Map<String, Object>) meta.get("limits");
        int cpus = Integer.parseInt(String.valueOf(((Map<String, Object>) meta.get("machine")).get("nproc")).trim());
        for (Map<String, Object> st : steps) {
            classify(st, !"none".equals(limits.get("method")), cpus, ((Number) meta.get("memoryMb")).intValue());
        }
        results.put("model", Model.compare(o.benchDir.getParent(), steps, ((Number) meta.get("batchSize")).intValue(),
                ((Number) meta.get("memoryMb")).intValue(), ((Number) meta.get("payloadBytes")).intValue(), (String) meta.get("function")));
        write(results, o.reportFrom, null);
    }

    /** X.json and X.md, and their copies latest.json / latest.md beside them when X is the newest run. */
    static void write(Map<String, Object> results, Path json, Path out) throws java.io.IOException {
        JSON.writeValue(json.toFile(), results);
        String name = json.getFileName().toString();
        String md = LoadReport.markdown(results, name);
        Path mdFile = json.resolveSibling(name.replaceAll("\\.json$", ".md"));
        Files.writeString(mdFile, md, StandardCharsets.UTF_8);
        Path latest = json.resolveSibling("latest.json");
        boolean newest;
        try (var files = Files.list(json.getParent())) {
            newest = files.map(p -> p.getFileName().toString()).filter(f -> f.matches("\\d{8}T\\d{6}Z\\.json"))
                    .max(String::compareTo).map(name::equals).orElse(true);
        }
        if (newest) {
            Files.copy(json, latest, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(mdFile, json.resolveSibling("latest.md"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (out != null) {
            Files.copy(json, out, StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println();
        System.out.println(md);
        Path cwd = Path.of("").toAbsolutePath();
        log("results: %s, %s%s", json.startsWith(cwd) ? cwd.relativize(json) : json, mdFile.startsWith(cwd) ? cwd.relativize(mdFile) : mdFile,
                newest ? " (and latest.json, latest.md)" : "");
    }

    private final LoadOptions o;
    private final String runId = Long.toString(System.currentTimeMillis(), 36);

    Load(LoadOptions o) {
        this.o = o;
    }

    int run() throws Exception {
        Path work = o.benchDir.resolve("target/work");
        Files.createDirectories(work);
        Competitor.Paths paths = new Competitor.Paths(o.benchDir, o.python, o.functionZip, o.nativeZip,
                o.benchDir.resolve("target/ric"), o.javaHome, work);
        boolean nativeZip = o.nativeZip != null && StackOptions.isNativeZip(o.nativeZip);
        if (!nativeZip && !Files.isRegularFile(o.functionZip)) {
            throw new IllegalStateException("no function zip: " + o.functionZip + " is missing (make package, or make native-build)");
        }
        Competitor fn = nativeZip
                ? new Competitor("native", "this function (native)", Competitor.Kind.NATIVE, Competitor.Shape.ENVELOPE)
                : new Competitor("jvm", "this function (JVM)", Competitor.Kind.JVM, Competitor.Shape.ENVELOPE);
        Path zip = nativeZip ? o.nativeZip : o.functionZip;

        Map<String, Object> results = new LinkedHashMap<>();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("date", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        meta.put("command", o.commandLine);
        meta.put("function", fn.kind() == Competitor.Kind.NATIVE ? "native" : "jvm");
        meta.put("functionZip", relative(zip));
        if (nativeZip) {
            meta.put("nativeBuilder", Bench.nativeBuilder(zip));
        }
        meta.put("batchSize", BATCH_SIZE);
        meta.put("publishConcurrencyPerInstance", BATCH_SIZE);
        meta.put("memoryMb", o.memoryMb);
        meta.put("iotDataLatencyMs", o.latencyMs);
        meta.put("iotDataTls", o.tls);
        meta.put("payloadBytes", Tracker.SEQ.payload(0).length);
        meta.put("instances", o.loadInstances);
        meta.put("rates", o.loadRates);
        meta.put("stepSeconds", o.loadStepSeconds);
        meta.put("warmupSeconds", WARMUP_SECONDS);
        meta.put("criteria", Map.of(
                "keepsUp", "delivered >= " + KEEPS_UP + " x offered and backlog at the step's end below one second of it",
                "machineLimit", "all CPUs of the machine >= " + MACHINE_BUSY + " % busy during the step, or the load generator "
                        + "short of its rate",
                "bridgeLimit", "an instance was throttled by its Lambda CPU share in >= " + THROTTLED_PERIODS
                        + " of the step's CPU periods, or used >= " + SHARE_USED + " of the share, or every instance spent >= "
                        + INSTANCE_BUSY + " of the step in invocations"));
        LambdaLimits limits = LambdaLimits.detect(o.memoryMb, o.cpuLimit, o.memoryLimit);
        meta.put("limits", limits.describe());
        meta.put("machine", Machine.describe());
        meta.put("loadAtStart", Machine.load());
        meta.put("processesAtStart", busiestProcesses());
        results.put("meta", meta);
        log("run %s: %s function (%s), instances %s, rates %s msg/s, %d s per step; %s", runId, meta.get("function"),
                relative(zip), o.loadInstances, o.loadRates, o.loadStepSeconds, limits.summary());

        List<Map<String, Object>> steps = new ArrayList<>();
        List<Map<String, Object>> runTotals = new ArrayList<>();
        Map<String, Object> backPressure = null;
        log("starting the local stack (brokers, rules engine, ElasticMQ, iot-data; no function process)");
        try (StackEndpoints ep = StackEndpoints.open(o)) {
            meta.put("endpoints", ep.description());
            Competitor.Launch launch = fn.launch(paths, ep.addresses(), BATCH_SIZE, o.memoryMb);
            List<Integer> runs = new ArrayList<>(o.loadInstances);
            if (o.loadQuota > 0 && !runs.contains(o.loadQuotaInstances)) {
                runs.add(o.loadQuotaInstances);
            }
            for (int n : runs) {
                boolean quotaHere = o.loadQuota > 0 && n == o.loadQuotaInstances;
                Run r = new Run(ep, fn, launch, limits, n, o.loadInstances.contains(n), quotaHere);
                r.execute();
                steps.addAll(r.steps);
                runTotals.add(r.totals);
                if (r.backPressure != null) {
                    backPressure = r.backPressure;
                }
            }
        }
        meta.put("loadAtEnd", Machine.load());
        meta.put("processesAtEnd", busiestProcesses());
        results.put("steps", steps);
        results.put("runs", runTotals);
        if (backPressure != null) {
            results.put("backPressure", backPressure);
        }
        results.put("model", Model.compare(o.benchDir.getParent(), steps, BATCH_SIZE, o.memoryMb, Tracker.SEQ.payload(0).length,
                (String) meta.get("function")));

        Path dir = o.benchDir.resolve("results/load");
        Files.createDirectories(dir);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        write(results, dir.resolve(stamp + ".json"), o.out);
        long lost = runTotals.stream().mapToLong(t -> ((Number) t.get("lost")).longValue()).sum();
        if (lost > 0) {
            log("LOST %d message(s): see the results", lost);
            return 2;
        }
        return 0;
    }

    /** One instance count: its own queue, rule, instances and mapping; the rising steps, then (maybe) the quota step. */
    private final class Run {
        final StackEndpoints ep;
        final Competitor fn;
        final Competitor.Launch launch;
        final LambdaLimits limits;
        final int n;
        final boolean rising;
        final boolean quotaStep;
        final List<Map<String, Object>> steps = new ArrayList<>();
        Map<String, Object> backPressure;
        /** Every message of the run, warm-up included, counted by id once everything drained. */
        final Map<String, Object> totals = new LinkedHashMap<>();
        final String prefix;
        Tracker tracker;
        int nextSeq;
        AtomicLongArray handled;
        /** Nanoseconds each instance spent in invocations. */
        AtomicLongArray busyNanos;
        List<Instance> instances = new ArrayList<>();
        volatile String lastError;

        Run(StackEndpoints ep, Competitor fn, Competitor.Launch launch, LambdaLimits limits, int n, boolean rising, boolean quotaStep) {
            this.ep = ep;
            this.fn = fn;
            this.launch = launch;
            this.limits = limits;
            this.n = n;
            this.rising = rising;
            this.quotaStep = quotaStep;
            this.prefix = "bench/" + runId + "/load-n" + n + "/";
        }

        void execute() throws Exception {
            int capacity = o.loadRates.get(0) * WARMUP_SECONDS;
            if (rising) {
                capacity += o.loadRates.stream().mapToInt(r -> r * (o.loadStepSeconds + 1)).sum();
            }
            if (quotaStep) {
                capacity += o.loadQuotaRate * (o.loadStepSeconds + 1);
            }
            tracker = new Tracker(capacity, Tracker.SEQ);
            handled = new AtomicLongArray(n);
            busyNanos = new AtomicLongArray(n);
            String queue = ep.createQueue("bench-load-n" + n + "-" + runId);
            Route route = new Route(StackEndpoints.ROUTE, prefix + "#", "", "", "", 0, true);
            List<RulesEngine.Rule> rules = RulesEngine.compile(o.benchDir.resolveSibling("terraform/modules/source/templates/rule.sql.tftpl"),
                    List.of(route));
            Mqtt5AsyncClient pub = Mqtt5Client.builder().identifier("load-device-" + runId + "-" + n)
                    .serverHost(ep.brokers().sourceHost()).serverPort(ep.brokers().sourcePort()).buildAsync();
            try (RulesEngine engine = new RulesEngine(rules, ep.sqs().client(), queue, ep.counters(), 8);
                 AutoCloseable sub = ep.listen(prefix, tracker::arrived)) {
                ep.rules(engine);
                pub.connectWith().cleanStart(true).send().join();
                for (int i = 0; i < n; i++) {
                    Path logFile = o.benchDir.resolve("target/logs/" + runId + "/load-n" + n + "-" + i + ".log");
                    instances.add(Instance.start(fn, launch, logFile, limits));
                }
                for (Instance i : instances) {
                    i.waitInit(180);
                }
                log("N=%d: %d function instance(s) ready (init %s ms); warm-up %d s at %d msg/s", n, n,
                        instances.stream().map(i -> String.format("%.0f", i.initNanos() / 1e6)).toList(), WARMUP_SECONDS, o.loadRates.get(0));
                try (EventSourceMapping esm = Instance.mapping(instances, ep, queue, BATCH_SIZE, b -> {
                    handled.addAndGet(b.instance(), b.deleted());
                    busyNanos.addAndGet(b.instance(), b.answeredNanos() - b.invokedNanos());
                    if (b.error() != null) lastError = b.error();
                })) {
                    esm.setLog(s -> lastError = s);
                    esm.start();
                    int warmFrom = nextSeq;
                    publish(pub, o.loadRates.get(0), WARMUP_SECONDS, null);
                    drain(warmFrom, nextSeq, queue, 60);
                    if (rising) {
                        for (int rate : o.loadRates) {
                            Map<String, Object> s = step(pub, queue, rate, 0);
                            steps.add(s);
                            if (!(Boolean) s.get("keepsUp")) {
                                log("N=%d: fell behind at %d msg/s (%s): no higher step", n, rate, s.get("limit"));
                                break;
                            }
                        }
                    }
                    if (quotaStep) {
                        backPressure = step(pub, queue, o.loadQuotaRate, o.loadQuota);
                    }
                    drain(0, nextSeq, queue, 60);
                    int delivered = tracker.latenciesMs(0, nextSeq).length;
                    totals.put("instances", n);
                    totals.put("sent", nextSeq);
                    totals.put("delivered", delivered);
                    totals.put("lost", nextSeq - delivered);
                    totals.put("duplicates", tracker.duplicates());
                    totals.put("foreign", tracker.foreign());
                    log("N=%d: all %d messages of the run (warm-up included): %d delivered, %d lost, %d duplicates", n, nextSeq,
                            delivered, nextSeq - delivered, tracker.duplicates());
                } finally {
                    for (Instance i : instances) {
                        i.close();
                    }
                }
            } finally {
                ep.rules(null);
                pub.disconnect();
                ep.deleteQueue(queue);
            }
        }

        /** Publishes at {@code rate} for {@code seconds}, on the schedule; returns the seq range [from, to). */
        int[] publish(Mqtt5AsyncClient pub, int rate, int seconds, java.util.function.IntConsumer everySecond) {
            int from = nextSeq;
            int count = rate * seconds;
            long period = 1_000_000_000L / rate;
            long t0 = System.nanoTime();
            for (int k = 0; k < count; k++) {
                long due = t0 + k * period;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(Math.min(wait, 1_000_000L));
                }
                int seq = nextSeq++;
                tracker.sent(seq, System.nanoTime());
                pub.publishWith().topic(prefix + "d" + (seq % 10)).qos(MqttQos.AT_LEAST_ONCE).payload(tracker.payload(seq)).send();
                if (everySecond != null && k > 0 && k % rate == 0) {
                    everySecond.accept(k / rate);
                }
            }
            return new int[]{from, nextSeq};
        }

        /** Waits until every message of [from, to) arrived, or nothing arrived for 10 s, or {@code maxSeconds}; returns the seconds waited. */
        double drain(int from, int to, String queue, int maxSeconds) throws InterruptedException {
            long t0 = System.nanoTime();
            long end = t0 + TimeUnit.SECONDS.toNanos(maxSeconds);
            int last = -1;
            long stable = System.nanoTime();
            while (System.nanoTime() < end) {
                int got = tracker.latenciesMs(from, to).length;
                if (got >= to - from) {
                    break;
                }
                if (got != last) {
                    last = got;
                    stable = System.nanoTime();
                } else if (System.nanoTime() - stable > TimeUnit.SECONDS.toNanos(10) && ep.sqs().depth(queue) == 0) {
                    break;
                }
                for (Instance i : instances) {
                    i.checkAlive("");
                }
                Thread.sleep(100);
            }
            return (System.nanoTime() - t0) / 1e9;
        }

        Map<String, Object> step(Mqtt5AsyncClient pub, String queue, int rate, int quota) throws Exception {
            String what = quota > 0 ? String.format("back-pressure step: %d msg/s against an iot-data quota of %d requests/s", rate, quota)
                    : String.format("step %d msg/s", rate);
            log("N=%d: %s for %d s", n, what, o.loadStepSeconds);
            if (quota > 0) {
                ep.iotDataPublishQuota(quota);
            }
            long throttled0 = ep.iotDataQuotaThrottled();
            long[] m0 = Machine.cpuTimes();
            double harness0 = harnessCpuMillis();
            double[] cpu0 = instances.stream().mapToDouble(Instance::cpuMillis).toArray();
            List<long[]> thr0 = instances.stream().map(i -> i.limits.throttling()).toList();
            long[] h0 = snapshot(handled);
            long[] busy0 = snapshot(busyNanos);
            int delivered0 = tracker.delivered();
            int duplicates0 = tracker.duplicates();
            long t0 = System.nanoTime();
            int[] seqs = publish(pub, rate, o.loadStepSeconds, second -> {
                if (second % 5 == 0) {
                    double s = (System.nanoTime() - t0) / 1e9;
                    log("N=%d:   %2d s: %.0f msg/s delivered so far, backlog %d", n, second, (tracker.delivered() - delivered0) / s,
                            ep.sqs().depth(queue));
                }
            });
            long t1 = System.nanoTime();
            double seconds = (t1 - t0) / 1e9;
            int deliveredInStep = tracker.delivered() - delivered0;
            long[] h1 = snapshot(handled);
            long[] busy1 = snapshot(busyNanos);
            double[] cpu1 = instances.stream().mapToDouble(Instance::cpuMillis).toArray();
            List<long[]> thr1 = instances.stream().map(i -> i.limits.throttling()).toList();
            double harness1 = harnessCpuMillis();
            long[] m1 = Machine.cpuTimes();
            long backlog = ep.sqs().depth(queue);
            long throttled = ep.iotDataQuotaThrottled() - throttled0;
            String loadavg = Machine.sh("cat", "/proc/loadavg");
            double drainSeconds = drain(seqs[0], seqs[1], queue, quota > 0 ? 120 : 90);
            if (quota > 0) {
                ep.iotDataPublishQuota(0);
            }

            Map<String, Object> r = new LinkedHashMap<>();
            r.put("instances", n);
            r.put("offeredTargetMsgPerSecond", rate);
            if (quota > 0) {
                r.put("iotDataQuotaPerSecond", quota);
                r.put("throttled429", throttled);
            }
            double offered = (seqs[1] - seqs[0]) / seconds;
            r.put("offeredMsgPerSecond", round(offered, 1));
            double delivered = deliveredInStep / seconds;
            r.put("deliveredMsgPerSecond", round(delivered, 1));
            List<Double> perInstance = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                perInstance.add(round((h1[i] - h0[i]) / seconds, 1));
            }
            r.put("perInstanceMsgPerSecond", perInstance);
            r.put("backlogAtStepEnd", backlog);
            double[] lat = tracker.latenciesMs(seqs[0], seqs[1]);
            r.put("sent", seqs[1] - seqs[0]);
            r.put("delivered", lat.length);
            r.put("lost", seqs[1] - seqs[0] - lat.length);
            // at-least-once: a redelivered record that had been published before is a duplicate, not a loss
            r.put("duplicates", tracker.duplicates() - duplicates0);
            r.put("drainSeconds", round(drainSeconds, 1));
            // the backlog left at the step's end, delivered while draining (at the quota in the back-pressure step)
            r.put("drainMsgPerSecond", drainSeconds < 0.5 ? null : round((lat.length - deliveredInStep) / drainSeconds, 1));
            r.put("p50Ms", round(Tracker.percentile(lat, 50), 1));
            r.put("p99Ms", round(Tracker.percentile(lat, 99), 1));
            r.put("maxMs", lat.length == 0 ? null : round(lat[lat.length - 1], 1));
            double busy = Machine.busyPercent(m0, m1);
            int cpus = Runtime.getRuntime().availableProcessors();
            double wallMs = seconds * 1000;
            double fnCpu = 0;
            List<Double> vcpu = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fnCpu += cpu1[i] - cpu0[i];
                vcpu.add(round((cpu1[i] - cpu0[i]) / wallMs, 3));
            }
            r.put("machineBusyPercent", busy);
            r.put("functionsCpuPercentOfMachine", round(100 * fnCpu / wallMs / cpus, 1));
            r.put("harnessCpuPercentOfMachine", round(100 * (harness1 - harness0) / wallMs / cpus, 1));
            r.put("othersCpuPercentOfMachine", round(busy - 100 * (fnCpu + harness1 - harness0) / wallMs / cpus, 1));
            r.put("instanceVcpuUsed", vcpu);
            double share = o.memoryMb / LambdaLimits.MB_PER_VCPU;
            r.put("instanceVcpuShare", round(share, 3));
            List<Double> throttledShare = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long[] a = thr0.get(i);
                long[] z = thr1.get(i);
                throttledShare.add(a == null || z == null || z[1] == a[1] ? null : round((double) (z[0] - a[0]) / (z[1] - a[1]), 3));
            }
            r.put("instanceThrottledPeriodShare", throttledShare);
            List<Double> invoking = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                invoking.add(round((busy1[i] - busy0[i]) / (seconds * 1e9), 3));
            }
            // share of the step each instance spent in invocations: near 1, it had no time for more batches
            r.put("instanceInvokingShare", invoking);
            // CPU time, unlike wall-clock rates, is what an instance costs whoever else uses the machine: what one
            // instance would carry at its full CPU share if CPU is what bounds it (the bench shows it is at batch 10)
            long processed = 0;
            for (int i = 0; i < n; i++) {
                processed += h1[i] - h0[i];
            }
            if (processed > 0 && fnCpu > 0) {
                double cpuMsPerMsg = fnCpu / processed;
                r.put("functionCpuMsPerMsg", round(cpuMsPerMsg, 3));
                r.put("cpuProjectedPerInstanceMsgPerSecond", round(share * 1000 / cpuMsPerMsg, 1));
            }
            r.put("loadavg", loadavg);
            classify(r, limits.active(), cpus, o.memoryMb);
            String limit = (String) r.get("limit");
            if (lastError != null) {
                r.put("lastError", lastError);
                lastError = null;
            }
            log("N=%d: %s: offered %.0f, delivered %.0f msg/s (per instance %s), backlog %d, p50 %.0f ms, p99 %.0f ms, lost %d%s, "
                            + "machine %.0f %% busy (functions %.0f %%, others %.0f %%), limit: %s",
                    n, what, offered, delivered, perInstance, backlog, Tracker.percentile(lat, 50), Tracker.percentile(lat, 99),
                    seqs[1] - seqs[0] - lat.length, quota > 0 ? ", 429s " + throttled : "", busy, r.get("functionsCpuPercentOfMachine"),
                    r.get("othersCpuPercentOfMachine"), limit);
            return r;
        }
    }

    /**
     * Whether a step kept up and what held it ({@code keepsUp}, {@code machineLimited}, {@code limit}), from
     * its measured fields; also applied again to a recorded run by {@code --report-from}. A step that falls
     * behind has a backlog, so its instances get full batches: all of them invoking back to back means the
     * instances themselves set the pace (their publish round trips), unless the machine's CPUs were
     * saturated, which slows those round trips too (the iot-data endpoint runs on this machine).
     */
    @SuppressWarnings("unchecked")
    static void classify(Map<String, Object> r, boolean cpuLimited, int cpus, int memoryMb) {
        double offered = ((Number) r.get("offeredMsgPerSecond")).doubleValue();
        double delivered = ((Number) r.get("deliveredMsgPerSecond")).doubleValue();
        long backlog = ((Number) r.get("backlogAtStepEnd")).longValue();
        double rate = ((Number) r.get("offeredTargetMsgPerSecond")).doubleValue();
        double busy = ((Number) r.get("machineBusyPercent")).doubleValue();
        double share = ((Number) r.get("instanceVcpuShare")).doubleValue();
        List<Number> vcpu = (List<Number>) r.get("instanceVcpuUsed");
        List<Number> throttled = (List<Number>) r.getOrDefault("instanceThrottledPeriodShare", List.of());
        List<Number> invoking = (List<Number>) r.getOrDefault("instanceInvokingShare", List.of());
        boolean keepsUp = delivered >= KEEPS_UP * offered && backlog < offered;
        boolean generatorShort = offered < KEEPS_UP * rate;
        boolean machine = busy >= MACHINE_BUSY || generatorShort;
        boolean atShare = cpuLimited && (vcpu.stream().anyMatch(v -> v.doubleValue() >= SHARE_USED * share)
                || throttled.stream().anyMatch(t -> t != null && t.doubleValue() >= THROTTLED_PERIODS));
        boolean saturated = !invoking.isEmpty() && invoking.stream().allMatch(v -> v != null && v.doubleValue() >= INSTANCE_BUSY);
        String limit;
        if (r.containsKey("iotDataQuotaPerSecond")) {
            limit = "iot-data quota";
        } else if (keepsUp) {
            limit = machine ? "none (keeps up, but the machine is at its limit)" : "none (keeps up)";
        } else if (atShare) {
            limit = "bridge (instances at Lambda's CPU share for " + memoryMb + " MB)";
        } else if (machine) {
            limit = generatorShort ? "machine (the load generator could not offer the rate)" : "machine (" + cpus + " CPUs busy)";
        } else if (saturated) {
            limit = "bridge (every instance invoking back to back, below its CPU share: the publish round trips set the pace)";
        } else {
            limit = "unclassified (neither the CPUs nor the CPU share exhausted)";
        }
        r.put("keepsUp", keepsUp);
        // a step that fell behind at the instances' CPU share measured the bridge, whatever the machine did
        r.put("machineLimited", machine && !(atShare && !keepsUp));
        r.put("limit", limit);
    }

    private static long[] snapshot(AtomicLongArray a) {
        long[] s = new long[a.length()];
        for (int i = 0; i < s.length; i++) {
            s[i] = a.get(i);
        }
        return s;
    }

    /**
     * What else runs on the machine (it may be shared): the ten busiest processes, each with its working
     * directory, which tells whose work it is.
     */
    private static String busiestProcesses() {
        return Machine.sh("sh", "-c", "ps -eo pid,pcpu,etime,comm --sort=-pcpu | sed -n '2,11p' | while read -r pid cpu etime comm; do "
                + "printf '%5s %% %11s %-16s %s\\n' \"$cpu\" \"$etime\" \"$comm\" \"$(readlink /proc/$pid/cwd 2>/dev/null)\"; done");
    }

    /** CPU time of this JVM (stack, rules engine, load generator, observer) so far, ms. */
    private static double harnessCpuMillis() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e6;
    }

    private String relative(Path p) {
        Path root = o.benchDir.getParent();
        return p.startsWith(root) ? root.relativize(p).toString() : p.toString();
    }

    static void log(String fmt, Object... args) {
        Progress.log("load", fmt, args);
    }
}
