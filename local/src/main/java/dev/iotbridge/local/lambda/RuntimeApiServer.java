package dev.iotbridge.local.lambda;

import dev.iotbridge.iotdata.LoopbackHttpServer;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * The Lambda Runtime API (2018-06-01) for one function instance, on 127.0.0.1:port:
 * {@code GET /runtime/invocation/next} (blocks until there is an invocation),
 * {@code POST /runtime/invocation/{id}/response}, {@code POST /runtime/invocation/{id}/error},
 * {@code POST /runtime/init/error}.
 */
public final class RuntimeApiServer implements AutoCloseable {

    private static final String PREFIX = "/2018-06-01/runtime/";

    /** Called when the runtime first asks for work (init done) and when it reports an init error. */
    public interface Listener {
        void onNext();
        void onInitError(String errorType, String body);
    }

    private final int port;
    private final String functionArn;
    private final BlockingDeque<Invocation> pending = new LinkedBlockingDeque<>();
    /** Bumped for every new runtime process: long polls of an older (dead) process get nothing. */
    private volatile long generation;
    private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
    /** Invocations the current runtime process answered (reset by {@link #newGeneration()}). */
    private final java.util.concurrent.atomic.AtomicLong answeredThisGeneration = new java.util.concurrent.atomic.AtomicLong();
    /** Durations (taken → answered, nanoseconds) of the last answered invocations, newest last. */
    private final java.util.Deque<Long> recentDurations = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile Listener listener;
    private volatile boolean running;
    private HttpServer server;

    public RuntimeApiServer(int port, String functionArn) {
        this.port = port;
        this.functionArn = functionArn;
    }

    public void setListener(Listener l) { listener = l; }

    /**
     * Starts a new runtime generation (call before starting a new process): pending GET …/next
     * requests of the previous process, whose connections may still look open, are answered with
     * an error instead of being handed an invocation that nobody would process.
     */
    public void newGeneration() {
        generation++;
        answeredThisGeneration.set(0);
    }

    /** Invocations the current runtime process has answered (0 right after a (re)start). */
    public long answeredThisGeneration() { return answeredThisGeneration.get(); }

    /** Median duration of the last (up to 32) answered invocations, from the runtime taking the event to its answer; 0 if none. */
    public long medianInvocationNanos() {
        List<Long> d = new java.util.ArrayList<>(recentDurations);
        if (d.isEmpty()) return 0;
        java.util.Collections.sort(d);
        return d.get(d.size() / 2);
    }

    public int port() { return port; }

    /** Invocations handed to the runtime and not answered yet (chaos: kill only mid-batch). */
    public int inFlightCount() { return inFlight.size(); }

    /** The invocations handed to the runtime and not answered yet. */
    public List<Invocation> inFlight() { return List.copyOf(inFlight.values()); }

    public String address() { return "127.0.0.1:" + port; }

    public void start() throws IOException {
        server = LoopbackHttpServer.create(port, 64);
        server.createContext("/", this::handle);
        running = true;
        server.start();
    }

    /** Queues an invocation; the function picks it up with its next GET …/next. */
    public void submit(Invocation inv) {
        pending.add(inv);
    }

    /** Fails every queued and in-flight invocation (the runtime died or was killed). */
    public void failAll(String errorType, String message) {
        Invocation inv;
        while ((inv = pending.poll()) != null) {
            inv.result.completeExceptionally(new Invocation.InvocationError(errorType, message));
        }
        for (Invocation i : inFlight.values()) {
            i.result.completeExceptionally(new Invocation.InvocationError(errorType, message));
        }
        inFlight.clear();
    }

    /** Fails only the in-flight invocations (they were handed to a runtime that is gone). */
    public void failInFlight(String errorType, String message) {
        for (Invocation i : inFlight.values()) {
            i.result.completeExceptionally(new Invocation.InvocationError(errorType, message));
        }
        inFlight.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!path.startsWith(PREFIX)) {
                reply(ex, 404, "{\"errorMessage\":\"unknown path\"}");
                return;
            }
            String rest = path.substring(PREFIX.length());
            String method = ex.getRequestMethod();
            if (method.equals("GET") && rest.equals("invocation/next")) {
                next(ex);
            } else if (method.equals("POST") && rest.equals("init/error")) {
                byte[] body = ex.getRequestBody().readAllBytes();
                Listener l = listener;
                String type = ex.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
                if (l != null) l.onInitError(type == null ? "Runtime.InitError" : type, new String(body, StandardCharsets.UTF_8));
                reply(ex, 202, "{\"status\":\"OK\"}");
            } else if (method.equals("POST") && rest.startsWith("invocation/")) {
                String[] parts = rest.split("/");
                if (parts.length != 3 || !(parts[2].equals("response") || parts[2].equals("error"))) {
                    reply(ex, 404, "{\"errorMessage\":\"unknown path\"}");
                    return;
                }
                byte[] body = ex.getRequestBody().readAllBytes();
                Invocation inv = inFlight.remove(parts[1]);
                if (inv == null) {
                    reply(ex, 400, "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
                if (inv.takenNanos != 0) {
                    recentDurations.addLast(System.nanoTime() - inv.takenNanos);
                    while (recentDurations.size() > 32) recentDurations.pollFirst();
                }
                answeredThisGeneration.incrementAndGet();
                if (parts[2].equals("response")) {
                    inv.result.complete(body);
                } else {
                    String type = ex.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
                    inv.result.completeExceptionally(new Invocation.InvocationError(
                            type == null ? "Unhandled" : type, new String(body, StandardCharsets.UTF_8)));
                }
                reply(ex, 202, "{\"status\":\"OK\"}");
            } else {
                reply(ex, 404, "{\"errorMessage\":\"unknown path\"}");
            }
        }
    }

    private void next(HttpExchange ex) throws IOException {
        Listener l = listener;
        if (l != null) l.onNext();
        long gen = generation;
        Invocation inv = null;
        try {
            while (running && inv == null && gen == generation) {
                inv = pending.poll(200, TimeUnit.MILLISECONDS);
                if (inv != null && inv.result.isDone()) inv = null;   // already failed/abandoned
                if (inv != null && gen != generation) {
                    pending.offerFirst(inv);   // for the new process
                    inv = null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (inv == null) {
            reply(ex, 500, "{\"errorMessage\":\"runtime API shutting down or runtime replaced\"}");
            return;
        }
        inFlight.put(inv.requestId, inv);
        inv.takenNanos = System.nanoTime();
        var h = ex.getResponseHeaders();
        h.set("Content-Type", "application/json");
        h.set("Lambda-Runtime-Aws-Request-Id", inv.requestId);
        h.set("Lambda-Runtime-Deadline-Ms", Long.toString(inv.deadlineFromNow()));
        h.set("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        h.set("Lambda-Runtime-Trace-Id", inv.traceId);
        try {
            ex.sendResponseHeaders(200, inv.event.length);
            ex.getResponseBody().write(inv.event);
        } catch (IOException e) {
            // the runtime went away while we answered: give the invocation back
            inFlight.remove(inv.requestId);
            inv.takenNanos = 0;
            pending.offerFirst(inv);
            throw e;
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        running = false;
        failAll("Runtime.Shutdown", "runtime API closed");
        LoopbackHttpServer.stop(server);
        server = null;
    }
}
