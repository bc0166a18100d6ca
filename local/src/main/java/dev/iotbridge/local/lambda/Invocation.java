package dev.iotbridge.local.lambda;

import java.util.concurrent.CompletableFuture;

/** One invocation of the function through the Runtime API. */
public final class Invocation {

    /** The function answered with an error (POST …/error or /init/error), or the runtime died. */
    public static final class InvocationError extends RuntimeException {
        private final String errorType;
        private final String body;

        public InvocationError(String errorType, String body) {
            super(errorType + ": " + body);
            this.errorType = errorType;
            this.body = body;
        }

        public String errorType() { return errorType; }
        public String body() { return body; }
    }

    final String requestId;
    final byte[] event;
    /** The function timeout: Lambda starts this clock when the runtime receives the event (after any cold start). */
    final long timeoutMs;
    final String traceId;
    final CompletableFuture<byte[]> result = new CompletableFuture<>();
    /** System.nanoTime() when a runtime took it (GET …/next), 0 while it waits for one. */
    volatile long takenNanos;

    Invocation(String requestId, byte[] event, long deadlineMs, String traceId) {
        this.requestId = requestId;
        this.event = event;
        this.timeoutMs = Math.max(1, deadlineMs - System.currentTimeMillis());
        this.traceId = traceId;
    }

    /**
     * The Lambda-Runtime-Deadline-Ms of a delivery now. Computed when the runtime takes the
     * event (GET …/next), not when it was queued: an invocation that waited for a cold start
     * (e.g. a restart after a crash) still gets its whole timeout, as on Lambda, where init has
     * its own budget. Found by the chaos suite: with the deadline fixed at queueing time, records
     * of the first batch after every restart ran out of time (DEADLINE_EXCEEDED) and were retried.
     */
    long deadlineFromNow() { return System.currentTimeMillis() + timeoutMs; }

    public String requestId() { return requestId; }
    /** The event (the SQSEvent JSON the runtime receives). */
    public byte[] event() { return event; }
    /** System.nanoTime() when a runtime took it, 0 while it waits for one. */
    public long takenNanos() { return takenNanos; }
    public CompletableFuture<byte[]> result() { return result; }
}
