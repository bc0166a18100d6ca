package dev.iotbridge.iotdata;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.iotbridge.contract.TopicFilter;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The iot-data Publish API: {@code POST /topics/{topic}} with the query parameters {@code qos},
 * {@code retain}, {@code contentType}, {@code responseTopic}, {@code messageExpiry}, the headers
 * {@code x-amz-mqtt5-user-properties} (base64 of a JSON array of one-key objects),
 * {@code x-amz-mqtt5-payload-format-indicator} ({@code UNSPECIFIED_BYTES} | {@code UTF8_DATA}) and
 * {@code x-amz-mqtt5-correlation-data} (base64), body = payload. Hands each request it accepts to
 * its {@link Destination} and answers 200 {@code {}} once the destination took it;
 * {@code GET /retainedMessage/{topic}} reads the destination's retained message. Rejects like the
 * service, with its error answers ({@link IotDataError}).
 *
 * <p>Request signing is not checked. Optionally the topic must match one of the allowed topic
 * filters (standing for the caller's {@code iot:Publish} resources): 403 otherwise. A per-request
 * latency, a publish quota ({@link #setPublishQuota}) and per-topic failures ({@link #failWith},
 * {@link #throttle}) can be set at any time; a subclass injects faults into any request
 * ({@link #injectFault()}: the local stack's fault plan).
 *
 * <p>Plain HTTP by default; {@link #useTls} serves HTTPS as the real endpoint does, so that
 * clients pay for TLS handshakes and connection reuse matters. The endpoint counts requests, those
 * in flight and their peak, and the client connections it serves ({@link #connections()},
 * {@link #connectionsSince}): each new client address:port that sends a request is one TCP (and,
 * over TLS, one TLS) connection.
 */
public class IotDataServer implements AutoCloseable {

    /** What a fault injected into one request does to it. */
    public sealed interface Fault {
        /** Answer this error instead of handling the request. */
        record Answer(IotDataError error, String message) implements Fault {}
        /** Close the connection without a response: the client sees it dropped. */
        record Drop() implements Fault {}
        /** Hold the request this long, then handle it (a client that gave up and retried makes a duplicate). */
        record Delay(Duration delay) implements Fault {}

        /** The service's answer at its rate limit. */
        static Answer throttling() { return new Answer(IotDataError.THROTTLING, "Rate exceeded"); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PAYLOAD = 128 * 1024;
    private static final String TOPICS = "/topics/";
    private static final String RETAINED = "/retainedMessage/";

    private final int port;
    private final Destination destination;
    private volatile Duration latency = Duration.ZERO;
    private volatile PublishQuota quota;   // null = none
    private final LongAdder quotaThrottled = new LongAdder();
    private volatile List<String> allowedTopicFilters;   // null = any topic
    private volatile Consumer<Publish> listener = p -> {};
    private final Map<String, Fault.Answer> topicFaults = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    /** client address:port -> System.nanoTime() of its first request */
    private final Map<InetSocketAddress, Long> connections = new ConcurrentHashMap<>();
    private SSLContext tls;
    private volatile HttpServer server;

    /** @param port the loopback port to serve on, 0 for a free one (see {@link #port()} once started) */
    public IotDataServer(int port, Destination destination) {
        this.port = port;
        this.destination = destination;
    }

    public void start() throws IOException {
        HttpServer s = tls == null ? LoopbackHttpServer.create(port, 256) : LoopbackHttpServer.createHttps(port, 256, tls);
        s.createContext("/", this::handle);
        s.start();
        server = s;
    }

    /** Serve HTTPS with this context; call before {@link #start()}. */
    public void useTls(SSLContext context) { tls = context; }
    public boolean isTls() { return tls != null; }

    public String url() { return (tls == null ? "http" : "https") + "://127.0.0.1:" + port(); }

    public int port() {
        HttpServer s = server;
        return s == null ? port : s.getAddress().getPort();
    }

    public void setLatency(Duration d) { latency = d == null ? Duration.ZERO : d; }
    public Duration latency() { return latency; }

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

    /** Called with every publish the destination took. */
    public void setListener(Consumer<Publish> l) { listener = l == null ? p -> {} : l; }

    /** Publishes to {@code topic} get 429 ThrottlingException until {@link #reset()}. */
    public void throttle(String topic) { topicFaults.put(topic, Fault.throttling()); }

    /** Publishes to {@code topic} get the service's error answer with {@code status} until {@link #reset()}. */
    public void failWith(String topic, int status) {
        topicFaults.put(topic, new Fault.Answer(IotDataError.of(status), "injected " + status));
    }

    /** No latency, no per-topic failures, the request counts at 0 (the publish quota and topic filters stay). */
    public void reset() {
        latency = Duration.ZERO;
        topicFaults.clear();
        requests.reset();
        peakInFlight.set(0);
    }

    /** Requests answered or being answered, whatever the answer. */
    public long requests() { return requests.sum(); }

    /** Requests being handled right now (the server side: a client that gave up does not end them). */
    public int inFlight() { return inFlight.get(); }

    public int peakInFlight() { return peakInFlight.get(); }

    /** Client connections that sent at least one request so far. */
    public long connections() { return connections.size(); }

    /** Client connections whose first request came after {@code nanoTime} (a {@link System#nanoTime()} value). */
    public long connectionsSince(long nanoTime) {
        return connections.values().stream().filter(t -> t - nanoTime > 0).count();
    }

    /** Called first for every request. */
    protected void requestReceived() {
    }

    /** The fault for one request, drawn after the latency and the quota; null for none. */
    protected Fault injectFault() {
        return null;
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.increment();
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try (ex) {
            requestReceived();
            connections.putIfAbsent(ex.getRemoteAddress(), System.nanoTime());
            Duration lat = latency;
            if (!lat.isZero()) sleep(lat);
            PublishQuota q = quota;
            if (q != null && ex.getRequestMethod().equals("POST") && !q.tryAcquire()) {
                quotaThrottled.increment();
                ex.getRequestBody().readAllBytes();
                error(ex, Fault.throttling());
                return;
            }
            switch (injectFault()) {
                case Fault.Drop d -> {
                    ex.getRequestBody().readAllBytes();
                    ex.getResponseBody().close();
                    return;
                }
                case Fault.Answer a -> {
                    error(ex, a);
                    return;
                }
                case Fault.Delay d -> sleep(d.delay());
                case null -> { }
            }
            if (ex.getRequestMethod().equals("GET") && ex.getRequestURI().getRawPath().startsWith(RETAINED)) {
                getRetainedMessage(ex);
            } else {
                publish(ex);
            }
        } catch (RuntimeException e) {
            try {
                error(ex, IotDataError.INTERNAL_FAILURE, "local endpoint error: " + e);
            } catch (IOException ignored) {
                // connection gone
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void publish(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            error(ex, IotDataError.METHOD_NOT_ALLOWED, "only POST /topics/{topic} is supported");
            return;
        }
        String raw = ex.getRequestURI().getRawPath();
        if (!raw.startsWith(TOPICS) || raw.length() == TOPICS.length()) {
            error(ex, IotDataError.NOT_FOUND, "unknown path " + raw);
            return;
        }
        String topic;
        Map<String, String> q;
        try {
            topic = Wire.percentDecode(raw.substring(TOPICS.length()));
            q = Wire.query(ex.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            error(ex, IotDataError.INVALID_REQUEST, "bad percent-encoding in the topic or query");
            return;
        }
        byte[] payload = readBody(ex);
        String problem = Wire.validateTopic(topic);
        if (problem != null) {
            error(ex, IotDataError.INVALID_REQUEST, problem);
            return;
        }
        List<String> allowed = allowedTopicFilters;
        if (allowed != null && allowed.stream().noneMatch(f -> TopicFilter.matches(f, topic))) {
            error(ex, IotDataError.FORBIDDEN, "not authorized to publish to " + topic);
            return;
        }
        if (payload.length > MAX_PAYLOAD) {
            error(ex, IotDataError.REQUEST_ENTITY_TOO_LARGE, "payload larger than 128 KiB");
            return;
        }
        int qos;
        try {
            qos = Integer.parseInt(q.getOrDefault("qos", "0"));
        } catch (NumberFormatException e) {
            qos = -1;
        }
        if (qos != 0 && qos != 1) {
            error(ex, IotDataError.INVALID_REQUEST, "qos must be 0 or 1");
            return;
        }
        String retain = q.getOrDefault("retain", "false");
        if (!retain.equals("true") && !retain.equals("false")) {
            error(ex, IotDataError.INVALID_REQUEST, "retain must be true or false");
            return;
        }
        Map<String, String> headers = new HashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
        Publish p;
        try {
            p = new Publish(topic, qos, retain.equals("true"), payload, Wire.properties(q, headers), q, headers);
        } catch (IllegalArgumentException e) {
            error(ex, IotDataError.INVALID_REQUEST, e.getMessage());
            return;
        }
        Fault.Answer injected = topicFaults.get(topic);
        if (injected != null) {
            error(ex, injected);
            return;
        }
        try {
            destination.publish(p);
        } catch (IllegalArgumentException e) {
            error(ex, IotDataError.INVALID_REQUEST, e.getMessage());
            return;
        } catch (Destination.Unavailable e) {
            error(ex, IotDataError.SERVICE_UNAVAILABLE, e.getMessage());
            return;
        }
        listener.accept(p);
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
            topic = Wire.percentDecode(ex.getRequestURI().getRawPath().substring(RETAINED.length()));
        } catch (IllegalArgumentException e) {
            error(ex, IotDataError.INVALID_REQUEST, "bad percent-encoding in the topic");
            return;
        }
        String problem = Wire.validateTopic(topic);
        if (problem != null) {
            error(ex, IotDataError.INVALID_REQUEST, problem);
            return;
        }
        Optional<Destination.RetainedMessage> found = destination.retained(topic);
        if (found.isEmpty()) {
            error(ex, IotDataError.NOT_FOUND, "no retained message on " + topic);
            return;
        }
        Destination.RetainedMessage m = found.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", m.topic());
        body.put("payload", Base64.getEncoder().encodeToString(m.payload()));
        body.put("qos", m.qos());
        body.put("lastModifiedTime", m.lastModifiedMillis());
        if (!m.userProperties().isEmpty()) body.put("userProperties", Wire.encodeUserProperties(m.userProperties()));
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void error(HttpExchange ex, Fault.Answer a) throws IOException {
        error(ex, a.error(), a.message());
    }

    private static void error(HttpExchange ex, IotDataError error, String message) throws IOException {
        byte[] body = JSON.writeValueAsBytes(Map.of("message", message));
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("x-amzn-ErrorType", error.type());
        ex.sendResponseHeaders(error.status(), body.length);
        ex.getResponseBody().write(body);
    }

    private static byte[] readBody(HttpExchange ex) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ex.getRequestBody().transferTo(out);
        return out.toByteArray();
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
    }
}
