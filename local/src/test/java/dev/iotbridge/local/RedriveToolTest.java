package dev.iotbridge.local;

import dev.iotbridge.local.sqs.LocalSqs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code make redrive} (tools/redrive/redrive.py) against a real ElasticMQ holding the bridge
 * queue and its DLQ with a redrive policy, as the local stack runs them. The DLQ is filled the
 * two ways records reach it: quarantined by the function (SendMessage with the Bridge*
 * attributes SqsQuarantine writes) and moved by the queue's redrive policy (no attributes).
 * Every test checks the queues' real contents afterwards, not the tool's output alone.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RedriveToolTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String REGION = "eu-west-1";

    LocalSqs sqs;
    SqsClient client;
    /** body -> BridgeErrorCode ("REDRIVEN" for the redrive policy's) of every record put in the DLQ */
    final Map<String, String> dlqContent = new TreeMap<>();

    @BeforeEach
    void fillTheDlq() throws Exception {
        sqs = new LocalSqs(LocalBridgeStack.freePort(), REGION, "000000000000");
        sqs.start("bridge", "bridge-dlq", 1, 30);
        client = sqs.client();
        quarantine("unknown-1", "UNKNOWN_ROUTE", Map.of());
        quarantine("unknown-2", "UNKNOWN_ROUTE", Map.of());
        quarantine("unknown-3", "UNKNOWN_ROUTE", Map.of());
        quarantine("outside-1", "TOPIC_OUTSIDE_ROUTE", Map.of());
        quarantine("outside-2", "TOPIC_OUTSIDE_ROUTE", Map.of());
        quarantine("rejected-1", "PUBLISH_REJECTED", Map.of(
                "trace", MessageAttributeValue.builder().dataType("String").stringValue("t-1").build(),
                "blob", MessageAttributeValue.builder().dataType("Binary")
                        .binaryValue(SdkBytes.fromByteArray(new byte[] {0, 1, 2, (byte) 255})).build()));
        redrivenByThePolicy("slow-1");
        redrivenByThePolicy("slow-2");
        assertEquals(8, visible(sqs.dlqUrl()), "the DLQ holds the 8 records");
    }

    @AfterEach
    void stop() {
        if (sqs != null) sqs.close();
    }

    @Test
    void listingAndDryRunsMoveNothingAndHideNothing() throws Exception {
        Run list = redrive("--verbose");
        System.out.println(list.output); // kept in target/surefire-reports/*-output.txt: a real listing
        assertEquals(0, list.exit, list.output);
        assertTrue(list.output.matches("(?s).*UNKNOWN_ROUTE\\s+3 .*"), list.output);
        assertTrue(list.output.matches("(?s).*TOPIC_OUTSIDE_ROUTE\\s+2 .*"), list.output);
        assertTrue(list.output.matches("(?s).*PUBLISH_REJECTED\\s+1 .*"), list.output);
        assertTrue(list.output.matches("(?s).*REDRIVEN\\s+2 .*"), list.output);
        assertTrue(list.output.matches("(?s).*total\\s+8\\n.*"), list.output);

        Run some = redrive("--codes", "UNKNOWN_ROUTE,REDRIVEN");
        System.out.println(some.output);
        assertEquals(0, some.exit, some.output);
        assertTrue(some.output.contains("dry run: would move 5 record(s) (REDRIVEN 2, UNKNOWN_ROUTE 3)"), some.output);

        Run all = redrive("--all");
        assertEquals(0, all.exit, all.output);
        assertTrue(all.output.contains("dry run: would start an SQS message move task for all 8"), all.output);

        assertEquals(0, sqs.depth(sqs.queueUrl()), "a dry run sends nothing to the queue");
        assertEquals(8, visible(sqs.dlqUrl()), "a dry run leaves every record in the DLQ, visible at once");
        assertEquals(dlqContent, contentOf(sqs.dlqUrl()));
    }

    @Test
    void chosenCodesMoveAndEverythingElseStays() throws Exception {
        Run run = redrive("--codes", "UNKNOWN_ROUTE,PUBLISH_REJECTED,REDRIVEN", "--apply");
        assertEquals(0, run.exit, run.output);
        assertTrue(run.output.contains("moved 6 record(s) (PUBLISH_REJECTED 1, REDRIVEN 2, UNKNOWN_ROUTE 3)"), run.output);

        List<Message> moved = receiveAll(sqs.queueUrl());
        assertEquals(List.of("rejected-1", "slow-1", "slow-2", "unknown-1", "unknown-2", "unknown-3"),
                moved.stream().map(Message::body).sorted().toList(), "exactly the chosen records, bodies unchanged");
        for (Message m : moved) {
            assertTrue(m.messageAttributes().keySet().stream().noneMatch(k -> k.startsWith("Bridge")),
                    "the quarantine attributes are dropped: " + m.messageAttributes().keySet());
        }
        Message rejected = moved.stream().filter(m -> m.body().equals("rejected-1")).findFirst().orElseThrow();
        assertEquals("t-1", rejected.messageAttributes().get("trace").stringValue(), "other attributes are kept");
        assertEquals(SdkBytes.fromByteArray(new byte[] {0, 1, 2, (byte) 255}),
                rejected.messageAttributes().get("blob").binaryValue(), "binary attributes are kept byte for byte");

        assertEquals(Map.of("outside-1", "TOPIC_OUTSIDE_ROUTE", "outside-2", "TOPIC_OUTSIDE_ROUTE"),
                contentOf(sqs.dlqUrl()), "the other codes stay in the DLQ with their attributes");
        assertFalse(run.output.contains("warning"), "no security code was chosen: " + run.output);
    }

    @Test
    void maxBoundsASelectiveMove() throws Exception {
        Run run = redrive("--codes", "TOPIC_OUTSIDE_ROUTE", "--max", "1", "--apply");
        assertEquals(0, run.exit, run.output);
        assertTrue(run.output.contains("warning: TOPIC_OUTSIDE_ROUTE"), "a security code is flagged: " + run.output);
        assertEquals(1, receiveAll(sqs.queueUrl()).size());
        assertEquals(7, visible(sqs.dlqUrl()));
    }

    @Test
    void allMovesEveryRecordWithAMessageMoveTask() throws Exception {
        Run run = redrive("--all", "--apply");
        assertEquals(0, run.exit, run.output);
        assertTrue(run.output.contains("started message move task"), run.output);
        assertTrue(run.output.contains("move task COMPLETED"), run.output);
        assertEquals(0, sqs.depth(sqs.dlqUrl()), "the DLQ is empty");
        Map<String, String> onQueue = new TreeMap<>();
        for (Message m : receiveAll(sqs.queueUrl())) {
            MessageAttributeValue code = m.messageAttributes().get("BridgeErrorCode");
            onQueue.put(m.body(), code == null ? "REDRIVEN" : code.stringValue());
        }
        assertEquals(dlqContent, onQueue, "every record, as SQS moves it (attributes included)");
    }

    @Test
    void badUsageIsRefusedWithTheOptionToFix() throws Exception {
        Run run = redrive("--codes", "UNKNOWN_ROUTE", "--all");
        assertEquals(2, run.exit, run.output);
        assertTrue(run.output.contains("not allowed with argument"), run.output);
        Run noDlq = run(List.of("--queue-url", sqs.queueUrl()));
        assertEquals(2, noDlq.exit, noDlq.output);
        assertTrue(noDlq.output.contains("--queue-url and --dlq-url go together"), noDlq.output);
        assertEquals(8, visible(sqs.dlqUrl()));
    }

    // ------------------------------------------------------------------ helpers

    /** As SqsQuarantine does: the original body, String attributes BridgeErrorCode/Detail/SourceMessageId/Route. */
    void quarantine(String body, String code, Map<String, MessageAttributeValue> extra) {
        Map<String, MessageAttributeValue> attrs = new HashMap<>(extra);
        attrs.put("BridgeErrorCode", string(code));
        attrs.put("BridgeErrorDetail", string("detail of " + body));
        attrs.put("BridgeSourceMessageId", string("src-" + body));
        attrs.put("BridgeRoute", string("ground"));
        client.sendMessage(b -> b.queueUrl(sqs.dlqUrl()).messageBody(body).messageAttributes(attrs));
        dlqContent.put(body, code);
    }

    /** A record received maxReceiveCount (1) times without being deleted: the next receive moves it to the DLQ. */
    void redrivenByThePolicy(String body) throws InterruptedException {
        String id = client.sendMessage(b -> b.queueUrl(sqs.queueUrl()).messageBody(body)).messageId();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean received = false;
        while (sqs.depth(sqs.queueUrl()) > 0 || !received) {
            if (System.nanoTime() > deadline) fail("record " + body + " did not reach the DLQ through the redrive policy");
            for (Message m : client.receiveMessage(b -> b.queueUrl(sqs.queueUrl()).visibilityTimeout(0)
                    .maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                received |= m.messageId().equals(id);
            }
        }
        dlqContent.put(body, "REDRIVEN");
    }

    static MessageAttributeValue string(String v) {
        return MessageAttributeValue.builder().dataType("String").stringValue(v).build();
    }

    long visible(String url) {
        return Long.parseLong(client.getQueueAttributes(b -> b.queueUrl(url)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    /** Receives (and deletes) everything on a queue. */
    List<Message> receiveAll(String url) {
        List<Message> all = new ArrayList<>();
        int empty = 0;
        while (empty < 3) {
            List<Message> got = client.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageAttributeNames("All")).messages();
            if (got.isEmpty()) {
                empty++;
                continue;
            }
            empty = 0;
            all.addAll(got);
            for (Message m : got) client.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
        }
        return all;
    }

    /** body -> code of what a queue holds (received and deleted). */
    Map<String, String> contentOf(String url) {
        return receiveAll(url).stream().collect(Collectors.toMap(Message::body, m -> {
            MessageAttributeValue code = m.messageAttributes().get("BridgeErrorCode");
            return code == null ? "REDRIVEN" : code.stringValue();
        }, (a, b) -> a, TreeMap::new));
    }

    record Run(int exit, String output) {}

    Run redrive(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("--queue-url", sqs.queueUrl(), "--dlq-url", sqs.dlqUrl(),
                "--endpoint-url", sqs.endpoint(), "--region", REGION, "--visibility-timeout", "120"));
        all.addAll(List.of(args));
        return run(all);
    }

    /** Runs the CLI with the tools venv's Python (tools/setup.sh creates it on first use). */
    static Run run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python(), ROOT.resolve("tools/redrive/redrive.py").toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("AWS_ACCESS_KEY_ID", "local");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "local");
        pb.environment().remove("AWS_PROFILE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("redrive.py did not finish within 120 s:\n" + out);
        }
        return new Run(p.exitValue(), out);
    }

    private static String python;

    static synchronized String python() throws IOException, InterruptedException {
        if (python == null) {
            Process p = new ProcessBuilder("bash", ROOT.resolve("tools/setup.sh").toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || out.isEmpty()) fail("tools/setup.sh could not create the Python venv (exit "
                    + p.exitValue() + "); it needs python3 with venv and network access to PyPI");
            python = out.lines().reduce((a, b) -> b).orElseThrow();
            assertTrue(Files.isExecutable(Path.of(python)), python);
        }
        return python;
    }
}
