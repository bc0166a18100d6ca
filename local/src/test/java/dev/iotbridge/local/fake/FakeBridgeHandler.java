package dev.iotbridge.local.fake;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.iotbridge.local.sqs.LocalSqs;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * A tiny stand-in for the real function, used only to test the Lambda emulation itself
 * (EmulatorTest). It runs under AWS's runtime interface client like the real artifact.
 * Record bodies steer it: an envelope is published as-is (no route checks!), {"fake":"fail"}
 * is reported in batchItemFailures, {"fake":"throw"} fails the invocation, {"fake":"exit"}
 * kills the process, {"fake":"quarantine"} goes to the DLQ with BridgeErrorCode=FAKE, {"fake":"slow"}
 * takes 300 ms (an invocation long enough for records to pile up behind it).
 */
public class FakeBridgeHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static SqsClient sqs;

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws java.io.IOException {
        JsonNode event = JSON.readTree(input);
        ObjectNode response = JSON.createObjectNode();
        ArrayNode failures = response.putArray("batchItemFailures");
        for (JsonNode rec : event.get("Records")) {
            String id = rec.get("messageId").asText();
            JsonNode body = JSON.readTree(rec.get("body").asText());
            String fake = body.path("fake").asText("");
            switch (fake) {
                case "fail" -> failures.addObject().put("itemIdentifier", id);
                case "throw" -> throw new IllegalStateException("fake handler throws");
                case "exit" -> Runtime.getRuntime().halt(3);
                case "quarantine" -> quarantine(rec);
                case "slow" -> {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                default -> {
                    try {
                        if (!publish(body)) failures.addObject().put("itemIdentifier", id);
                    } catch (Exception e) {
                        failures.addObject().put("itemIdentifier", id);
                    }
                }
            }
        }
        output.write(JSON.writeValueAsBytes(response));
    }

    private static boolean publish(JsonNode env) throws Exception {
        String topic = env.get("topic").asText();
        String url = System.getenv("BRIDGE_IOT_ENDPOINT") + "/topics/"
                + URLEncoder.encode(topic, StandardCharsets.UTF_8).replace("+", "%20") + "?qos=1";
        if (env.has("contentType")) url += "&contentType=" + URLEncoder.encode(env.get("contentType").asText(), StandardCharsets.UTF_8);
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Base64.getDecoder().decode(env.get("payload").asText())));
        ArrayNode ups = env.has("userProperties") ? (ArrayNode) env.get("userProperties").deepCopy() : JSON.createArrayNode();
        ups.addObject().put("iot-bridge-hop", env.path("route").asText("fake"));
        rb.header("x-amz-mqtt5-user-properties", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(ups)));
        if (env.has("correlationData")) rb.header("x-amz-mqtt5-correlation-data", env.get("correlationData").asText());
        HttpResponse<String> r = HTTP.send(rb.build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200;
    }

    private static synchronized void quarantine(JsonNode rec) {
        if (sqs == null) sqs = LocalSqs.newClient(System.getenv("BRIDGE_SQS_ENDPOINT"), System.getenv("AWS_REGION"));
        sqs.sendMessage(b -> b.queueUrl(System.getenv("BRIDGE_DLQ_URL")).messageBody(rec.get("body").asText())
                .messageAttributes(Map.of("BridgeErrorCode",
                        MessageAttributeValue.builder().dataType("String").stringValue("FAKE").build())));
    }
}
