package dev.iotbridge.function.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

import dev.iotbridge.iotdata.IotDataServer;
import dev.iotbridge.iotdata.Recorder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Starts, on 127.0.0.1 only: the emulated iot-data endpoint (recording what it accepts) and a real embedded ElasticMQ with
 * the DLQ; points the function at them through its real configuration keys.
 */
public class BridgeTestResources implements QuarkusTestResourceLifecycleManager {
    /** The condition's ${...} is route data: Quarkus must pass it through verbatim (VerbatimRoutes). */
    static final String ROUTES = """
            [{"name":"ground","source_filter":"GROUND/v1/#","strip_prefix":"GROUND/","add_prefix":"acct-a/","qos":1,"retain":false},
             {"name":"status","source_filter":"STATUS/+/state","condition":"topic(2) <> '${no_such_property}'","qos":0,"retain":true}]""";

    static final int MAX_RECEIVE_COUNT = 3;
    static final int RETENTION_SECONDS = 600;

    private IotDataServer iot;
    private SQSRestServer elasticMq;
    private SqsClient sqs;
    private Fakes fakes;

    @Override
    public Map<String, String> start() {
        // the iot-data client uses the SDK default chains
        System.setProperty("aws.region", "us-east-1");
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        try {
            Recorder recorder = new Recorder();
            iot = new IotDataServer(0, recorder);
            iot.start();
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            elasticMq = SQSRestServerBuilder.withPort(port).withInterface("127.0.0.1")
                    .withServerAddress(new NodeAddress("http", "127.0.0.1", port, "")).start();
            elasticMq.waitUntilStarted();
            String sqsUrl = "http://127.0.0.1:" + port;
            sqs = SqsClient.builder().endpointOverride(URI.create(sqsUrl)).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                    .httpClient(UrlConnectionHttpClient.create()).build();
            String dlqUrl = sqs.createQueue(b -> b.queueName("bridge-dlq")).queueUrl();
            fakes = new Fakes(iot, recorder, sqs, dlqUrl);
            return Map.ofEntries(
                    Map.entry("bridge.routes", ROUTES),
                    Map.entry("bridge.iot-endpoint", iot.url()),
                    Map.entry("bridge.dlq-url", dlqUrl),
                    Map.entry("bridge.sqs-endpoint", sqsUrl),
                    // retries on a test scale: a failed record is back after 2-4 s, its 3rd receive is its last
                    Map.entry("bridge.max-receive-count", String.valueOf(MAX_RECEIVE_COUNT)),
                    Map.entry("bridge.backoff-base", "4s"),
                    Map.entry("bridge.backoff-cap", "8s"),
                    Map.entry("bridge.message-retention", RETENTION_SECONDS + "s"),
                    Map.entry("quarkus.sqs.aws.region", "us-east-1"),
                    Map.entry("quarkus.sqs.aws.credentials.type", "static"),
                    Map.entry("quarkus.sqs.aws.credentials.static-provider.access-key-id", "test"),
                    Map.entry("quarkus.sqs.aws.credentials.static-provider.secret-access-key", "test"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(fakes, new TestInjector.MatchesType(Fakes.class));
    }

    @Override
    public void stop() {
        if (sqs != null) {
            sqs.close();
        }
        if (elasticMq != null) {
            elasticMq.stopAndGetFuture().apply();
        }
        if (iot != null) {
            iot.close();
        }
    }
}
