package dev.iotbridge.harness.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.iotbridge.contract.Route;
import dev.iotbridge.harness.Tracker;
import dev.iotbridge.local.Counters;
import dev.iotbridge.local.LocalBridgeStack;
import dev.iotbridge.local.iotdata.FaultPlan;
import dev.iotbridge.local.lambda.FunctionCommand;
import dev.iotbridge.local.lambda.FunctionInstance;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The chaos scenarios (docs/reliability.md), each on a fresh local stack running the REAL
 * function artifact. Delivery is counted at the destination broker by a subscriber on '#'
 * (unique by the id in the payload); the DLQ is read at the end and grouped by
 * {@code BridgeErrorCode} ({@code REDRIVEN} = moved by the redrive policy after
 * maxReceiveCount, no attributes). lost = sent ids neither delivered nor in the DLQ.
 */
public final class ChaosScenarios {

    static final Route GROUND = Route.of("ground", "GROUND/v1/#", "", "");
    static final String REDRIVEN = "REDRIVEN";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChaosOptions o;

    public ChaosScenarios(ChaosOptions o) {
        this.o = o;
    }

    // ------------------------------------------------------------------ scenarios

    /** 1: N messages straight on the queue, no faults. */
    public ScenarioResult noFaults() throws Exception {
        String name = "1 no faults";
        try (LocalBridgeStack stack = stack(name, List.of(GROUND), o.batchSize, o.batchWindow, o.maxConcurrency).build().start()) {
            Tracker t = track(stack, "s1", o.messages);
            Run run = new Run(name, stack, t);
            long sent = run.sendToQueue();
            Duration drain = run.awaitDrain(() -> true);
            return run.result("queue (envelopes)", sent, drain, new ArrayList<>(), notes(stack));
        }
    }

    /** 2: N messages with a share of transient publish faults (429, 500, 503, slow past the timeout, reset). */
    public ScenarioResult transientFaults() throws Exception {
        String name = String.format("2 %d%% transient faults", Math.round(o.faultRate * 100));
        Duration slow = o.publishTimeout.plus(o.publishTimeout.dividedBy(2));
        try (LocalBridgeStack stack = stack(name, List.of(GROUND), o.faultBatchSize,
                o.faultBatchSize > 10 ? Duration.ofSeconds(1) : o.batchWindow, o.faultMaxConcurrency)
                .faultPlan(FaultPlan.mixed(o.faultRate, slow)).build().start()) {
            Tracker t = track(stack, "s2", o.faultMessages());
            Run run = new Run(name, stack, t);
            long sent = run.sendToQueue();
            Duration drain = run.awaitDrain(() -> true);
            List<String> problems = new ArrayList<>();
            Map<FaultPlan.Fault, Long> faults = stack.iotData().faultCounts();
            long injected = faults.values().stream().mapToLong(Long::longValue).sum();
            if (injected == 0) problems.add("no fault was injected");
            List<String> notes = notes(stack);
            notes.add(0, "faults injected " + faults + " of " + stack.counters().iotDataRequests.sum()
                    + " iot-data requests; slow = held " + slow.toMillis() + " ms, BRIDGE_PUBLISH_TIMEOUT "
                    + o.publishTimeout.toMillis() + " ms");
            return run.result("queue (envelopes)", sent, drain, problems, notes);
        }
    }

    /**
     * 3: the function process SIGKILLed every few seconds, at a uniformly random point of a batch,
     * while N messages flow through the full MQTT path. Each instance's batch lasts about
     * {@code killBatchLatency × batch / killConcurrency} (publishes one wave after another), so a
     * kill lands before, between or after its publishes; every kill is classified by what of its
     * batch had reached iot-data, and the partial-publish case must occur.
     */
    public ScenarioResult functionKills() throws Exception {
        String name = "3 function killed every " + secs(o.killEvery);
        try (LocalBridgeStack stack = stack(name, List.of(GROUND), o.batchSize, o.batchWindow, o.killConcurrency)
                .iotDataLatency(o.killIotDataLatency)
                .functionTimeout(Duration.ofSeconds(5)).visibilityTimeout(Duration.ofSeconds(6)).build().start()) {
            Tracker t = track(stack, "s3", o.killMessages);
            Run run = new Run(name, stack, t);
            KillLog kills = new KillLog();
            Thread killer = Thread.ofPlatform().daemon().name("chaos-killer").start(() -> killLoop(stack, t, kills));
            long sent;
            Duration drain;
            try {
                sent = run.sendViaMqtt();
                drain = run.awaitDrain(() -> true);
            } finally {
                killer.interrupt();
                killer.join(15_000);
            }
            List<String> problems = new ArrayList<>();
            if (kills.total() == 0) problems.add("the function was never killed");
            if (kills.total() >= 10 && kills.partial.get() == 0) {
                problems.add(kills.total() + " kills and not one in the middle of a batch's publishes");
            }
            List<String> notes = notes(stack);
            notes.add(0, kills.total() + " SIGKILLs at a uniformly random point of a batch: " + kills.before.get()
                    + " before its first publish, " + kills.partial.get() + " between its publishes (partial), "
                    + kills.after.get() + " after its last; " + kills.missed.get() + " drawn points fell after the batch "
                    + "had ended (no kill); " + stack.counters().functionStarts.sum() + " function starts; a process is "
                    + "killed only after it answered one invocation (progress); visibility 6 s, function timeout 5 s, "
                    + "BRIDGE_MAX_CONCURRENCY " + o.killConcurrency + ", iot-data latency " + o.killIotDataLatency.toMillis() + " ms");
            return run.result("MQTT (full path)", sent, drain, problems, notes);
        }
    }

    /** How the kills of scenario 3 landed. */
    static final class KillLog {
        final AtomicInteger before = new AtomicInteger();
        final AtomicInteger partial = new AtomicInteger();
        final AtomicInteger after = new AtomicInteger();
        final AtomicInteger missed = new AtomicInteger();

        int total() { return before.get() + partial.get() + after.get(); }
    }

    /**
     * Round robin over the instances: wait until the process has answered at least one
     * invocation since it started (so that every restart makes progress: a first batch slowed
     * down by a cold JVM on a loaded machine is never killed in a loop), wait the period, take
     * the next invocation it starts, and kill it at a uniformly random point of its expected
     * duration (the median of its recent invocations).
     */
    private void killLoop(LocalBridgeStack stack, Tracker t, KillLog log) {
        List<FunctionInstance> fs = stack.functions();
        java.util.Random random = new java.util.Random();
        int k = 0;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                FunctionInstance f = fs.get(k++ % fs.size());
                var api = f.runtimeApi();
                long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while ((!f.isRunning() || api.answeredThisGeneration() == 0) && System.nanoTime() < until) Thread.sleep(5);
                Thread.sleep(o.killEvery.toMillis());
                // the next invocation to start on this instance (or one already running)
                dev.iotbridge.local.lambda.Invocation inv = null;
                until = System.nanoTime() + o.killEvery.toNanos();
                while (inv == null && System.nanoTime() < until) {
                    List<dev.iotbridge.local.lambda.Invocation> running = api.inFlight();
                    if (running.isEmpty()) Thread.sleep(1);
                    else inv = running.get(0);
                }
                if (inv == null) continue;
                List<Integer> ids = idsOf(inv.event(), t);
                long expected = Math.max(api.medianInvocationNanos(), 1_000_000L);
                long at = inv.takenNanos() + (long) (random.nextDouble() * expected);
                long wait = at - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                if (inv.result().isDone() || !f.isRunning()) {
                    log.missed.incrementAndGet();
                    continue;
                }
                f.kill();
                Thread.sleep(300); // requests already sent still land at iot-data
                long taken = inv.takenNanos();
                int published = (int) ids.stream().filter(i -> t.reachedIotDataSince(i, taken)).count();
                if (published == 0) log.before.incrementAndGet();
                else if (published < ids.size()) log.partial.incrementAndGet();
                else log.after.incrementAndGet();
            }
        } catch (InterruptedException e) {
            // stop
        }
    }

    /** The chaos ids of the records of an SQSEvent (envelope bodies with a chaos payload). */
    private static List<Integer> idsOf(byte[] event, Tracker t) {
        List<Integer> ids = new ArrayList<>();
        try {
            for (JsonNode r : JSON.readTree(event).path("Records")) {
                JsonNode body = JSON.readTree(r.path("body").asText());
                int i = t.idOf(Base64.getDecoder().decode(body.path("payload").asText()));
                if (i >= 0) ids.add(i);
            }
        } catch (Exception e) {
            // not a batch of envelopes: nothing to classify
        }
        return ids;
    }

    /**
     * 4: the destination (iot-data) answers 503 to everything for {@code outage} (6 hours), then
     * recovers; N messages cross the full MQTT path as it goes down. Time-compressed by ONE
     * factor ({@link ChaosOptions#timeFactor}): the queue's visibility timeout, the function's
     * backoff base and cap, the queue's retention and the outage itself are the destination
     * module's defaults divided by it; counts (max_receive_count) are not time and stay as they
     * are. Must end with lost 0, DLQ 0, nothing expired, every message delivered after the recovery.
     */
    public ScenarioResult destinationOutage() throws Exception {
        long f = o.timeFactor;
        Duration visibility = Duration.ofSeconds(Math.max(1, 180 / f));
        Duration base = Duration.ofSeconds(60 / f);
        Duration cap = Duration.ofSeconds(900 / f);
        Duration retention = Duration.ofSeconds(345_600 / f);
        Duration outage = o.outage.dividedBy(f);
        if (60 % f != 0 || base.isZero()) {
            throw new IllegalArgumentException("--time-factor " + f + " must divide 60 (the backoff base of 60 s must "
                    + "stay a whole number of seconds)");
        }
        String name = "4 destination down " + hours(o.outage) + " (÷" + f + ")";
        try (LocalBridgeStack stack = stack(name, List.of(GROUND), o.batchSize, o.batchWindow, o.maxConcurrency)
                .maxReceiveCount(o.outageMaxReceiveCount)
                .visibilityTimeout(visibility).functionTimeout(visibility)
                .backoff(base, cap).messageRetention(retention)
                .faultPlan(FaultPlan.outageNow()).build().start()) {
            Tracker t = track(stack, "s4", o.outageMessages);
            Run run = new Run(name, stack, t);
            long down = System.nanoTime();
            long sent = run.sendViaMqtt();
            long remaining = outage.toMillis() - (System.nanoTime() - down) / 1_000_000;
            while (remaining > 0) {
                Thread.sleep(Math.min(remaining, o.progressEvery.toMillis()));
                remaining = outage.toMillis() - (System.nanoTime() - down) / 1_000_000;
                run.progressLine("destination DOWN, " + Math.max(0, remaining / 1000) + " s left");
            }
            long deliveredDuringOutage = t.delivered();
            long dlqAtRecovery = stack.dlqDepth();
            long receivesDuringOutage = stack.counters().recordsFailed.sum();
            long requestsDuringOutage = stack.counters().iotDataRequests.sum();
            stack.iotData().setFaultPlan(FaultPlan.none());
            run.sendEnd = System.nanoTime();   // time to drain counts from the recovery
            Duration drain = run.awaitDrain(() -> true);
            List<String> problems = new ArrayList<>();
            if (deliveredDuringOutage > 0) problems.add(deliveredDuringOutage + " delivered while the destination was down");
            if (stack.counters().expired.sum() > 0) problems.add(stack.counters().expired.sum() + " expired (retention)");
            if (stack.dlqDepth() > 0 || dlqAtRecovery > 0) problems.add("the DLQ is not empty: " + stack.dlqDepth());
            List<String> notes = notes(stack);
            notes.add(0, String.format("time factor %d: outage %s → %d s, visibility 180 s → %d s, backoff %d s..%d s → "
                            + "%d s..%d s, retention 4 d → %d s, max_receive_count %d; during the outage: %,d iot-data "
                            + "requests (all 503), %,d failed receives = %.1f per message (a receive every visibility "
                            + "timeout would be %.0f); DLQ at recovery %d; drained %.1f s after the recovery (backoff cap %d s)",
                    f, hours(o.outage), outage.toSeconds(), visibility.toSeconds(), 60, 900, base.toSeconds(), cap.toSeconds(),
                    retention.toSeconds(), o.outageMaxReceiveCount, requestsDuringOutage, receivesDuringOutage,
                    receivesDuringOutage / (double) Math.max(1, sent), outage.toSeconds() / (double) visibility.toSeconds(),
                    dlqAtRecovery, drain.toMillis() / 1000.0, cap.toSeconds()));
            return run.result("MQTT (full path)", sent, drain, problems, notes);
        }
    }

    /**
     * 6: a throttling storm: for {@code stormDuration}, half of all iot-data requests answer 429
     * while envelopes arrive on the queue at a steady {@code stormRate}; then it clears. Lost must
     * be 0, the DLQ empty, and the mean iot-data request rate during the storm must stay below
     * {@code 2 × BRIDGE_PUBLISH_MAX_ATTEMPTS × stormRate}: throttled records back off instead of
     * being retried in a loop (with 50 % independent 429s, about 2 requests per message are
     * expected: 1.5 per receive, 1.33 receives).
     */
    public ScenarioResult throttlingStorm() throws Exception {
        String name = "6 throttling storm " + Math.round(o.stormThrottle * 100) + "% 429 for " + secs(o.stormDuration);
        int n = (int) (o.stormRate * o.stormDuration.toSeconds());
        try (LocalBridgeStack stack = stack(name, List.of(GROUND), o.batchSize, o.batchWindow, o.maxConcurrency)
                .faultPlan(FaultPlan.none().withThrottle(o.stormThrottle)).build().start()) {
            Tracker t = track(stack, "s6", n);
            Run run = new Run(name, stack, t);
            long requestsBefore = stack.counters().iotDataRequests.sum();
            long start = System.nanoTime();
            long peak = 0;
            long lastSecond = requestsBefore;
            long nextSecond = start + 1_000_000_000L;
            run.sendStart = start;
            for (int i = 0; i < n; i += 10) {
                // paced: message i is due at start + i / rate
                long due = start + (long) (i * 1e9 / o.stormRate);
                while (System.nanoTime() < due) {
                    if (System.nanoTime() >= nextSecond) {
                        long now = stack.counters().iotDataRequests.sum();
                        peak = Math.max(peak, now - lastSecond);
                        lastSecond = now;
                        nextSecond += 1_000_000_000L;
                    }
                    Thread.sleep(1);
                }
                int from = i;
                List<SendMessageBatchRequestEntry> es = new ArrayList<>();
                for (int j = from; j < Math.min(n, from + 10); j++) {
                    es.add(SendMessageBatchRequestEntry.builder().id("m" + j).messageBody(envelope(t, j)).build());
                }
                run.sent.add(stack.sqsClient().sendMessageBatch(b -> b.queueUrl(stack.queueUrl()).entries(es)).successful().size());
            }
            while (System.nanoTime() < start + o.stormDuration.toNanos()) Thread.sleep(10);
            long stormNanos = System.nanoTime() - start;
            long stormRequests = stack.counters().iotDataRequests.sum() - requestsBefore;
            Map<FaultPlan.Fault, Long> faults = stack.iotData().faultCounts();
            stack.iotData().setFaultPlan(FaultPlan.none());
            run.sendEnd = System.nanoTime();
            Duration drain = run.awaitDrain(() -> true);
            double rate = stormRequests / (stormNanos / 1e9);
            double bound = 2.0 * o.publishMaxAttempts * o.stormRate;
            List<String> problems = new ArrayList<>();
            if (rate > bound) {
                problems.add(String.format("iot-data request rate during the storm %.0f/s is above the bound %.0f/s", rate, bound));
            }
            if (faults.getOrDefault(FaultPlan.Fault.THROTTLE, 0L) == 0) problems.add("no 429 was injected");
            if (stack.dlqDepth() > 0) problems.add("the DLQ is not empty");
            List<String> notes = notes(stack);
            notes.add(0, String.format("%,d messages at %.0f msg/s; during the storm %,d iot-data requests (%,d answered 429): "
                            + "%.0f requests/s on average (bound 2 × BRIDGE_PUBLISH_MAX_ATTEMPTS %d × %.0f msg/s = %.0f/s), "
                            + "peak %d in one second; %,d receives ended in batchItemFailures",
                    n, o.stormRate, stormRequests, faults.getOrDefault(FaultPlan.Fault.THROTTLE, 0L), rate,
                    o.publishMaxAttempts, o.stormRate, bound, peak, stack.counters().recordsFailed.sum()));
            return run.result("queue (paced envelopes)", run.sent.sum(), drain, problems, notes);
        }
    }

    /**
     * 5: every case of the bad-input corpus put straight on the queue, shuffled among good
     * messages. Each bad case must reach the DLQ once, with its exact BridgeErrorCode, after ONE
     * receive (no record is ever reported in batchItemFailures, no invocation fails); every good
     * message is delivered.
     */
    public ScenarioResult badInputCorpus() throws Exception {
        String name = "5 bad-input corpus";
        BadInputCorpus corpus = BadInputCorpus.load();
        try (LocalBridgeStack stack = stack(name, corpus.routes, o.batchSize, o.batchWindow, o.maxConcurrency).build().start()) {
            Tracker t = track(stack, "s5", o.corpusGood);
            Map<String, LongAdder> topics = new ConcurrentHashMap<>();
            Map<String, Long> expectTopics = new HashMap<>();
            corpus.good.forEach(c -> expectTopics.merge(c.expectTopic(), 1L, Long::sum));
            // the corpus' own good cases carry no id: each must arrive on its expected topic (the
            // generated ones are checked per id and topic by the tracker); anything else is misrouted
            List<String> misrouted = new java.util.concurrent.CopyOnWriteArrayList<>();
            stack.destinationObserver().addListener(a -> {
                topics.computeIfAbsent(a.topic(), k -> new LongAdder()).increment();
                if (t.idOf(a.payload()) < 0 && !expectTopics.containsKey(a.topic())) misrouted.add(a.topic());
            });
            Run run = new Run(name, stack, t);
            // bodies: bad cases, the corpus' good cases and generated good messages, shuffled
            record Item(String body, BadInputCorpus.Case c, int gen) {}
            List<Item> items = new ArrayList<>();
            corpus.bad.forEach(c -> items.add(new Item(c.body(), c, -1)));
            corpus.good.forEach(c -> items.add(new Item(c.body(), c, -1)));
            for (int i = 0; i < o.corpusGood; i++) items.add(new Item(envelope(t, i), null, i));
            Collections.shuffle(items, new Random(7));
            long failedBefore = stack.counters().recordsFailed.sum();
            long invErrBefore = stack.counters().invocationErrors.sum();
            Map<String, String> sqsIdToCase = new ConcurrentHashMap<>();
            run.sendStart = System.nanoTime();
            for (Item it : items) {
                String id = stack.sqsClient().sendMessage(b -> b.queueUrl(stack.queueUrl()).messageBody(it.body())).messageId();
                run.sent.increment();
                if (it.c() != null) sqsIdToCase.put(id, it.c().id());
            }
            run.sendEnd = System.nanoTime();
            long total = items.size();
            BooleanSupplier done = () -> t.delivered() >= o.corpusGood
                    && stack.dlqDepth() >= corpus.bad.size()
                    && expectTopics.entrySet().stream().allMatch(e -> count(topics, e.getKey()) >= e.getValue());
            Duration drain = run.awaitDrain(done, total, () -> t.delivered() + stack.dlqDepth()
                    + expectTopics.entrySet().stream().mapToLong(e -> Math.min(e.getValue(), count(topics, e.getKey()))).sum());
            Thread.sleep(500);
            List<Message> dlq = stack.drainDlq(false);

            List<String> problems = new ArrayList<>();
            Map<String, Long> byReason = new TreeMap<>();
            Map<String, List<Message>> dlqByBody = new HashMap<>();
            for (Message m : dlq) {
                byReason.merge(reason(m), 1L, Long::sum);
                dlqByBody.computeIfAbsent(m.body(), k -> new ArrayList<>()).add(m);
            }
            long lost = 0;
            long inDlq = 0;
            for (BadInputCorpus.Case c : corpus.bad) {
                List<Message> copies = dlqByBody.getOrDefault(c.body(), List.of());
                if (copies.isEmpty()) {
                    lost++;
                    problems.add(c.id() + ": not in the DLQ");
                    continue;
                }
                inDlq++;
                if (copies.size() > 1) problems.add(c.id() + ": " + copies.size() + " copies in the DLQ");
                Message m = copies.get(0);
                String code = attr(m, "BridgeErrorCode");
                if (!c.expect().equals(code)) problems.add(c.id() + ": BridgeErrorCode " + code + ", expected " + c.expect());
                String src = attr(m, "BridgeSourceMessageId");
                if (src == null || !c.id().equals(sqsIdToCase.get(src))) {
                    problems.add(c.id() + ": BridgeSourceMessageId " + src + " is not the id of the record sent");
                }
            }
            long goodDelivered = t.delivered();
            lost += o.corpusGood - goodDelivered;
            for (Map.Entry<String, Long> e : expectTopics.entrySet()) {
                long got = count(topics, e.getKey());
                goodDelivered += Math.min(got, e.getValue());
                if (got < e.getValue()) {
                    lost += e.getValue() - got;
                    problems.add("good corpus message(s) on " + e.getKey() + " not delivered: " + got + "/" + e.getValue());
                }
            }
            for (Message m : dlq) {
                if (!dlqByBody.containsKey(m.body()) || corpus.bad.stream().noneMatch(c -> c.body().equals(m.body()))) {
                    problems.add("a good message ended in the DLQ (" + reason(m) + "): "
                            + m.body().substring(0, Math.min(120, m.body().length())));
                }
            }
            if (!misrouted.isEmpty()) problems.add(misrouted.size() + " corpus message(s) on an unexpected topic: " + misrouted);
            if (t.misrouted() > 0) problems.add(t.misrouted() + " generated message(s) on the wrong topic: " + t.misroutedExamples());
            long retried = stack.counters().recordsFailed.sum() - failedBefore;
            long invErrors = stack.counters().invocationErrors.sum() - invErrBefore;
            if (retried > 0) problems.add(retried + " record(s) reported in batchItemFailures: not handled at the first receive");
            if (invErrors > 0) problems.add(invErrors + " failed invocation(s)");
            long published = stack.counters().publishedAtIotData.sum();
            List<String> notes = notes(stack);
            notes.add(0, corpus.bad.size() + " bad cases (" + byReason.size() + " distinct codes), "
                    + corpus.good.size() + " good corpus cases, " + o.corpusGood + " generated good messages; "
                    + "records retried " + retried + ", invocation errors " + invErrors
                    + " (0 and 0 = every record settled at its first receive); publishes " + published);
            return new ScenarioResult(name, "queue (corpus bodies)", total, goodDelivered, t.duplicates(), byReason,
                    lost, drain, problems, notes);
        }
    }

    // ------------------------------------------------------------------ building blocks

    private LocalBridgeStack.Builder stack(String name, List<Route> routes, int batchSize, Duration window, int maxConcurrency)
            throws Exception {
        o.out.printf("%n=== scenario %s: starting a local stack (%d function instance(s), batch %d, BRIDGE_MAX_CONCURRENCY %d, "
                + "BRIDGE_PUBLISH_TIMEOUT %d ms)%n", name, o.instances, batchSize, maxConcurrency, o.publishTimeout.toMillis());
        LocalBridgeStack.Builder b = LocalBridgeStack.builder()
                .routes(routes)
                .ephemeralPorts()
                .functionZip(o.functionZip())
                .concurrency(o.instances)
                .batchSize(batchSize)
                .maximumBatchingWindow(window)
                .maxReceiveCount(o.maxReceiveCount)
                .visibilityTimeout(o.visibilityTimeout)
                .functionTimeout(o.functionTimeout)
                .iotDataLatency(o.iotDataLatency)
                .functionEnv("BRIDGE_PUBLISH_TIMEOUT", o.publishTimeout.toMillis() + "ms")
                .functionEnv("BRIDGE_MAX_CONCURRENCY", Integer.toString(maxConcurrency))
                .functionEnv("BRIDGE_PUBLISH_MAX_ATTEMPTS", Integer.toString(o.publishMaxAttempts))
                .progress(o.verbose ? o.out : null);
        if (o.workRoot != null) {
            Path dir = o.workRoot.resolve(name.replaceAll("[^A-Za-z0-9]+", "-"));
            if (Files.exists(dir)) FunctionCommand.deleteTree(dir);
            b.workDir(Files.createDirectories(dir));
        }
        return b;
    }

    /**
     * Chaos message {@code i} of a scenario: its payload {@code {"chaos":"<tag>","i":<i>}} (another
     * payload is not one of the scenario's), its topic {@link #topic(int)}.
     */
    static Tracker.Ids ids(String tag) {
        byte[] prefix = ("{\"chaos\":\"" + tag + "\",\"i\":").getBytes(StandardCharsets.US_ASCII);
        return new Tracker.Ids() {
            @Override
            public byte[] payload(int i) {
                return ("{\"chaos\":\"" + tag + "\",\"i\":" + i + "}").getBytes(StandardCharsets.US_ASCII);
            }

            @Override
            public int idOf(byte[] p) {
                if (p.length <= prefix.length) return -1;
                for (int k = 0; k < prefix.length; k++) if (p[k] != prefix[k]) return -1;
                long v = 0;
                int k = prefix.length;
                for (; k < p.length && p[k] >= '0' && p[k] <= '9' && v <= Integer.MAX_VALUE; k++) v = v * 10 + (p[k] - '0');
                if (k == prefix.length || k >= p.length || p[k] != '}' || v > Integer.MAX_VALUE) return -1;
                return (int) v;
            }
        };
    }

    /**
     * The source topic of chaos message {@code i}, 16 topics in turn; the chaos route mapping nothing,
     * also the only topic it may arrive on at the destination (anywhere else it is misrouted).
     */
    static String topic(int i) {
        return "GROUND/v1/chaos/" + (i % 16);
    }

    /** Counts a scenario's messages at the destination broker (by id, on its topic) and at iot-data. */
    private static Tracker track(LocalBridgeStack stack, String tag, int n) {
        Tracker t = new Tracker(n, ids(tag), ChaosScenarios::topic);
        stack.destinationObserver().addListener(a -> t.arrived(a.topic(), a.payload()));
        stack.iotData().setListener(p -> t.atIotData(p.payload()));
        return t;
    }

    static String envelope(Tracker t, int i) {
        return "{\"v\":1,\"route\":\"ground\",\"topic\":\"" + topic(i) + "\",\"payload\":\""
                + Base64.getEncoder().encodeToString(t.payload(i)) + "\",\"ts\":" + System.currentTimeMillis()
                + ",\"clientId\":\"chaos\"}";
    }

    private static long count(Map<String, LongAdder> m, String k) {
        LongAdder a = m.get(k);
        return a == null ? 0 : a.sum();
    }

    static String attr(Message m, String name) {
        MessageAttributeValue v = m.messageAttributes().get(name);
        return v == null ? null : v.stringValue();
    }

    static String reason(Message m) {
        String code = attr(m, "BridgeErrorCode");
        return code == null ? REDRIVEN : code;
    }

    private List<String> notes(LocalBridgeStack stack) {
        Counters c = stack.counters();
        List<String> n = new ArrayList<>();
        n.add(String.format("stack counters: invocations %d (errors %d), records deleted %d, batchItemFailures %d, "
                        + "iot-data requests %d (faults %d), published %d, function starts %d, rule errors %d",
                c.invocations.sum(), c.invocationErrors.sum(), c.recordsDeleted.sum(), c.recordsFailed.sum(),
                c.iotDataRequests.sum(), c.iotDataFaults.sum(), c.publishedAtIotData.sum(), c.functionStarts.sum(),
                c.ruleErrors.sum()));
        return n;
    }

    /** One scenario's sending, progress, drain and accounting. */
    private final class Run {
        final String name;
        final LocalBridgeStack stack;
        final Tracker t;
        final LongAdder sent = new LongAdder();
        final LongAdder sendErrors = new LongAdder();
        volatile long sendStart = System.nanoTime();
        volatile long sendEnd;
        long lastProgress;

        Run(String name, LocalBridgeStack stack, Tracker t) {
            this.name = name;
            this.stack = stack;
            this.t = t;
        }

        void progressLine(String extra) {
            double secs = (System.nanoTime() - sendStart) / 1e9;
            o.out.printf("  [%s] %5.0f s  sent %,d  delivered %,d (dup %,d)  queue %,d  DLQ %,d  %.0f msg/s%s%n",
                    name, secs, sent.sum(), t.delivered(), t.duplicates(), stack.queueDepth(),
                    stack.dlqDepth(), t.delivered() / Math.max(0.001, secs), extra == null ? "" : "  " + extra);
        }

        private void maybeProgress() {
            long now = System.nanoTime();
            if (now - lastProgress >= o.progressEvery.toNanos()) {
                lastProgress = now;
                progressLine(null);
            }
        }

        /** Envelopes straight on the queue (SendMessageBatch of 10, several senders). */
        long sendToQueue() throws Exception {
            sendStart = System.nanoTime();
            lastProgress = sendStart;
            AtomicInteger next = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(o.senders);
            List<Future<?>> fs = new ArrayList<>();
            for (int s = 0; s < o.senders; s++) {
                fs.add(pool.submit(() -> {
                    while (true) {
                        int from = next.getAndAdd(10);
                        if (from >= t.size()) return null;
                        int to = Math.min(t.size(), from + 10);
                        List<SendMessageBatchRequestEntry> es = new ArrayList<>();
                        for (int i = from; i < to; i++) {
                            es.add(SendMessageBatchRequestEntry.builder().id("m" + i).messageBody(envelope(t, i)).build());
                        }
                        for (int attempt = 1; ; attempt++) {
                            var res = stack.sqsClient().sendMessageBatch(b -> b.queueUrl(stack.queueUrl()).entries(es));
                            sent.add(res.successful().size());
                            if (res.failed().isEmpty()) break;
                            if (attempt == 5) throw new IllegalStateException("SendMessageBatch failed: " + res.failed());
                            es.removeIf(e -> res.successful().stream().anyMatch(ok -> ok.id().equals(e.id())));
                        }
                    }
                }));
            }
            pool.shutdown();
            while (!pool.awaitTermination(200, TimeUnit.MILLISECONDS)) maybeProgress();
            for (Future<?> f : fs) f.get();
            sendEnd = System.nanoTime();
            o.out.printf("  [%s] sent %,d envelopes to the queue in %.1f s%n", name, sent.sum(), (sendEnd - sendStart) / 1e9);
            return sent.sum();
        }

        /** MQTT 5 QoS 1 publishes to the source broker (the full path: rule → SQS → function → iot-data → broker). */
        long sendViaMqtt() throws Exception {
            sendStart = System.nanoTime();
            lastProgress = sendStart;
            Mqtt5AsyncClient c = Mqtt5Client.builder().identifier("chaos-publisher-" + name.replaceAll("[^A-Za-z0-9]+", "-")).serverHost("127.0.0.1")
                    .serverPort(stack.sourceMqttPort()).buildAsync();
            c.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
            Semaphore inFlight = new Semaphore(256);
            try {
                for (int i = 0; i < t.size(); i++) {
                    while (!inFlight.tryAcquire(200, TimeUnit.MILLISECONDS)) maybeProgress();
                    maybeProgress();
                    c.publishWith().topic(topic(i)).qos(MqttQos.AT_LEAST_ONCE).payload(t.payload(i))
                            .send().whenComplete((r, e) -> {
                                if (e == null && r.getError().isEmpty()) sent.increment();
                                else sendErrors.increment();
                                inFlight.release();
                            });
                }
                inFlight.acquire(256);
                inFlight.release(256);
            } finally {
                c.disconnect().get(10, TimeUnit.SECONDS);
            }
            sendEnd = System.nanoTime();
            o.out.printf("  [%s] published %,d MQTT messages to the source broker in %.1f s (%d failed)%n", name,
                    sent.sum(), (sendEnd - sendStart) / 1e9, sendErrors.sum());
            if (sendErrors.sum() > 0) throw new IllegalStateException(sendErrors.sum() + " source publishes failed");
            return sent.sum();
        }

        Duration awaitDrain(BooleanSupplier extra) throws InterruptedException {
            return awaitDrain(extra, sent.sum(), () -> t.delivered() + stack.dlqDepth());
        }

        /**
         * Waits until the rules engine has queued everything sent over MQTT, the queue is empty
         * and everything is accounted for (delivered or in the DLQ); gives up when nothing moved
         * for 2 × the visibility timeout + 30 s with the queue empty, when nothing was accounted
         * for during {@link ChaosOptions#progressTimeout} (if set: a stuck record, not a slow
         * machine), or after the drain timeout.
         */
        Duration awaitDrain(BooleanSupplier extra, long total, Supplier<Long> accounted) throws InterruptedException {
            long end = System.nanoTime() + o.drainTimeout.toNanos();
            long stallLimit = o.visibilityTimeout.multipliedBy(2).plusSeconds(30).toNanos();
            long lastChange = System.nanoTime();
            long lastProgress = System.nanoTime();
            long lastSeen = -1;
            Counters c = stack.counters();
            while (System.nanoTime() < end) {
                maybeProgress();
                long acc = accounted.get();
                boolean ruleDone = c.ruleMatched.sum() == 0 || c.sentToQueue.sum() + c.ruleErrors.sum() >= c.ruleMatched.sum();
                long depth = stack.queueDepth();
                if (ruleDone && depth == 0 && acc >= total && extra.getAsBoolean()) break;
                if (acc != lastSeen) lastProgress = System.nanoTime();
                if (o.progressTimeout != null && System.nanoTime() - lastProgress > o.progressTimeout.toNanos()) {
                    o.out.printf("  [%s] nothing delivered or quarantined for %d s with %d on the queue: stop waiting%n",
                            name, (System.nanoTime() - lastProgress) / 1_000_000_000L, depth);
                    break;
                }
                if (acc != lastSeen || depth > 0) {
                    lastSeen = acc;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > stallLimit) {
                    o.out.printf("  [%s] nothing moved for %d s with the queue empty: stop waiting%n", name,
                            (System.nanoTime() - lastChange) / 1_000_000_000L);
                    break;
                }
                Thread.sleep(100);
            }
            Duration d = Duration.ofNanos(System.nanoTime() - (sendEnd == 0 ? sendStart : sendEnd));
            Thread.sleep(1000);   // late duplicates still in flight to the subscriber
            progressLine("drained");
            return d;
        }

        ScenarioResult result(String injection, long sentCount, Duration drain, List<String> problems, List<String> notes) {
            List<Message> dlq = stack.drainDlq(false);
            Map<String, Long> byReason = new TreeMap<>();
            boolean[] inDlq = new boolean[t.size()];
            for (Message m : dlq) {
                byReason.merge(reason(m), 1L, Long::sum);
                int i = indexOfBody(m.body());
                if (i >= 0) inDlq[i] = true;
                else problems.add("a DLQ message that is not from this scenario: " + m.body());
            }
            long lost = 0;
            long bothDeliveredAndDlq = 0;
            long publishedNotSeen = 0;
            List<Integer> lostIds = new ArrayList<>();
            for (int i = 0; i < t.size(); i++) {
                boolean d = t.delivered(i);
                if (!d && !inDlq[i]) {
                    lost++;
                    if (lostIds.size() < 10) lostIds.add(i);
                    if (t.reachedIotData(i)) publishedNotSeen++;
                }
                if (d && inDlq[i]) bothDeliveredAndDlq++;
            }
            if (sentCount != t.size()) problems.add("sent " + sentCount + " of " + t.size());
            long stillQueued = stack.queueDepth();
            if (stillQueued > 0) {
                // gave up waiting: these are not lost (they stay on the queue), but the scenario failed to drain
                problems.add("did not drain (limit " + o.drainTimeout.toSeconds() + " s"
                        + (o.progressTimeout == null ? "" : ", or " + o.progressTimeout.toSeconds() + " s without progress")
                        + "): " + stillQueued
                        + " message(s) still on the queue (not counted as lost)");
                lost = Math.max(0, lost - stillQueued);
            }
            if (lost > 0) {
                problems.add(lost + " lost, e.g. ids " + lostIds + " (" + publishedNotSeen
                        + " of them were accepted by iot-data but never reached the subscriber)");
            }
            if (bothDeliveredAndDlq > 0) {
                notes.add(bothDeliveredAndDlq + " message(s) both delivered and in the DLQ (a publish that succeeded "
                        + "after its record was given up: counted once, as delivered)");
            }
            if (t.foreign() > 0) notes.add(t.foreign() + " foreign message(s) at the destination");
            if (t.misrouted() > 0) {
                problems.add(t.misrouted() + " message(s) arrived on the wrong destination topic, e.g. " + t.misroutedExamples());
            }
            return new ScenarioResult(name, injection, sentCount, t.delivered(), t.duplicates(), byReason, lost,
                    drain, problems, notes);
        }

        int indexOfBody(String body) {
            try {
                JsonNode n = JSON.readTree(body);
                return t.idOf(Base64.getDecoder().decode(n.get("payload").asText()));
            } catch (Exception e) {
                return -1;
            }
        }
    }

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static String hours(Duration d) {
        return d.toMinutes() % 60 == 0 ? d.toHours() + " h" : d.toMinutes() + " min";
    }

    static String secs(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format("%.1f s", d.toMillis() / 1000.0);
    }
}
