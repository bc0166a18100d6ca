package dev.iotbridge.bench;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Thin SQS helper on the AWS SDK (what the event source mapping and the loaders need). */
final class Sqs implements AutoCloseable {
    private final SqsClient client;

    private Sqs(SqsClient client) {
        this.client = client;
    }

    static Sqs create(String endpoint) {
        return new Sqs(SqsClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(30)))
                .build());
    }

    String createQueue(String name) {
        return client.createQueue(b -> b.queueName(name)
                .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "120"))).queueUrl();
    }

    /** Sends the bodies in batches of 10, {@code threads} batches at a time. */
    void sendAll(String queueUrl, List<String> bodies, int threads) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < bodies.size(); i += 10) {
                List<String> chunk = bodies.subList(i, Math.min(i + 10, bodies.size()));
                fs.add(pool.submit(() -> send(queueUrl, chunk)));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
    }

    void send(String queueUrl, List<String> chunk) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int j = 0; j < chunk.size(); j++) {
            entries.add(SendMessageBatchRequestEntry.builder().id("m" + j).messageBody(chunk.get(j)).build());
        }
        var r = client.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        if (!r.failed().isEmpty()) {
            throw new IllegalStateException("SendMessageBatch failed: " + r.failed());
        }
    }

    List<Message> receive(String queueUrl, int max, int waitSeconds) {
        return client.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(max)
                .waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
    }

    void delete(String queueUrl, List<Message> ms) {
        if (ms.isEmpty()) {
            return;
        }
        List<DeleteMessageBatchRequestEntry> es = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            es.add(DeleteMessageBatchRequestEntry.builder().id("d" + i).receiptHandle(ms.get(i).receiptHandle()).build());
        }
        client.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(es));
    }

    /** Makes messages visible again at once (the benchmark's shortcut for the visibility timeout). */
    void release(String queueUrl, List<Message> ms) {
        if (ms.isEmpty()) {
            return;
        }
        List<ChangeMessageVisibilityBatchRequestEntry> es = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            es.add(ChangeMessageVisibilityBatchRequestEntry.builder().id("v" + i)
                    .receiptHandle(ms.get(i).receiptHandle()).visibilityTimeout(0).build());
        }
        client.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(es));
    }

    /** Visible + in-flight messages. */
    long depth(String queueUrl) {
        var a = client.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"))
                + Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0"));
    }

    void deleteQueue(String queueUrl) {
        try {
            client.deleteQueue(b -> b.queueUrl(queueUrl));
        } catch (RuntimeException ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
