package dev.iotbridge.local.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.iotbridge.local.Counters;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The SQS event source mapping of a function: long-polls the queue ({@code AttributeNames=All},
 * {@code MessageAttributeNames=All}), gathers up to {@code batchSize} records within the batching
 * window, invokes the function with a real {@code SQSEvent}, then deletes every record not listed
 * in {@code batchItemFailures} (ReportBatchItemFailures). If the invocation fails (error, timeout,
 * process died) or the response is not a valid batch response, nothing is deleted: the records
 * come back after the visibility timeout and the redrive policy moves them to the DLQ after
 * maxReceiveCount.
 *
 * <p>Up to N invocations run at once, one per function instance given (Lambda's
 * {@code scaling_config.maximum_concurrency}): each instance has a poller of its own that receives
 * a batch whenever its instance is free, so N instances drain the queue concurrently and never
 * take two batches at a time each. All N are started up front; Lambda's gradual scale-up from idle
 * (5 concurrent pollers, then up to 300 more per minute) is not emulated.
 */
public final class EventSourceMapping implements AutoCloseable {

    /** Lambda's range for an SQS mapping's {@code scaling_config.maximum_concurrency} (Lambda API reference, ScalingConfig). */
    public static final int MIN_MAXIMUM_CONCURRENCY = 2;
    public static final int MAX_MAXIMUM_CONCURRENCY = 1000;
    /**
     * The most instances the local stack starts: each one is a function process with the
     * function's memory (512 MB by default), so more would exhaust a workstation long before
     * Lambda's limit matters.
     */
    public static final int LOCAL_MAXIMUM_CONCURRENCY = 16;

    /**
     * Checks a configured maximum concurrency as Lambda does, and against what the local stack can
     * start; the message names {@code variable}, the setting it came from.
     *
     * @return the instance count: 1 when not configured ({@code null})
     */
    public static int instancesFor(Integer maximumConcurrency, String variable) {
        if (maximumConcurrency == null) return 1;
        int n = maximumConcurrency;
        if (n < MIN_MAXIMUM_CONCURRENCY || n > MAX_MAXIMUM_CONCURRENCY) {
            throw new IllegalArgumentException(variable + " = " + n + ": Lambda accepts " + MIN_MAXIMUM_CONCURRENCY + " to "
                    + MAX_MAXIMUM_CONCURRENCY + " for an SQS event source mapping's maximum_concurrency; leave it out for one "
                    + "function instance");
        }
        if (n > LOCAL_MAXIMUM_CONCURRENCY) {
            throw new IllegalArgumentException(variable + " = " + n + ": the local stack runs at most "
                    + LOCAL_MAXIMUM_CONCURRENCY + " function instances (each is a process with the function's memory); "
                    + "set it to " + LOCAL_MAXIMUM_CONCURRENCY + " or less");
        }
        return n;
    }

    /** Settings of the mapping (Terraform's aws_lambda_event_source_mapping). */
    public record Settings(int batchSize, Duration maximumBatchingWindow, Duration functionTimeout,
                           int pollWaitSeconds, boolean reportBatchItemFailures) {
        public static Settings defaults() {
            return new Settings(10, Duration.ZERO, Duration.ofSeconds(30), 2, true);
        }
    }

    /**
     * What became of one batch, for observers (benchmarks): {@code records} in the batch,
     * {@code deleted} from the queue, {@code retained} (left for redelivery: listed in
     * batchItemFailures, or the whole batch when the invocation failed), {@code receivedNanos} (when
     * its receive returned), {@code invokedNanos} / {@code answeredNanos} (System.nanoTime() around the
     * invocation), {@code error} (null when
     * the invocation succeeded with a valid response) and {@code instance}, the index of the
     * function instance that ran it.
     */
    public record BatchOutcome(int records, int deleted, int retained, long receivedNanos, long invokedNanos,
                               long answeredNanos, String error, int instance) {}

    /** A received batch and when its receive returned (the time it starts waiting for the function). */
    private record Received(List<Message> messages, long receivedNanos) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final String region;
    private final List<FunctionInstance> functions;
    private final Settings settings;
    private final Counters counters;
    private volatile boolean running;
    private volatile boolean enabled = true;
    private volatile Consumer<String> log = s -> System.err.println("[esm] " + s);
    private volatile Consumer<BatchOutcome> batchListener = b -> {};
    private volatile boolean pipelined;
    private volatile Duration retention;
    private final List<Lane> lanes = new ArrayList<>();

    /** A mapping with one function instance (no maximum concurrency set). */
    public EventSourceMapping(SqsClient sqs, String queueUrl, String queueArn, String region,
                              FunctionInstance function, Settings settings, Counters counters) {
        this(sqs, queueUrl, queueArn, region, List.of(function), settings, counters);
    }

    /** A mapping invoking up to {@code functions.size()} instances at once. */
    public EventSourceMapping(SqsClient sqs, String queueUrl, String queueArn, String region,
                              List<FunctionInstance> functions, Settings settings, Counters counters) {
        if (functions.isEmpty()) throw new IllegalArgumentException("an event source mapping needs at least one function instance");
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.region = region;
        this.functions = List.copyOf(functions);
        this.settings = settings;
        this.counters = counters;
    }

    public void setLog(Consumer<String> l) { log = l; }

    /** Called after every batch, once its records are deleted (or left on the queue); from several threads when N > 1. */
    public void setBatchListener(Consumer<BatchOutcome> l) { batchListener = l == null ? b -> {} : l; }

    /** Disables/enables polling (like the mapping's Enabled flag). */
    public void setEnabled(boolean e) { enabled = e; }

    public boolean isEnabled() { return enabled; }

    public Settings settings() { return settings; }

    public String queueArn() { return queueArn; }

    /** The function instances it invokes; their number is the maximum concurrency. */
    public List<FunctionInstance> functions() { return functions; }

    /**
     * Pipelines the mapping as Lambda's pollers do (set before {@link #start()}; default off):
     * the next batch is received while the function works on the current one, and deletes run
     * beside the next invocation, so SQS round trips are not on the function's critical path.
     */
    public void setPipelined(boolean p) { pipelined = p; }

    /**
     * The queue's message retention period, enforced here because ElasticMQ does not: a record
     * received after {@code SentTimestamp + retention} is deleted without invoking the function
     * (SQS would have dropped it) and counted in {@link Counters#expired}. Null: not enforced.
     */
    public void setRetention(Duration r) { retention = r; }

    public void start() {
        running = true;
        for (int i = 0; i < functions.size(); i++) {
            Lane lane = new Lane(i, functions.get(i));
            lanes.add(lane);
            lane.start();
        }
    }

    /**
     * One function instance's share of the mapping: its poller (receive + invoke + delete), or in
     * pipelined mode a receiver and an invoker with one batch received ahead.
     */
    private final class Lane {
        final int index;
        final FunctionInstance function;
        /** Pipelined mode: the batch received while the function works on the previous one. */
        final BlockingQueue<Received> prefetched = new ArrayBlockingQueue<>(1);
        /**
         * Pipelined mode: the permit to receive the next batch, given back when the invoker takes
         * the received one. Without it the receiver would hold a second batch while the first waits, so
         * a message would wait behind two invocations, in small batches (the long poll returns at
         * the first message); with it the next batch gathers everything that arrived meanwhile.
         */
        final Semaphore receiveAhead = new Semaphore(1);
        Thread poller;
        Thread prefetcher;
        ExecutorService deleter;

        Lane(int index, FunctionInstance function) {
            this.index = index;
            this.function = function;
        }

        void start() {
            if (pipelined) {
                deleter = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "esm-delete-" + function.name());
                    t.setDaemon(true);
                    return t;
                });
                prefetcher = new Thread(() -> loop(true), "esm-receive-" + function.name());
                prefetcher.setDaemon(true);
                prefetcher.start();
            }
            poller = new Thread(() -> loop(false), "esm-" + function.name());
            poller.setDaemon(true);
            poller.start();
        }

        /** The poller (receive + invoke + delete), or in pipelined mode the receiver ({@code receiveOnly}) and the invoker. */
        private void loop(boolean receiveOnly) {
            while (running) {
                try {
                    if (!enabled) {
                        Thread.sleep(200);
                        continue;
                    }
                    if (receiveOnly) {
                        if (!receiveAhead.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
                        boolean handedOver = false;
                        try {
                            Received batch = receiveBatch();
                            if (!batch.messages().isEmpty()) {
                                prefetched.put(batch);   // never waits: the slot is empty while the receiver holds the permit
                                handedOver = true;
                            }
                        } finally {
                            if (!handedOver) receiveAhead.release();
                        }
                        continue;
                    }
                    Received batch;
                    if (pipelined) {
                        batch = prefetched.poll(200, TimeUnit.MILLISECONDS);
                        if (batch != null) receiveAhead.release();
                    } else {
                        batch = receiveBatch();
                    }
                    if (batch == null || batch.messages().isEmpty() || !running) continue;
                    if (!enabled) {
                        release(batch.messages());   // disabled during the long poll: no invocation after Enabled=false
                        continue;
                    }
                    process(this, batch);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (SdkException e) {
                    if (!running) return;
                    log.accept("SQS poll failed: " + e.getMessage());
                    sleepQuietly(500);
                } catch (RuntimeException e) {
                    if (!running) return;
                    log.accept("poller error: " + e);
                    sleepQuietly(500);
                }
            }
        }

        void close() {
            for (Thread t : new Thread[]{prefetcher, poller}) {
                if (t == null) continue;
                t.interrupt();
                try {
                    t.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (deleter != null) {
                deleter.shutdown();
                try {
                    deleter.awaitTermination(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Makes received records visible again at once (they were received but will not be processed). */
    private void release(List<Message> batch) {
        List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i))
                    .receiptHandle(batch.get(i).receiptHandle()).visibilityTimeout(0).build());
        }
        for (int i = 0; i < entries.size(); i += 10) {
            List<ChangeMessageVisibilityBatchRequestEntry> chunk = entries.subList(i, Math.min(i + 10, entries.size()));
            sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(chunk));
        }
    }

    private Received receiveBatch() {
        List<Message> batch = new ArrayList<>();
        long windowEnd = System.nanoTime() + settings.maximumBatchingWindow().toNanos();
        boolean first = true;
        while (running && batch.size() < settings.batchSize()) {
            int wait;
            if (first) {
                wait = settings.pollWaitSeconds();
            } else {
                long remainingMs = (windowEnd - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0) break;
                wait = (int) Math.min(20, Math.max(0, remainingMs / 1000));
            }
            int max = Math.min(10, settings.batchSize() - batch.size());
            int w = wait;
            // ElasticMQ 1.7.1 can leave a long poll unanswered until its 21 s ask timeout (a
            // ConcurrentModificationException in its queue actor while redriving); give up soon
            // after the poll's own wait and poll again, as the Lambda poller would.
            List<Message> got = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(max)
                    .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(w + 3L)))
                    .waitTimeSeconds(w)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                    .messageAttributeNames("All")).messages();
            batch.addAll(dropExpired(got));
            if (first && got.isEmpty()) break;
            first = false;
            if (settings.maximumBatchingWindow().isZero()) break;
        }
        return new Received(batch, System.nanoTime());
    }

    private List<Message> dropExpired(List<Message> got) {
        Duration r = retention;
        if (r == null || got.isEmpty()) return got;
        long now = System.currentTimeMillis();
        List<Message> live = new ArrayList<>(got.size());
        for (Message m : got) {
            String sent = m.attributesAsStrings().get("SentTimestamp");
            if (sent != null && Long.parseLong(sent) + r.toMillis() <= now) {
                counters.expired.increment();
                log.accept("record " + m.messageId() + " expired (retention " + r.toSeconds() + " s): deleted unseen, as SQS would");
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            } else {
                live.add(m);
            }
        }
        return live;
    }

    private void process(Lane lane, Received received) throws InterruptedException {
        List<Message> batch = received.messages();
        long receivedNanos = received.receivedNanos();
        byte[] event = sqsEvent(batch, queueArn, region).getBytes(StandardCharsets.UTF_8);
        byte[] response;
        long invoked = System.nanoTime();
        try {
            response = lane.function.invoke(event, settings.functionTimeout());
        } catch (Invocation.InvocationError e) {
            long answered = System.nanoTime();
            log.accept("invocation failed (" + batch.size() + " records stay on the queue): " + abbreviate(e.getMessage()));
            batchListener.accept(new BatchOutcome(batch.size(), 0, batch.size(), receivedNanos, invoked, answered,
                    "invocation failed: " + abbreviate(e.getMessage()), lane.index));
            return;
        }
        long answered = System.nanoTime();
        Set<String> failed;
        try {
            failed = settings.reportBatchItemFailures() ? batchItemFailures(response, batch) : Set.of();
        } catch (IllegalArgumentException e) {
            counters.invocationErrors.increment();
            log.accept("invalid batch response, treating the whole batch as failed: " + e.getMessage());
            batchListener.accept(new BatchOutcome(batch.size(), 0, batch.size(), receivedNanos, invoked, answered,
                    "invalid batch response: " + e.getMessage(), lane.index));
            return;
        }
        counters.recordsFailed.add(failed.size());
        List<DeleteMessageBatchRequestEntry> deletes = new ArrayList<>();
        for (Message m : batch) {
            if (!failed.contains(m.messageId())) {
                deletes.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(deletes.size()))
                        .receiptHandle(m.receiptHandle()).build());
            }
        }
        Runnable delete = () -> {
            int deleted = 0;
            try {
                for (int i = 0; i < deletes.size(); i += 10) {
                    List<DeleteMessageBatchRequestEntry> chunk = deletes.subList(i, Math.min(deletes.size(), i + 10));
                    var res = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(chunk));
                    counters.recordsDeleted.add(res.successful().size());
                    deleted += res.successful().size();
                    if (!res.failed().isEmpty()) log.accept("delete failed for " + res.failed().size() + " records: " + res.failed());
                }
            } finally {
                batchListener.accept(new BatchOutcome(batch.size(), deleted, failed.size(), receivedNanos, invoked, answered, null,
                        lane.index));
            }
        };
        if (pipelined) {
            lane.deleter.execute(() -> {
                try {
                    delete.run();
                } catch (RuntimeException e) {
                    if (running) log.accept("delete failed: " + e);
                }
            });
        } else {
            delete.run();
        }
    }

    /**
     * The ids in {@code batchItemFailures}; an empty/null response or an object without the key
     * means all succeeded. A response that is not JSON, not an object, or has an entry with a
     * missing/empty id or one not in the batch fails the whole batch (as Lambda treats it).
     */
    static Set<String> batchItemFailures(byte[] response, List<Message> batch) {
        if (response == null || response.length == 0) return Set.of();
        JsonNode root;
        try {
            root = JSON.readTree(response);
        } catch (Exception e) {
            throw new IllegalArgumentException("the function's response is not JSON", e);
        }
        if (root == null || root.isNull()) return Set.of();
        if (!root.isObject()) throw new IllegalArgumentException("the function's response is not a JSON object");
        if (!root.has("batchItemFailures")) return Set.of();
        JsonNode list = root.get("batchItemFailures");
        if (list.isNull()) return Set.of();
        if (!list.isArray()) throw new IllegalArgumentException("batchItemFailures is not a list");
        Set<String> ids = new HashSet<>();
        batch.forEach(m -> ids.add(m.messageId()));
        Set<String> failed = new HashSet<>();
        for (JsonNode item : list) {
            JsonNode id = item.get("itemIdentifier");
            if (id == null || !id.isTextual() || id.asText().isEmpty() || !ids.contains(id.asText())) {
                throw new IllegalArgumentException("bad itemIdentifier " + item);
            }
            failed.add(id.asText());
        }
        return failed;
    }

    /** The SQSEvent JSON Lambda builds for these records. */
    public static String sqsEvent(List<Message> batch, String queueArn, String region) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode records = root.putArray("Records");
        for (Message m : batch) {
            ObjectNode r = records.addObject();
            r.put("messageId", m.messageId());
            r.put("receiptHandle", m.receiptHandle());
            r.put("body", m.body());
            ObjectNode attrs = r.putObject("attributes");
            Map<String, String> a = m.attributesAsStrings();
            long now = System.currentTimeMillis();
            attrs.put("ApproximateReceiveCount", a.getOrDefault("ApproximateReceiveCount", "1"));
            attrs.put("SentTimestamp", a.getOrDefault("SentTimestamp", Long.toString(now)));
            attrs.put("SenderId", a.getOrDefault("SenderId", "AIDAIENQZJOLO23YVJ4VO"));
            attrs.put("ApproximateFirstReceiveTimestamp", a.getOrDefault("ApproximateFirstReceiveTimestamp", Long.toString(now)));
            a.forEach((k, v) -> { if (!attrs.has(k)) attrs.put(k, v); });
            ObjectNode mas = r.putObject("messageAttributes");
            for (Map.Entry<String, MessageAttributeValue> e : m.messageAttributes().entrySet()) {
                MessageAttributeValue v = e.getValue();
                ObjectNode o = mas.putObject(e.getKey());
                if (v.stringValue() != null) o.put("stringValue", v.stringValue());
                if (v.binaryValue() != null) o.put("binaryValue", Base64.getEncoder().encodeToString(v.binaryValue().asByteArray()));
                o.putArray("stringListValues");
                o.putArray("binaryListValues");
                o.put("dataType", v.dataType());
            }
            r.put("md5OfBody", m.md5OfBody());
            if (m.md5OfMessageAttributes() != null) r.put("md5OfMessageAttributes", m.md5OfMessageAttributes());
            r.put("eventSource", "aws:sqs");
            r.put("eventSourceARN", queueArn);
            r.put("awsRegion", region);
        }
        return root.toString();
    }

    private static String abbreviate(String s) {
        return s == null || s.length() < 400 ? s : s.substring(0, 400) + "…";
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        lanes.forEach(Lane::close);
    }
}
