package dev.iotbridge.local.lambda;

import dev.iotbridge.local.LocalBridgeStack;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Found by the chaos suite (scenario 3): the Lambda-Runtime-Deadline-Ms of an
 * invocation that waited for a cold start (a restart after SIGKILL) was counted from the moment
 * it was queued, so the first batch after every restart had almost no time left and its records
 * were retried with DEADLINE_EXCEEDED. On Lambda the invocation's clock starts when the runtime
 * receives the event; init has its own budget.
 */
class InvocationDeadlineTest {

    @Test
    void theDeadlineCountsFromDeliveryNotFromQueueing() throws Exception {
        int port = LocalBridgeStack.freePort();
        try (RuntimeApiServer api = new RuntimeApiServer(port, "arn:aws:lambda:eu-west-1:000000000000:function:f")) {
            api.start();
            long timeoutMs = 2_000;
            api.submit(new Invocation("req-1", "{}".getBytes(), System.currentTimeMillis() + timeoutMs, "Root=1-0-0"));
            Thread.sleep(1_500);   // the runtime is still starting (cold start after a crash)
            long asked = System.currentTimeMillis();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/2018-06-01/runtime/invocation/next")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            long deadline = Long.parseLong(r.headers().firstValue("Lambda-Runtime-Deadline-Ms").orElseThrow());
            assertTrue(deadline - asked >= timeoutMs - 100,
                    "the function got only " + (deadline - asked) + " ms of its " + timeoutMs + " ms timeout");
        }
    }
}
