package dev.iotbridge.function.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.Delivery;
import dev.iotbridge.function.domain.RetryScheduler;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** ChangeMessageVisibilityBatch against a real (embedded ElasticMQ) queue. */
class SqsRetrySchedulerTest {
    static SQSRestServer server;
    static SqsClient sqs;
    static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = SQSRestServerBuilder.withPort(port).withInterface("127.0.0.1")
                .withServerAddress(new NodeAddress("http", "127.0.0.1", port, "")).start();
        server.waitUntilStarted();
        endpoint = "http://127.0.0.1:" + port;
        sqs = SqsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stop() {
        sqs.close();
        server.stopAndGetFuture().apply();
    }

    @Test
    void queueUrlComesFromTheArnAndTheDlqUrl() {
        assertEquals("http://127.0.0.1:9324/000000000000/iot-bridge",
                SqsRetryScheduler.queueUrl("arn:aws:sqs:eu-west-1:000000000000:iot-bridge",
                        "http://127.0.0.1:9324/000000000000/iot-bridge-dlq"));
        assertEquals("https://sqs.eu-west-1.amazonaws.com/123456789012/q",
                SqsRetryScheduler.queueUrl("arn:aws:sqs:eu-west-1:123456789012:q",
                        "https://sqs.eu-west-1.amazonaws.com/999999999999/other-dlq"), "another account: the standard URL");
        assertEquals("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q",
                SqsRetryScheduler.queueUrl("arn:aws-cn:sqs:cn-north-1:123456789012:q", null));
        assertNull(SqsRetryScheduler.queueUrl("not-an-arn", null));
    }

    @Test
    void everyRecordOfABatchGetsItsOwnDelayInCallsOfTen() throws Exception {
        String url = sqs.createQueue(b -> b.queueName("backoff").attributes(
                java.util.Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "1"))).queueUrl();
        String dlq = sqs.createQueue(b -> b.queueName("backoff-dlq")).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        for (int i = 0; i < 12; i++) {
            int n = i;
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("m" + n));
        }
        List<Message> got = new ArrayList<>();
        while (got.size() < 12) {
            got.addAll(sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages());
        }
        List<RetryScheduler.Delay> delays = new ArrayList<>();
        for (Message m : got) {
            delays.add(new RetryScheduler.Delay(m.messageId(), new Delivery(arn, m.receiptHandle(), 1, 0),
                    m.body().equals("m0") ? 1 : 60));
        }
        Set<String> done = new SqsRetryScheduler(sqs, dlq).delay(delays, Deadline.in(Duration.ofSeconds(10)));
        assertEquals(12, done.size(), "12 records in two calls");
        // m0 comes back after 1 s; the others would have after the queue's 1 s but now wait 60 s
        List<Message> back = new ArrayList<>();
        long end = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < end && back.isEmpty()) {
            back.addAll(sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages());
        }
        Thread.sleep(2_000);
        back.addAll(sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(0)).messages());
        assertEquals(Set.of("m0"), back.stream().map(Message::body).collect(java.util.stream.Collectors.toSet()),
                "only the record delayed by 1 s came back");
        assertTrue(new SqsRetryScheduler(sqs, dlq).delay(delays, Deadline.in(Duration.ZERO)).isEmpty(), "no time left: no call");
    }
}
