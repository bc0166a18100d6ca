package dev.iotbridge.local.iotdata;

import dev.iotbridge.local.LoopbackHttpServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.iotbridge.local.Counters;
import dev.iotbridge.local.broker.EmbeddedBroker;
import dev.iotbridge.contract.TopicFilter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The destination account's iot-data Publish API: {@code POST /topics/{topic}} with the query
 * parameters {@code qos}, {@code retain}, {@code contentType}, {@code responseTopic},
 * {@code messageExpiry}, the headers {@code x-amz-mqtt5-user-properties} (base64 of a JSON array
 * of one-key objects), {@code x-amz-mqtt5-payload-format-indicator} ({@code UNSPECIFIED_BYTES} |
 * {@code UTF8_DATA}) and {@code x-amz-mqtt5-correlation-data} (base64), body = payload. Publishes
 * into the destination broker with those MQTT 5 properties and answers 200 {@code {}} once the
 * broker acknowledged (QoS 1) or accepted (QoS 0) the message.
 *
 * <p>Request signing is not checked. Optionally the topic must match one of the allowed topic
 * filters (standing for the function role's {@code iot:Publish} resources): 403 otherwise.
 * A per-request latency, a {@link FaultPlan} and a publish quota ({@link #setPublishQuota}) can be
 * set at any time.
 *
 * <p>Plain HTTP by default; {@link #useTls} serves HTTPS as the real endpoint does, so that
 * clients pay for TLS handshakes and connection reuse matters. The endpoint counts the client
 * connections it serves ({@link #connections()}, {@link #connectionsSince}): each new client
 * address:port that sends a request is one TCP (and, over TLS, one TLS) connection.
 */
public final class IotDataEndpoint implements AutoCloseable {

    /** One successful publish as seen by the endpoint. */
    public record Published(String topic, byte[] payload, int qos, boolean retain) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PAYLOAD = 128 * 1024;

    private final int port;
    private final int brokerPort;
    private final Counters counters;
    private volatile Duration latency = Duration.ZERO;
    private volatile FaultPlan faultPlan = FaultPlan.NONE;
    private volatile PublishQuota quota;   // null = none
    private final LongAdder quotaThrottled = new LongAdder();
    private volatile List<String> allowedTopicFilters;   // null = any topic
    private volatile Consumer<Published> listener = p -> {};
    private volatile EmbeddedBroker retainedMessages;
    private final Map<FaultPlan.Fault, LongAdder> faults = new EnumMap<>(FaultPlan.Fault.class);
    private HttpServer server;
    private javax.net.ssl.SSLContext tls;
    /** client address:port -> System.nanoTime() of its first request */
    private final Map<InetSocketAddress, Long> connections = new ConcurrentHashMap<>();
    private Mqtt5AsyncClient mqtt;

    public IotDataEndpoint(int port, int brokerPort, Counters counters) {
        this.port = port;
        this.brokerPort = brokerPort;
        this.counters = counters;
        for (FaultPlan.Fault f : FaultPlan.Fault.values()) faults.put(f, new LongAdder());
    }

    public void start() throws IOException {
        mqtt = Mqtt5Client.builder()
                .identifier("local-iot-data-" + port)
                .serverHost("127.0.0.1")
                .serverPort(brokerPort)
                .automaticReconnectWithDefaultConfig()
                .buildAsync();
        try {
            mqtt.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to the destination broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("iot-data endpoint could not connect to the destination broker on 127.0.0.1:" + brokerPort
                    + " within 30 s: " + e, e);
        }
        server = tls == null ? LoopbackHttpServer.create(port, 256) : LoopbackHttpServer.createHttps(port, 256, tls);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serve HTTPS with this context (e.g. {@link LocalCa#serverContext()}); call before {@link #start()}. */
    public void useTls(javax.net.ssl.SSLContext context) { tls = context; }
    public boolean isTls() { return tls != null; }

    public String url() { return (tls == null ? "http" : "https") + "://127.0.0.1:" + port; }
    public int port() { return port; }

    public void setLatency(Duration d) { latency = d == null ? Duration.ZERO : d; }
    public Duration latency() { return latency; }
    public void setFaultPlan(FaultPlan plan) { faultPlan = plan == null ? FaultPlan.NONE : plan; }
    public FaultPlan faultPlan() { return faultPlan; }
    /**
     * Holds Publish requests ({@code POST /topics/…}) to {@code perSecond} a second, as IoT Core does at
     * the account's quota: a request beyond it is answered at once with HTTP 429, error type
     * {@code ThrottlingException} (header {@code x-amzn-ErrorType}, body {@code {"message": …}}, what the
     * AWS SDKs parse into the iot-data ThrottlingException) and not published. 0 removes the quota.
     */
    public void setPublishQuota(int perSecond) {
        if (perSecond < 0) throw new IllegalArgumentException("publish quota must be >= 0 requests per second (0 = none), got " + perSecond);
        quota = perSecond == 0 ? null : new PublishQuota(perSecond, System::nanoTime);
    }

    /** The publish quota in requests per second, 0 when there is none. */
    public int publishQuota() {
        PublishQuota q = quota;
        return q == null ? 0 : q.perSecond();
    }

    /** Publish requests refused with 429 because the quota was spent (not counting injected faults). */
    public long quotaThrottled() { return quotaThrottled.sum(); }

    public void setAllowedTopicFilters(List<String> filters) { allowedTopicFilters = filters == null ? null : List.copyOf(filters); }
    public void setListener(Consumer<Published> l) { listener = l == null ? p -> {} : l; }
    /** The broker whose retained messages {@code GET /retainedMessage/{topic}} reads; null: 404 for every topic. */
    public void setRetainedMessages(EmbeddedBroker broker) { retainedMessages = broker; }

    /** Client connections that sent at least one request so far. */
    public long connections() { return connections.size(); }

    /** Client connections whose first request came after {@code nanoTime} (a {@link System#nanoTime()} value). */
    public long connectionsSince(long nanoTime) {
        return connections.values().stream().filter(t -> t - nanoTime > 0).count();
    }

    /** Faults injected so far, by kind. */
    public Map<FaultPlan.Fault, Long> faultCounts() {
        Map<FaultPlan.Fault, Long> m = new LinkedHashMap<>();
        faults.forEach((k, v) -> { if (k != FaultPlan.Fault.NONE) m.put(k, v.sum()); });
        return m;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            counters.iotDataRequests.increment();
            connections.putIfAbsent(ex.getRemoteAddress(), System.nanoTime());
            Duration lat = latency;
            if (!lat.isZero()) sleep(lat);
            PublishQuota q = quota;
            if (q != null && ex.getRequestMethod().equals("POST") && !q.tryAcquire()) {
                quotaThrottled.increment();
                ex.getRequestBody().readAllBytes();
                throttled(ex);
                return;
            }
            FaultPlan.Fault fault = faultPlan.draw();
            faults.get(fault).increment();
            switch (fault) {
                case RESET -> {
                    counters.iotDataFaults.increment();
                    ex.getRequestBody().readAllBytes();
                    // close without a status line: the client sees the connection dropped
                    ex.getResponseBody().close();
                    return;
                }
                case THROTTLE -> { counters.iotDataFaults.increment(); throttled(ex); return; }
                case SERVER_ERROR -> { counters.iotDataFaults.increment(); error(ex, 500, "InternalFailureException", "Internal failure (injected)"); return; }
                case UNAVAILABLE, OUTAGE -> { counters.iotDataFaults.increment(); error(ex, 503, "ServiceUnavailableException", "Service unavailable (injected)"); return; }
                case SLOW -> { counters.iotDataFaults.increment(); sleep(faultPlan.slowDelay()); }
                default -> { }
            }
            if (ex.getRequestMethod().equals("GET") && ex.getRequestURI().getRawPath().startsWith("/retainedMessage/")) {
                getRetainedMessage(ex);
            } else {
                publish(ex);
            }
        } catch (RuntimeException e) {
            try {
                error(ex, 500, "InternalFailureException", "local endpoint error: " + e);
            } catch (IOException ignored) {
                // connection gone
            }
        }
    }

    private void publish(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            error(ex, 405, "MethodNotAllowedException", "only POST /topics/{topic} is supported");
            return;
        }
        String raw = ex.getRequestURI().getRawPath();
        if (!raw.startsWith("/topics/") || raw.length() == "/topics/".length()) {
            error(ex, 404, "ResourceNotFoundException", "unknown path " + raw);
            return;
        }
        String topic;
        Map<String, String> q;
        try {
            topic = percentDecode(raw.substring("/topics/".length()));
            q = query(ex.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            error(ex, 400, "InvalidRequestException", "bad percent-encoding in the topic or query");
            return;
        }
        byte[] payload = readBody(ex.getRequestBody());
        String problem = validateTopic(topic);
        if (problem != null) {
            error(ex, 400, "InvalidRequestException", problem);
            return;
        }
        List<String> allowed = allowedTopicFilters;
        if (allowed != null && allowed.stream().noneMatch(f -> TopicFilter.matches(f, topic))) {
            error(ex, 403, "ForbiddenException", "not authorized to publish to " + topic);
            return;
        }
        if (payload.length > MAX_PAYLOAD) {
            error(ex, 413, "RequestEntityTooLargeException", "payload larger than 128 KiB");
            return;
        }
        int qos;
        try {
            qos = Integer.parseInt(q.getOrDefault("qos", "0"));
        } catch (NumberFormatException e) {
            qos = -1;
        }
        if (qos != 0 && qos != 1) {
            error(ex, 400, "InvalidRequestException", "qos must be 0 or 1");
            return;
        }
        String retainParam = q.getOrDefault("retain", "false");
        if (!retainParam.equals("true") && !retainParam.equals("false")) {
            error(ex, 400, "InvalidRequestException", "retain must be true or false");
            return;
        }
        boolean retain = retainParam.equals("true");
        Mqtt5PublishBuilder.Complete pub = com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish.builder()
                .topic(topic).payload(payload).qos(MqttQos.fromCode(qos)).retain(retain);
        try {
            if (q.containsKey("contentType")) pub.contentType(q.get("contentType"));
            if (q.containsKey("responseTopic")) pub.responseTopic(q.get("responseTopic"));
            if (q.containsKey("messageExpiry")) pub.messageExpiryInterval(Long.parseLong(q.get("messageExpiry")));
            String pfi = ex.getRequestHeaders().getFirst("x-amz-mqtt5-payload-format-indicator");
            if (pfi != null) {
                switch (pfi) {
                    case "UTF8_DATA" -> pub.payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8);
                    case "UNSPECIFIED_BYTES" -> pub.payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UNSPECIFIED);
                    default -> throw new IllegalArgumentException("x-amz-mqtt5-payload-format-indicator must be "
                            + "UNSPECIFIED_BYTES or UTF8_DATA, got " + pfi);
                }
            }
            String cd = ex.getRequestHeaders().getFirst("x-amz-mqtt5-correlation-data");
            if (cd != null) pub.correlationData(Base64.getDecoder().decode(cd));
            String up = ex.getRequestHeaders().getFirst("x-amz-mqtt5-user-properties");
            if (up != null) pub.userProperties(userProperties(up));
        } catch (IllegalArgumentException e) {
            error(ex, 400, "InvalidRequestException", e.getMessage());
            return;
        }
        Mqtt5PublishResult result;
        try {
            result = mqtt.publish(pub.build()).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            error(ex, 503, "ServiceUnavailableException", "destination broker did not accept the message: " + e);
            return;
        }
        if (result.getError().isPresent()) {
            error(ex, 503, "ServiceUnavailableException", "destination broker: " + result.getError().get());
            return;
        }
        counters.publishedAtIotData.increment();
        listener.accept(new Published(topic, payload, qos, retain));
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    /**
     * GetRetainedMessage: {@code GET /retainedMessage/{topic}} answers {@code topic}, {@code payload}
     * (base64), {@code qos}, {@code lastModifiedTime} (epoch ms) and {@code userProperties} (base64 of a
     * JSON array of one-key objects, absent without user properties), as the AWS IoT data plane does;
     * 404 {@code ResourceNotFoundException} when nothing is retained on the topic.
     */
    private void getRetainedMessage(HttpExchange ex) throws IOException {
        String topic;
        try {
            topic = percentDecode(ex.getRequestURI().getRawPath().substring("/retainedMessage/".length()));
        } catch (IllegalArgumentException e) {
            error(ex, 400, "InvalidRequestException", "bad percent-encoding in the topic");
            return;
        }
        String problem = validateTopic(topic);
        if (problem != null) {
            error(ex, 400, "InvalidRequestException", problem);
            return;
        }
        EmbeddedBroker broker = retainedMessages;
        var found = broker == null ? java.util.Optional.<EmbeddedBroker.RetainedMessage>empty() : broker.retained(topic);
        if (found.isEmpty()) {
            error(ex, 404, "ResourceNotFoundException", "no retained message on " + topic);
            return;
        }
        EmbeddedBroker.RetainedMessage m = found.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", m.topic());
        body.put("payload", Base64.getEncoder().encodeToString(m.payload()));
        body.put("qos", m.qos());
        body.put("lastModifiedTime", m.lastModifiedMillis());
        if (!m.userProperties().isEmpty()) {
            List<Map<String, String>> ups = new ArrayList<>();
            m.userProperties().forEach(u -> ups.add(Map.of(u.getKey(), u.getValue())));
            body.put("userProperties", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(ups)));
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /** Topic rules of the real service (Publish rejects these with 400). */
    static String validateTopic(String topic) {
        if (topic.isEmpty()) return "topic is empty";
        if (topic.contains("+") || topic.contains("#")) return "topic must not contain wildcards: " + topic;
        if (topic.getBytes(StandardCharsets.UTF_8).length > 256) return "topic longer than 256 bytes";
        if (topic.chars().filter(c -> c == '/').count() > 7) return "topic has more than 7 forward slashes";
        if (topic.chars().anyMatch(c -> c == 0)) return "topic contains NUL";
        return null;
    }

    static Mqtt5UserProperties userProperties(String header) {
        JsonNode arr;
        try {
            arr = JSON.readTree(Base64.getDecoder().decode(header));
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException("x-amz-mqtt5-user-properties must be base64 of a JSON array: " + e.getMessage());
        }
        if (arr == null || !arr.isArray()) {
            throw new IllegalArgumentException("x-amz-mqtt5-user-properties must be a JSON array of objects");
        }
        Mqtt5UserPropertiesBuilder b = Mqtt5UserProperties.builder();
        for (JsonNode o : arr) {
            if (!o.isObject()) throw new IllegalArgumentException("x-amz-mqtt5-user-properties: element is not an object");
            var it = o.fields();
            while (it.hasNext()) {
                var e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException("x-amz-mqtt5-user-properties: value of " + e.getKey() + " is not a string");
                }
                b.add(e.getKey(), e.getValue().asText());
            }
        }
        return b.build();
    }

    /** The service's answer at its rate limit (the iot-data API reference: ThrottlingException, HTTP 429, "The rate exceeds the limit"). */
    private static void throttled(HttpExchange ex) throws IOException {
        error(ex, 429, "ThrottlingException", "Rate exceeded");
    }

    private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
        byte[] body = JSON.writeValueAsBytes(Map.of("message", message));
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("x-amzn-ErrorType", type);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private static byte[] readBody(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return m;
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? "" : part.substring(eq + 1);
            m.put(percentDecode(k.replace('+', ' ')), percentDecode(v.replace("+", "%20")));
        }
        return m;
    }

    /** RFC 3986 percent-decoding (a '+' stays a '+', unlike form decoding). */
    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw new IllegalArgumentException("bad escape");
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        LoopbackHttpServer.stop(server);
        server = null;
        if (mqtt != null) {
            try {
                mqtt.disconnect().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // broker may be gone already
            }
            mqtt = null;
        }
    }

}
