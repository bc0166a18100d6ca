package dev.iotbridge.function.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.net.ServerSocket;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.iotbridge.function.config.TestConfig;
import dev.iotbridge.function.domain.BridgeException;
import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.ErrorCode;
import dev.iotbridge.function.domain.PublishCommand;
import dev.iotbridge.iotdata.IotDataServer;
import dev.iotbridge.iotdata.Publish;
import dev.iotbridge.iotdata.Recorder;

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
        Map<String, String> v = new HashMap<>();
        v.put("routes", "[{\"name\":\"r\",\"source_filter\":\"#\"}]");
        v.put("iot-endpoint", endpoint);
        v.put("dlq-url", "http://127.0.0.1:1/000000000000/dlq");
        v.put("publish-timeout", timeout);
        v.put("publish-max-attempts", attempts);
        return new IotPublisher(TestConfig.settings(v));
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
}
