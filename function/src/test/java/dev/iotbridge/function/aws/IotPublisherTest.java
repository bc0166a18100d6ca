package dev.iotbridge.function.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.iotbridge.function.config.BridgeSettings;
import dev.iotbridge.function.config.TestConfig;
import dev.iotbridge.function.domain.BridgeException;
import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.ErrorCode;
import dev.iotbridge.function.domain.PublishCommand;
import dev.iotbridge.iotdata.IotDataServer;
import dev.iotbridge.iotdata.Publish;
import dev.iotbridge.iotdata.Recorder;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/** The real SDK client against a local HTTP endpoint: request encoding and error classification end to end. */
class IotPublisherTest {
    static final Recorder recorder = new Recorder();
    static IotDataServer iot;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("aws.region", "us-east-1");
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        iot = new IotDataServer(0, recorder);
        iot.start();
    }

    @AfterAll
    static void stop() {
        iot.close();
    }

    @BeforeEach
    void reset() {
        iot.reset();
        recorder.clear();
    }

    static IotPublisher publisher(String endpoint, String timeout, String attempts) {
        return new IotPublisher(settings(endpoint, timeout, attempts));
    }

    static BridgeSettings settings(String endpoint, String timeout, String attempts) {
        Map<String, String> v = new HashMap<>();
        v.put("routes", "[{\"name\":\"r\",\"source_filter\":\"#\"}]");
        v.put("iot-endpoint", endpoint);
        v.put("dlq-url", "http://127.0.0.1:1/000000000000/dlq");
        v.put("publish-timeout", timeout);
        v.put("publish-max-attempts", attempts);
        return TestConfig.settings(v);
    }

    static PublishCommand cmd(String topic) {
        return new PublishCommand(topic, 1, true, new byte[] { 0, (byte) 0xff }, "text/plain", "UTF8_DATA",
                "re/ply", "cmVxLTQy", "[{\"k\":\"v\"},{\"iot-bridge-hop\":\"r\"}]");
    }

    static ErrorCode failure(IotPublisher p, String topic) {
        return assertThrows(BridgeException.class, () -> p.publish(cmd(topic), Deadline.none())).code();
    }

    @Test
    void publishEncodesTopicQueryHeadersAndBodyAsTheIotDataApiDefines() throws Exception {
        publisher(iot.url(), "3s", "1").publish(cmd("a/b c/ü"), Deadline.none());
        Publish got = recorder.published().get(0);
        assertEquals("a/b c/ü", got.topic());
        assertEquals("1", got.query().get("qos"));
        assertEquals("true", got.query().get("retain"));
        assertEquals("text/plain", got.query().get("contentType"));
        assertEquals("re/ply", got.query().get("responseTopic"));
        assertEquals("UTF8_DATA", got.header("x-amz-mqtt5-payload-format-indicator"));
        assertEquals("cmVxLTQy", got.header("x-amz-mqtt5-correlation-data"));
        assertEquals("[{\"k\":\"v\"},{\"iot-bridge-hop\":\"r\"}]",
                new String(Base64.getDecoder().decode(got.header("x-amz-mqtt5-user-properties"))));
        assertArrayEquals(new byte[] { 0, (byte) 0xff }, got.payload());
    }

    @Test
    void primeRunsThePublishPathButSendsNothing() throws Exception {
        IotPublisher p = publisher(iot.url(), "3s", "3");
        for (int i = 0; i < 3; i++) {
            assertTrue(p.prime(cmd("prime/" + i)), "the dry run is stopped before sending");
        }
        assertEquals(0, iot.requests(), "a dry run must not reach iot-data");
        p.publish(cmd("after/prime"), Deadline.none());   // the same client still publishes for real
        assertEquals(1, iot.requests());
        assertEquals("after/prime", recorder.published().get(0).topic());
    }

    @Test
    void httpErrorsAreClassifiedFromRealSdkExceptions() {
        IotPublisher p = publisher(iot.url(), "3s", "1");
        Map<Integer, ErrorCode> expected = Map.of(400, ErrorCode.PUBLISH_REJECTED, 401, ErrorCode.PUBLISH_UNAUTHORIZED,
                403, ErrorCode.PUBLISH_FORBIDDEN, 413, ErrorCode.PAYLOAD_TOO_LARGE, 500, ErrorCode.PUBLISH_SERVER_ERROR,
                503, ErrorCode.PUBLISH_SERVER_ERROR);
        expected.forEach((status, code) -> {
            iot.failWith("s/" + status, status);
            assertEquals(code, failure(p, "s/" + status), "HTTP " + status);
        });
        iot.throttle("hot");
        assertEquals(ErrorCode.PUBLISH_THROTTLED, failure(p, "hot"));
    }

    @Test
    void slowEndpointIsAPublishTimeout() {
        iot.setLatency(Duration.ofMillis(1500));
        assertEquals(ErrorCode.PUBLISH_TIMEOUT, failure(publisher(iot.url(), "300ms", "1"), "slow"));
    }

    /**
     * The invocation deadline bounds the whole call (SDK retries included): a response that takes
     * longer than the time left is abandoned by the SDK itself, so the call returns at the
     * deadline instead of holding its thread in a socket read (which Future.cancel cannot stop).
     */
    @Test
    void aPublishGivesUpAtTheInvocationDeadline() {
        iot.setLatency(Duration.ofMillis(4000));
        IotPublisher p = publisher(iot.url(), "10s", "2");
        long start = System.nanoTime();
        BridgeException e = assertThrows(BridgeException.class,
                () -> p.publish(cmd("slow"), Deadline.in(Duration.ofMillis(500))));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorCode.PUBLISH_TIMEOUT, e.code());
        assertTrue(tookMs < 2_500, "returned " + tookMs + " ms after the call, deadline was 500 ms");
        assertEquals(1, iot.requests(), "no SDK retry past the deadline");
    }

    @Test
    void aPublishWithNoTimeLeftIsNotSent() {
        IotPublisher p = publisher(iot.url(), "3s", "1");
        assertEquals(ErrorCode.DEADLINE_EXCEEDED,
                assertThrows(BridgeException.class, () -> p.publish(cmd("late"), Deadline.in(Duration.ZERO))).code());
        assertEquals(0, iot.requests());
    }

    @Test
    void unreachableEndpointIsANetworkError() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertEquals(ErrorCode.PUBLISH_NETWORK_ERROR, failure(publisher("http://127.0.0.1:" + closed, "1s", "1"), "x"));
    }

    @Test
    void sdkRetriesUpToMaxAttemptsBeforeReportingThrottling() {
        iot.throttle("hot");
        IotPublisher p = publisher(iot.url(), "3s", "2");
        assertEquals(ErrorCode.PUBLISH_THROTTLED, failure(p, "hot"));
        assertEquals(2, iot.requests());
    }

    /**
     * The URL-connection client, aborted by the SDK while it writes a request, fails inside the
     * JDK with this NullPointerException (HttpURLConnection.disconnect() has set its connection to
     * null). The request was aborted because its attempt ran past BRIDGE_PUBLISH_TIMEOUT: a timeout,
     * retried by the SDK like any timed-out attempt, not an INTERNAL_ERROR.
     */
    @Test
    void aRequestAbortedAtItsAttemptTimeoutIsAPublishTimeoutWhateverTheHttpClientThenThrows() {
        FailingHttp http = new FailingHttp(true);
        BridgeException e = failure(http, "200ms", Deadline.none());
        assertEquals(ErrorCode.PUBLISH_TIMEOUT, e.code(), e.detail());
        assertTrue(e.detail().contains("ApiCallAttemptTimeoutException") && e.detail().contains("BRIDGE_PUBLISH_TIMEOUT"),
                e.detail());
        assertEquals(2, http.calls.get(), "the SDK retries a timed-out attempt");
    }

    /**
     * The same when the time left before the invocation deadline is what aborts the request (the
     * call's and the attempt's timeouts are then both that time: either timer may be first).
     */
    @Test
    void aRequestAbortedAtTheInvocationDeadlineIsAPublishTimeoutWhateverTheHttpClientThenThrows() {
        BridgeException e = failure(new FailingHttp(true), "10s", Deadline.in(Duration.ofMillis(300)));
        assertEquals(ErrorCode.PUBLISH_TIMEOUT, e.code(), e.detail());
    }

    /** The same exception from a request nobody aborted is a bug: INTERNAL_ERROR, not retried by the SDK. */
    @Test
    void theSameExceptionFromARequestNotAbortedStaysAnInternalError() {
        FailingHttp http = new FailingHttp(false);
        BridgeException e = failure(http, "3s", Deadline.none());
        assertEquals(ErrorCode.INTERNAL_ERROR, e.code(), e.detail());
        assertTrue(e.detail().contains("NullPointerException"), e.detail());
        assertEquals(1, http.calls.get());
    }

    /**
     * The real URL-connection client, aborted while it writes a request: iot-data accepts the
     * connection but never reads, and the request's headers (its user properties) are larger than
     * the socket buffers, so the header write blocks until the attempt timeout aborts it. The JDK
     * then fails with the NullPointerException above or, when the writing thread looks before the
     * aborting one has cleared the connection, with an I/O error: a timeout either way.
     */
    @Test
    void aRequestStillBeingWrittenWhenItsAttemptTimesOutIsAPublishTimeout() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket()) {
            silent.setReceiveBufferSize(4096);
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            // 8 MiB of JSON, sent base64-encoded in one header: more than loopback's socket buffers hold
            String properties = "[{\"k\":\"" + "v".repeat(8 << 20) + "\"}]";
            PublishCommand big = new PublishCommand("t", 1, false, new byte[] { 1 }, null, null, null, null, properties);
            IotPublisher p = publisher("http://127.0.0.1:" + silent.getLocalPort(), "300ms", "1");
            BridgeException e = assertThrows(BridgeException.class, () -> p.publish(big, Deadline.in(Duration.ofSeconds(10))));
            assertEquals(ErrorCode.PUBLISH_TIMEOUT, e.code(), e.detail());
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** How a publish through {@code http} fails, with BRIDGE_PUBLISH_MAX_ATTEMPTS 2. */
    static BridgeException failure(FailingHttp http, String publishTimeout, Deadline deadline) {
        IotPublisher p = new IotPublisher(settings(iot.url(), publishTimeout, "2"), http);
        return assertThrows(BridgeException.class, () -> p.publish(cmd("t"), deadline));
    }

    /**
     * Throws the JDK's NullPointerException of an aborted HttpURLConnection: at once, or (the real
     * case) only once the SDK has aborted the request, ignoring the SDK's interrupt meanwhile as a
     * blocked socket write does.
     */
    static final class FailingHttp implements SdkHttpClient {
        final boolean untilAborted;
        final AtomicInteger calls = new AtomicInteger();

        FailingHttp(boolean untilAborted) {
            this.untilAborted = untilAborted;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            CountDownLatch aborted = new CountDownLatch(1);
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    calls.incrementAndGet();
                    if (untilAborted) {
                        awaitIgnoringInterrupts(aborted);
                    }
                    throw new NullPointerException(
                            "Cannot invoke \"sun.net.www.http.HttpClient.getProxyHostUsed()\" because \"this.http\" is null");
                }

                @Override
                public void abort() {
                    aborted.countDown();
                }
            };
        }

        private static void awaitIgnoringInterrupts(CountDownLatch aborted) {
            boolean interrupted = false;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (aborted.getCount() > 0) {
                if (System.nanoTime() - until > 0) {
                    throw new AssertionError("the SDK never aborted the request");
                }
                try {
                    aborted.await(until - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
        }
    }
}
