package dev.iotbridge.local.sqs;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The destination account's SQS: an embedded ElasticMQ server on 127.0.0.1:port with the bridge
 * queue and its DLQ (redrive policy at maxReceiveCount), and an AWS SDK v2 client for it.
 */
public final class LocalSqs implements AutoCloseable {

    private final int port;
    private final String region;
    private final String accountId;
    private SQSRestServer server;
    private SqsClient client;
    private String queueUrl;
    private String queueArn;
    private String dlqUrl;
    private String dlqArn;

    public LocalSqs(int port, String region, String accountId) {
        this.port = port;
        this.region = region;
        this.accountId = accountId;
    }

    public void start(String queueName, String dlqName, int maxReceiveCount, int visibilityTimeoutSeconds) {
        start(queueName, dlqName, maxReceiveCount, visibilityTimeoutSeconds, 345_600);
    }

    /**
     * @param retentionSeconds the queue's MessageRetentionPeriod. ElasticMQ 1.7.1 accepts the
     *                         attribute but does not enforce it (it lists it as unsupported): the
     *                         event source mapping enforces it instead, see {@link
     *                         dev.iotbridge.local.lambda.EventSourceMapping#setRetention}
     */
    public void start(String queueName, String dlqName, int maxReceiveCount, int visibilityTimeoutSeconds,
                      long retentionSeconds) {
        server = SQSRestServerBuilder.withPort(port)
                .withInterface("127.0.0.1")
                .withServerAddress(new NodeAddress("http", "127.0.0.1", port, ""))
                .withAWSRegion(region)
                .withAWSAccountId(accountId)
                .start();
        server.waitUntilStarted();
        client = newClient(endpoint(), region);
        dlqUrl = client.createQueue(b -> b.queueName(dlqName).attributes(Map.of(
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"))).queueUrl();
        dlqArn = arn(dlqUrl);
        String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
        queueUrl = client.createQueue(b -> b.queueName(queueName).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilityTimeoutSeconds),
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, Long.toString(retentionSeconds),
                QueueAttributeName.REDRIVE_POLICY, redrive))).queueUrl();
        queueArn = arn(queueUrl);
    }

    /** The QueueArn of a queue on this server (e.g. one created besides the bridge queue). */
    public String arn(String url) {
        return client.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /** A new SDK client for a local SQS endpoint (dummy credentials). */
    public static SqsClient newClient(String endpoint, String region) {
        return SqsClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .socketTimeout(Duration.ofSeconds(30))
                        .connectionTimeout(Duration.ofSeconds(5)))
                .build();
    }

    public String endpoint() { return "http://127.0.0.1:" + port; }
    public int port() { return port; }
    public SqsClient client() { return client; }
    public String queueUrl() { return queueUrl; }
    public String queueArn() { return queueArn; }
    public String dlqUrl() { return dlqUrl; }
    public String dlqArn() { return dlqArn; }

    /** ApproximateNumberOfMessages + ...NotVisible of a queue. */
    public long depth(String url) {
        Map<QueueAttributeName, String> a = client.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return a.values().stream().mapToLong(Long::parseLong).sum();
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (server != null) {
            try {
                server.stopAndWait();
            } catch (RuntimeException e) {
                System.err.println("[sqs] stop failed: " + e);
            }
            server = null;
        }
    }
}
