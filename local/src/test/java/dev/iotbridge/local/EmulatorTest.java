package dev.iotbridge.local;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.iotbridge.contract.Route;
import dev.iotbridge.local.iotdata.FaultPlan;
import dev.iotbridge.local.lambda.FunctionCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests of the Lambda service emulation (Runtime API, event source mapping, process restarts)
 * and the iot-data fault injection, with a tiny fake handler run under AWS's runtime interface
 * client: they do not depend on the real function's artifact.
 */
class EmulatorTest {

    static LocalBridgeStack stack;
    static TestMqtt dest;
    static TestMqtt src;

    @BeforeAll
    static void start() throws Exception {
        Path work = TestDirs.fresh("emulator");
        String java = FunctionCommand.currentJava().toString();
        FunctionCommand fake = FunctionCommand.custom(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
                "dev.iotbridge.local.fake.FakeBridgeHandler::handleRequest"), Files.createDirectories(work.resolve("task")));
        stack = LocalBridgeStack.builder()
                .routes(List.of(Route.of("ground", "GROUND/v1/#", "", "")))
                .ephemeralPorts()
                .workDir(work)
                .functionCommand(fake)
                .maxReceiveCount(2)
                .visibilityTimeout(Duration.ofSeconds(1))
                .maximumBatchingWindow(Duration.ofMillis(300))
                .functionTimeout(Duration.ofSeconds(5))
                .progress(System.out)
                .build().start();
        dest = new TestMqtt(stack.destinationMqttPort(), "dest").subscribe("#");
        src = new TestMqtt(stack.sourceMqttPort(), "src");
    }

    @AfterAll
    static void stop() {
        if (dest != null) dest.close();
        if (src != null) src.close();
        if (stack != null) stack.close();
    }

    private static String send(String body) {
        return stack.sqsClient().sendMessage(b -> b.queueUrl(stack.queueUrl()).messageBody(body)).messageId();
    }

    /** DLQ messages whose body contains the marker (received and deleted, so receive counts stay exact). */
    private static List<Message> awaitDlq(String marker, Duration timeout) throws InterruptedException {
        List<Message> found = new java.util.concurrent.CopyOnWriteArrayList<>();
        LocalBridgeStack.await(timeout, () -> {
            stack.drainDlq(false).stream().filter(m -> m.body().contains(marker)).forEach(found::add);
            return !found.isEmpty();
        });
        return found;
    }

    @Test
    void messageCrossesThroughTheFakeFunction() throws Exception {
        String id = UUID.randomUUID().toString();
        src.publish(Mqtt5Publish.builder().topic("GROUND/v1/emu/" + id).qos(MqttQos.AT_LEAST_ONCE)
                .payload(("hello " + id).getBytes(StandardCharsets.UTF_8)).build());
        List<Mqtt5Publish> got = dest.await(p -> p.getTopic().toString().equals("GROUND/v1/emu/" + id), 1, Duration.ofSeconds(20));
        assertEquals(1, got.size(), "arrived: " + dest.received);
        assertEquals("hello " + id, new String(got.get(0).getPayloadAsBytes(), StandardCharsets.UTF_8));
        assertTrue(got.get(0).getUserProperties().asList().stream().anyMatch(u -> u.getName().toString().equals("iot-bridge-hop")));
    }

    @Test
    void batchItemFailuresComeBackAndAreRedrivenAtMaxReceiveCount() throws Exception {
        String marker = "fail-" + UUID.randomUUID();
        send("{\"fake\":\"fail\",\"m\":\"" + marker + "\"}");
        List<Message> dlq = awaitDlq(marker, Duration.ofSeconds(30));
        assertEquals(1, dlq.size(), "the failed record ends in the DLQ by redrive");
        assertTrue(Integer.parseInt(dlq.get(0).attributesAsStrings().get("ApproximateReceiveCount")) >= 2);
    }

    @Test
    void quarantineByTheFunctionLandsInTheDlqWithItsAttributes() throws Exception {
        String marker = "q-" + UUID.randomUUID();
        send("{\"fake\":\"quarantine\",\"m\":\"" + marker + "\"}");
        List<Message> dlq = awaitDlq(marker, Duration.ofSeconds(20));
        assertEquals(1, dlq.size());
        assertEquals("FAKE", dlq.get(0).messageAttributes().get("BridgeErrorCode").stringValue());
    }

    @Test
    void aFailedInvocationDeletesNothing() throws Exception {
        String marker = "throw-" + UUID.randomUUID();
        long errors = stack.counters().invocationErrors.sum();
        send("{\"fake\":\"throw\",\"m\":\"" + marker + "\"}");
        List<Message> dlq = awaitDlq(marker, Duration.ofSeconds(30));
        assertEquals(1, dlq.size(), "not deleted after the failed invocations, then redriven");
        assertTrue(stack.counters().invocationErrors.sum() >= errors + 2);
    }

    @Test
    void aDyingProcessIsRestartedAndItsBatchIsNotDeleted() throws Exception {
        String marker = "exit-" + UUID.randomUUID();
        long starts = stack.counters().functionStarts.sum();
        send("{\"fake\":\"exit\",\"m\":\"" + marker + "\"}");
        List<Message> dlq = awaitDlq(marker, Duration.ofSeconds(40));
        assertEquals(1, dlq.size());
        // The restart after the second death runs on its own thread and may finish after the
        // redrive has already moved the record: wait for it rather than race it.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (stack.counters().functionStarts.sum() < starts + 2 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(stack.counters().functionStarts.sum() >= starts + 2, "restarted after each death");
        // and the function still works
        messageCrossesThroughTheFakeFunction();
    }

    @Test
    void killedFunctionIsRestartedByTheEmulation() throws Exception {
        long pid = stack.function().pid();
        stack.function().kill();
        assertTrue(LocalBridgeStack.await(Duration.ofSeconds(10), () -> stack.function().isRunning()
                && stack.function().pid() != pid));
        messageCrossesThroughTheFakeFunction();
    }

    @Test
    void throttlingAtIotDataIsRetriedUntilItClears() throws Exception {
        stack.setFaultPlan(FaultPlan.none().withThrottle(1.0));
        try {
            String id = UUID.randomUUID().toString();
            long faults = stack.counters().iotDataFaults.sum();
            src.publish("GROUND/v1/throttle/" + id, id.getBytes(StandardCharsets.UTF_8));
            assertTrue(LocalBridgeStack.await(Duration.ofSeconds(10), () -> stack.counters().iotDataFaults.sum() > faults));
            assertFalse(dest.received.stream().anyMatch(p -> p.getTopic().toString().endsWith(id)));
            stack.setFaultPlan(FaultPlan.none());
            // maxReceiveCount 2 may already have redriven it; only check it was never published while throttled
        } finally {
            stack.setFaultPlan(FaultPlan.none());
        }
    }

    @Test
    void aPipelinedMappingReportsEveryBatchAndHonoursBatchItemFailures() throws Exception {
        var fn = stack.function();
        assertTrue(fn.startNanos() > 0 && fn.readyNanos() >= fn.startNanos(), "process start and first /next recorded");
        assertEquals(null, fn.initError());
        String q = queue("pipelined-");
        String payload = java.util.Base64.getEncoder().encodeToString("p".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 20; i++) {
            int n = i;
            stack.sqsClient().sendMessage(b -> b.queueUrl(q).messageBody(
                    "{\"route\":\"ground\",\"topic\":\"GROUND/v1/pipe/" + n + "\",\"payload\":\"" + payload + "\"}"));
        }
        send2(q, "{\"fake\":\"fail\"}");
        send2(q, "{\"fake\":\"fail\"}");
        List<dev.iotbridge.local.lambda.EventSourceMapping.BatchOutcome> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var esm = pipelinedMapping(q, outcomes)) {
            LocalBridgeStack.await(Duration.ofSeconds(30), () ->
                    outcomes.stream().mapToInt(o -> o.deleted() + o.retained()).sum() >= 22);
        }
        assertEquals(20, outcomes.stream().mapToInt(o -> o.deleted()).sum(), "outcomes: " + outcomes);
        assertEquals(2, outcomes.stream().mapToInt(o -> o.retained()).sum(), "outcomes: " + outcomes);
        assertTrue(outcomes.stream().allMatch(o -> o.error() == null && o.answeredNanos() >= o.invokedNanos()));
        assertEquals(2, stack.sqs().depth(q), "only the two failed records are left (in flight until the visibility timeout)");
    }

    /**
     * While the function works on one batch the pipelined mapping holds one more, never two: a
     * batch is received only once the batch two before it has been answered. Holding two made a
     * record wait behind two invocations in batches of one (the long poll returns at the first
     * record), instead of joining the next batch.
     */
    @Test
    void aPipelinedMappingReceivesOneBatchAhead() throws Exception {
        String q = queue("ahead-");
        int records = 24;
        List<dev.iotbridge.local.lambda.EventSourceMapping.BatchOutcome> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var esm = pipelinedMapping(q, outcomes)) {
            // records keep arriving (one per 50 ms) while each invocation takes 300 ms
            for (int i = 0; i < records; i++) {
                send2(q, "{\"fake\":\"slow\"}");
                Thread.sleep(50);
            }
            LocalBridgeStack.await(Duration.ofSeconds(60), () -> outcomes.stream().mapToInt(o -> o.deleted()).sum() >= records);
        }
        List<dev.iotbridge.local.lambda.EventSourceMapping.BatchOutcome> byInvocation = outcomes.stream()
                .sorted(java.util.Comparator.comparingLong(dev.iotbridge.local.lambda.EventSourceMapping.BatchOutcome::invokedNanos))
                .toList();
        assertEquals(records, byInvocation.stream().mapToInt(o -> o.deleted()).sum(), "outcomes: " + byInvocation);
        assertTrue(byInvocation.size() >= 3, "records piled up behind at least two invocations: " + byInvocation);
        for (int i = 2; i < byInvocation.size(); i++) {
            var twoBefore = byInvocation.get(i - 2);
            var batch = byInvocation.get(i);
            assertTrue(batch.receivedNanos() >= twoBefore.answeredNanos(), "batch " + i + " (" + batch.records()
                    + " records) was received " + (twoBefore.answeredNanos() - batch.receivedNanos()) / 1_000_000
                    + " ms before batch " + (i - 2) + " was answered: two batches held ahead; " + byInvocation);
        }
    }

    private static String queue(String prefix) {
        return stack.sqsClient().createQueue(b -> b.queueName(prefix + UUID.randomUUID())
                .attributes(java.util.Map.of(software.amazon.awssdk.services.sqs.model.QueueAttributeName.VISIBILITY_TIMEOUT, "60")))
                .queueUrl();
    }

    /** A started pipelined mapping (batch size 10, 1 s polls) from the queue to the stack's fake function. */
    private static dev.iotbridge.local.lambda.EventSourceMapping pipelinedMapping(
            String queueUrl, List<dev.iotbridge.local.lambda.EventSourceMapping.BatchOutcome> outcomes) {
        var esm = new dev.iotbridge.local.lambda.EventSourceMapping(stack.sqsClient(), queueUrl,
                "arn:aws:sqs:us-east-1:000000000000:" + queueUrl.substring(queueUrl.lastIndexOf('/') + 1), "us-east-1",
                stack.function(), new dev.iotbridge.local.lambda.EventSourceMapping.Settings(10, Duration.ZERO,
                Duration.ofSeconds(5), 1, true), new Counters());
        esm.setPipelined(true);
        esm.setBatchListener(outcomes::add);
        esm.start();
        return esm;
    }

    private static void send2(String queueUrl, String body) {
        stack.sqsClient().sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
    }
}
