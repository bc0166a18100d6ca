package dev.iotbridge.harness;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.iotbridge.contract.Route;
import dev.iotbridge.local.Counters;
import dev.iotbridge.local.LocalBridgeStack;
import dev.iotbridge.local.rules.RulesEngine;
import dev.iotbridge.local.rules.SourceMessage;
import dev.iotbridge.local.sqs.LocalSqs;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The local stack (local/README.md) started through its {@link LocalBridgeStack} builder on
 * free ports (a running {@code make up} does not collide), without its own function process:
 * source and destination brokers (embedded HiveMQ CE), ElasticMQ, the iot-data endpoint (with
 * its per-request latency and the route's publish policy) publishing into the destination
 * broker. The benchmark installs the source account's topic rule it needs per run (the sample's
 * legacy rule or the project's envelope template, both evaluated by the local rules engine) and
 * runs every competitor through the stack's Lambda emulation (local/ {@code FunctionInstance},
 * {@code RuntimeApiServer}, {@code EventSourceMapping}; see bench's {@code Instance}) on its own queue.
 */
public final class StackEndpoints implements Endpoints {
    /** The route every bench and load message crosses (source filter {@code bench/#}, nothing stripped or added). */
    public static final String ROUTE = "bench";
    /** The event source mapping's function timeout; the bench queues' visibility timeout is 20 s more (invoke waits up to 10 s more for a cold start). */
    public static final Duration FUNCTION_TIMEOUT = Duration.ofSeconds(30);
    private final LocalBridgeStack stack;
    private final Addresses addresses;
    private volatile Consumer<SourceMessage> installed;

    private StackEndpoints(LocalBridgeStack stack) {
        this.stack = stack;
        this.addresses = new Addresses(stack.sqs().endpoint(), stack.iotData().url(), stack.dlqUrl(),
                stack.iotDataCa() == null ? null : stack.iotDataCa().caPem(),
                stack.iotDataCa() == null ? List.of() : stack.iotDataCa().javaTrustOptions());
    }

    public static StackEndpoints open(StackOptions o) throws IOException {
        Path home = o.benchDir.resolve("target/stack-" + ProcessHandle.current().pid());
        Files.createDirectories(home);
        LocalBridgeStack s = LocalBridgeStack.builder()
                .ephemeralPorts()
                .region("us-east-1")
                .queueNames("bench-queue", "bench-dlq")
                .route(new Route(ROUTE, "bench/#", "", "", "", 0, true))
                .templateFile(o.benchDir.resolveSibling("terraform/modules/source/templates/rule.sql.tftpl"))
                .rulesEngineEnabled(false)
                .startFunction(false)
                .iotDataLatency(Duration.ofMillis(o.latencyMs))
                .iotDataTls(o.tls)
                .workDir(home)
                .progress(System.out)
                .build()
                .start();
        return new StackEndpoints(s);
    }

    @Override
    public Addresses addresses() {
        return addresses;
    }

    @Override
    public void iotDataLatency(Duration latency) {
        stack.setIotDataLatency(latency);
    }

    /** Subscribes on the destination broker (what a subscriber in the destination account sees). */
    @Override
    public AutoCloseable listen(String topicPrefix, BiConsumer<String, byte[]> listener) {
        Mqtt5AsyncClient c = Mqtt5Client.builder().identifier("bench-sub-" + UUID.randomUUID())
                .serverHost("127.0.0.1").serverPort(stack.destinationMqttPort()).buildAsync();
        c.connectWith().cleanStart(true).send().join();
        c.subscribeWith().topicFilter(topicPrefix + "#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> listener.accept(p.getTopic().toString(), p.getPayloadAsBytes()))
                .send().join();
        return () -> c.disconnect().get(5, TimeUnit.SECONDS);
    }

    /** Installs the source account's topic rule(s): every publish on the source broker goes through them. */
    public void rules(RulesEngine engine) {
        Consumer<SourceMessage> old = installed;
        if (old != null) {
            stack.sourceBroker().removePublishListener(old);
            installed = null;
        }
        if (engine != null) {
            Consumer<SourceMessage> l = engine::onPublish;
            stack.sourceBroker().addPublishListener(l);
            installed = l;
        }
    }

    /** A queue for one run (visibility timeout just above the function timeout). */
    public String createQueue(String name) {
        return sqs().client().createQueue(b -> b.queueName(name).attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT,
                Long.toString(FUNCTION_TIMEOUT.toSeconds() + 20)))).queueUrl();
    }

    public void deleteQueue(String queueUrl) {
        try {
            sqs().client().deleteQueue(b -> b.queueUrl(queueUrl));
        } catch (RuntimeException ignored) {
            // best effort
        }
    }

    /** Sends the bodies in batches of 10, {@code threads} batches at a time. */
    public void sendAll(String queueUrl, List<String> bodies, int threads) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < bodies.size(); i += 10) {
                List<String> chunk = bodies.subList(i, Math.min(i + 10, bodies.size()));
                fs.add(pool.submit(() -> {
                    List<SendMessageBatchRequestEntry> es = new ArrayList<>();
                    for (int j = 0; j < chunk.size(); j++) {
                        es.add(SendMessageBatchRequestEntry.builder().id("m" + j).messageBody(chunk.get(j)).build());
                    }
                    var r = sqs().client().sendMessageBatch(b -> b.queueUrl(queueUrl).entries(es));
                    if (!r.failed().isEmpty()) {
                        throw new IllegalStateException("SendMessageBatch failed: " + r.failed());
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
    }

    /** The destination iot-data endpoint's publish quota in requests per second (0: none). */
    public void iotDataPublishQuota(int perSecond) {
        stack.iotData().setPublishQuota(perSecond);
    }

    /** Publish requests the iot-data endpoint refused with 429 at its quota so far. */
    public long iotDataQuotaThrottled() {
        return stack.iotData().quotaThrottled();
    }

    /** Client connections the iot-data endpoint has served so far. */
    public long iotDataConnections() {
        return stack.iotData().connections();
    }

    /** Client connections whose first request reached the iot-data endpoint after {@code nanoTime}. */
    public long iotDataConnectionsSince(long nanoTime) {
        return stack.iotData().connectionsSince(nanoTime);
    }

    public Counters counters() {
        return stack.counters();
    }

    public LocalSqs sqs() {
        return stack.sqs();
    }

    @Override
    public Brokers brokers() {
        return new Brokers("127.0.0.1", stack.sourceMqttPort(), "127.0.0.1", stack.destinationMqttPort());
    }

    @Override
    public String description() {
        return "local stack (local/ LocalBridgeStack): HiveMQ CE source + destination brokers, local rules engine, "
                + "ElasticMQ, iot-data endpoint over " + (stack.iotData().isTls() ? "HTTPS (CA generated at start, trusted by every competitor)" : "plain HTTP")
                + " -> destination broker; local stack's Lambda Runtime API + "
                + "event source mapping (one instance per competitor, batch size as below)";
    }

    @Override
    public void close() {
        rules(null);
        stack.close();
    }
}
