package dev.iotbridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SQS event source mapping for one function instance (concurrency 1): a poller long-polls
 * the queue (up to {@code batchSize} messages, one batch prefetched while the function works,
 * as Lambda's pollers do), an invoker sends each batch as a real SQSEvent to the instance
 * through the {@link RuntimeApi}, deletes what succeeded and honours {@code batchItemFailures}.
 *
 * <p>Difference from Lambda, to keep runs short: failed records are made visible again at once
 * instead of after the visibility timeout (no redrive counting here).
 */
final class EventSourceMapping implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Sqs sqs;
    private final String queueUrl;
    private final String queueArn;
    private final RuntimeApi api;
    private final int batchSize;
    private final BlockingQueue<List<Message>> prefetched = new ArrayBlockingQueue<>(1);
    private volatile boolean running = true;
    private final Thread poller;
    private final Thread invoker;
    private final java.util.concurrent.ExecutorService acks = java.util.concurrent.Executors.newSingleThreadExecutor();

    final AtomicLong invocations = new AtomicLong();
    final AtomicLong handled = new AtomicLong();   // deleted after the invocation (success), counted once deleted
    final AtomicLong retried = new AtomicLong();   // reported in batchItemFailures or failed invocation
    final AtomicLong errors = new AtomicLong();    // invocation errors / timeouts
    final AtomicLong invokeNanos = new AtomicLong(); // sum of dispatch -> response, i.e. time inside the instance
    volatile long firstInvokeNanos;
    volatile long lastDoneNanos;
    volatile String lastError;

    EventSourceMapping(Sqs sqs, String queueUrl, RuntimeApi api, int batchSize) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = "arn:aws:sqs:us-east-1:000000000000:" + queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        this.api = api;
        this.batchSize = batchSize;
        this.poller = Thread.ofPlatform().name("esm-poller").daemon().unstarted(this::poll);
        this.invoker = Thread.ofPlatform().name("esm-invoker").daemon().unstarted(this::invokeLoop);
    }

    EventSourceMapping start() {
        poller.start();
        invoker.start();
        return this;
    }

    private void poll() {
        while (running) {
            try {
                List<Message> ms = sqs.receive(queueUrl, batchSize, 1);
                if (!ms.isEmpty()) {
                    while (running && !prefetched.offer(ms, 100, TimeUnit.MILLISECONDS)) {
                        // wait for the invoker
                    }
                    if (!running) {
                        sqs.release(queueUrl, ms);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    lastError = "receive: " + e;
                    sleep(100);
                }
            }
        }
    }

    private void invokeLoop() {
        while (running) {
            List<Message> batch;
            try {
                batch = prefetched.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                continue;
            }
            if (firstInvokeNanos == 0) {
                firstInvokeNanos = System.nanoTime();
            }
            invocations.incrementAndGet();
            long dispatched = System.nanoTime();
            RuntimeApi.Invocation inv = api.invoke(event(batch));
            Set<String> failed = new HashSet<>();
            try {
                RuntimeApi.Result r = inv.result().get(120, TimeUnit.SECONDS);
                invokeNanos.addAndGet(r.doneNanos() - dispatched);
                if (r.error()) {
                    errors.incrementAndGet();
                    lastError = "invocation error: " + r.body();
                    batch.forEach(m -> failed.add(m.messageId()));
                } else {
                    failed.addAll(batchItemFailures(r.body()));
                }
            } catch (TimeoutException e) {
                errors.incrementAndGet();
                lastError = "invocation timed out";
                batch.forEach(m -> failed.add(m.messageId()));
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                errors.incrementAndGet();
                lastError = "invocation: " + e;
                batch.forEach(m -> failed.add(m.messageId()));
            }
            List<Message> ok = new ArrayList<>();
            List<Message> again = new ArrayList<>();
            for (Message m : batch) {
                (failed.contains(m.messageId()) ? again : ok).add(m);
            }
            lastDoneNanos = System.nanoTime();
            // Deleting is the poller's business, not the instance's: it runs beside the next invocation.
            acks.execute(() -> {
                try {
                    sqs.delete(queueUrl, ok);
                    sqs.release(queueUrl, again);
                } catch (RuntimeException e) {
                    lastError = "delete/release: " + e;
                }
                handled.addAndGet(ok.size());
                retried.addAndGet(again.size());
            });
        }
    }

    /** A real SQSEvent, as Lambda builds it. */
    byte[] event(List<Message> batch) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode records = root.putArray("Records");
        for (Message m : batch) {
            ObjectNode r = records.addObject();
            r.put("messageId", m.messageId());
            r.put("receiptHandle", m.receiptHandle());
            r.put("body", m.body());
            ObjectNode attrs = r.putObject("attributes");
            attrs.put("ApproximateReceiveCount", m.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"));
            attrs.put("SentTimestamp", m.attributes().getOrDefault(MessageSystemAttributeName.SENT_TIMESTAMP, Long.toString(System.currentTimeMillis())));
            attrs.put("SenderId", m.attributes().getOrDefault(MessageSystemAttributeName.SENDER_ID, "000000000000"));
            attrs.put("ApproximateFirstReceiveTimestamp", m.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP, Long.toString(System.currentTimeMillis())));
            r.putObject("messageAttributes");
            r.put("md5OfBody", m.md5OfBody());
            r.put("eventSource", "aws:sqs");
            r.put("eventSourceARN", queueArn);
            r.put("awsRegion", "us-east-1");
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    static List<String> batchItemFailures(String body) {
        List<String> ids = new ArrayList<>();
        if (body == null || body.isBlank() || body.equals("null")) {
            return ids;
        }
        try {
            JsonNode n = JSON.readTree(body).path("batchItemFailures");
            for (JsonNode f : n) {
                ids.add(f.path("itemIdentifier").asText());
            }
        } catch (Exception e) {
            // a response that is no partial batch response: the whole batch succeeded
        }
        return ids;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
        invoker.interrupt();
        acks.shutdown();
        try {
            poller.join(5000);
            invoker.join(5000);
            acks.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
