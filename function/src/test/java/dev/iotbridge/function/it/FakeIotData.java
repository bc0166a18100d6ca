package dev.iotbridge.function.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for the iot-data endpoint: {@code POST /topics/{topic}} as the SDK sends it.
 * Records every request (decoded topic, query parameters, MQTT 5 headers, body bytes),
 * measures the peak number of requests in flight, and can delay every answer or answer
 * 429 ThrottlingException for chosen topics.
 */
public final class FakeIotData implements AutoCloseable {

    public record Publish(String topic, Map<String, String> query, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(32);
    private final List<Publish> received = new CopyOnWriteArrayList<>();
    private final Set<String> throttled = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile long latencyMillis;

    public FakeIotData() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void reset() {
        received.clear();
        throttled.clear();
        failures.clear();
        peak.set(0);
        requests.set(0);
        latencyMillis = 0;
    }

    public void throttle(String topic) {
        throttled.add(topic);
    }

    /** Answer {@code status} (with a JSON error body) for publishes on {@code topic}. */
    public void failWith(String topic, int status) {
        failures.put(topic, status);
    }

    public void latency(long millis) {
        latencyMillis = millis;
    }

    public List<Publish> received() {
        return new ArrayList<>(received);
    }

    /** Every request answered, including throttled and failed ones. */
    public int requests() {
        return requests.get();
    }

    /** Requests being handled right now (the server side: a client that gave up does not end them). */
    public int inFlight() {
        return inFlight.get();
    }

    public int peakInFlight() {
        return peak.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        int now = inFlight.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
        try {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = ex.getRequestURI().getPath(); // percent-decoded
            if (!"POST".equals(ex.getRequestMethod()) || !path.startsWith("/topics/")) {
                respond(ex, 404, "{\"message\":\"not found\"}", null);
                return;
            }
            String topic = path.substring("/topics/".length());
            Map<String, String> headers = new HashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            if (latencyMillis > 0) {
                Thread.sleep(latencyMillis);
            }
            if (throttled.contains(topic)) {
                respond(ex, 429, "{\"message\":\"Rate exceeded\"}", "ThrottlingException");
                return;
            }
            Integer status = failures.get(topic);
            if (status != null) {
                respond(ex, status, "{\"message\":\"injected " + status + "\"}",
                        status >= 500 ? "InternalFailureException" : status == 413 ? "RequestEntityTooLargeException"
                                : status == 403 || status == 401 ? "UnauthorizedException" : "InvalidRequestException");
                return;
            }
            received.add(new Publish(topic, query(ex.getRequestURI().getRawQuery()), headers, body));
            respond(ex, 200, "", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(ex, 500, "{\"message\":\"interrupted\"}", "InternalFailureException");
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            q.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return q;
    }

    private static void respond(HttpExchange ex, int status, String body, String errorType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (errorType != null) {
            ex.getResponseHeaders().add("x-amzn-ErrorType", errorType);
        }
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
