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
    final long deadlineMs;
    final String traceId;
    final CompletableFuture<byte[]> result = new CompletableFuture<>();

    Invocation(String requestId, byte[] event, long deadlineMs, String traceId) {
        this.requestId = requestId;
        this.event = event;
        this.deadlineMs = deadlineMs;
        this.traceId = traceId;
    }

    public String requestId() { return requestId; }
    public CompletableFuture<byte[]> result() { return result; }
}
