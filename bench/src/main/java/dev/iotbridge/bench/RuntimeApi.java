package dev.iotbridge.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

/**
 * An instrumented Lambda Runtime API (the subset a runtime interface client uses:
 * {@code /2018-06-01/runtime/invocation/next}, {@code /invocation/{id}/response},
 * {@code /invocation/{id}/error}, {@code /init/error}) for one function instance.
 *
 * <p>It records when the runtime first asks for work ({@link #firstNextNanos()}: Lambda's
 * "init duration" ends there) and hands out one invocation at a time, like one Lambda
 * execution environment.
 */
final class RuntimeApi implements AutoCloseable {
    private static final String PREFIX = "/2018-06-01/runtime/";

    /** One invocation: its event and the future completed by /response or /error. */
    record Invocation(String requestId, byte[] event, CompletableFuture<Result> result) {}

    /** What the runtime answered. */
    record Result(boolean error, String body, long doneNanos) {}

    private final HttpServer server;
    private final LinkedBlockingDeque<Invocation> pending = new LinkedBlockingDeque<>();
    private final AtomicInteger generation = new AtomicInteger();
    private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
    private volatile long firstNextNanos;
    private volatile String initError;

    RuntimeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(PREFIX, this::handle);
        server.start();
    }

    /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    long firstNextNanos() {
        return firstNextNanos;
    }

    String initError() {
        return initError;
    }

    /** Resets the per-process markers before a fresh process is started. */
    void resetForNewProcess() {
        generation.incrementAndGet();
        firstNextNanos = 0;
        initError = null;
        pending.clear();
        inFlight.values().forEach(i -> i.result().completeExceptionally(new IllegalStateException("process replaced")));
        inFlight.clear();
    }

    /** Queues an invocation; the returned future completes when the runtime answers. */
    Invocation invoke(byte[] event) {
        Invocation inv = new Invocation(UUID.randomUUID().toString(), event, new CompletableFuture<>());
        pending.add(inv);
        return inv;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath().substring(PREFIX.length());
            byte[] body = ex.getRequestBody().readAllBytes();
            long now = System.nanoTime();
            if (path.equals("invocation/next") && ex.getRequestMethod().equals("GET")) {
                if (firstNextNanos == 0) {
                    firstNextNanos = now;
                }
                int gen = generation.get();
                Invocation inv = null;
                while (inv == null) {
                    try {
                        inv = pending.poll(200, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (gen != generation.get()) { // a /next left over from a killed process
                        if (inv != null) {
                            pending.addFirst(inv);
                        }
                        return;
                    }
                }
                inFlight.put(inv.requestId(), inv);
                var h = ex.getResponseHeaders();
                h.add("Content-Type", "application/json");
                h.add("Lambda-Runtime-Aws-Request-Id", inv.requestId());
                h.add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
                h.add("Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:us-east-1:000000000000:function:bench");
                h.add("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
                send(ex, 200, inv.event());
            } else if (path.startsWith("invocation/") && ex.getRequestMethod().equals("POST")) {
                String[] parts = path.split("/");
                Invocation inv = parts.length == 3 ? inFlight.remove(parts[1]) : null;
                if (inv == null) {
                    send(ex, 400, "{\"errorMessage\":\"unknown request id\"}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                send(ex, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
                inv.result().complete(new Result(parts[2].equals("error"),
                        new String(body, StandardCharsets.UTF_8), now));
            } else if (path.equals("init/error")) {
                initError = new String(body, StandardCharsets.UTF_8);
                send(ex, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
            } else {
                send(ex, 404, "{\"errorMessage\":\"not found\"}".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
