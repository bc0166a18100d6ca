package dev.iotbridge.iotdata;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wire format over real HTTP: what a request decodes to, and the service's answer to each wrong one. */
class IotDataServerTest {
    static final Recorder recorder = new Recorder();
    static final HttpClient http = HttpClient.newHttpClient();
    static IotDataServer server;

    @BeforeAll
    static void start() throws IOException {
        server = new IotDataServer(0, recorder);
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void reset() {
        server.reset();
        server.setAllowedTopicFilters(null);
        recorder.clear();
    }

    static HttpResponse<String> post(String pathAndQuery, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String pathAndQuery) throws Exception {
        return post(pathAndQuery, new byte[] { 1 });
    }

    static void assertError(int status, String type, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(type, r.headers().firstValue("x-amzn-ErrorType").orElse(null));
        assertTrue(r.body().startsWith("{\"message\":"), r.body());
    }

    @Test
    void aPublishDecodesTopicQosRetainPayloadAndEveryMqtt5Property() throws Exception {
        String userProperties = Base64.getEncoder().encodeToString(
                "[{\"a\":\"1\"},{\"a\":\"2\"},{\"b\":\"x y\"}]".getBytes(StandardCharsets.UTF_8));
        byte[] payload = { 0, (byte) 0xff, 42 };
        HttpResponse<String> r = post("/topics/a%2Fb%20c%2F%C3%BC?qos=1&retain=true&contentType=text%2Fplain;+charset=utf-8"
                        + "&responseTopic=re%2Fply&messageExpiry=60", payload,
                "x-amz-mqtt5-user-properties", userProperties,
                "x-amz-mqtt5-payload-format-indicator", "UTF8_DATA",
                "x-amz-mqtt5-correlation-data", "cmVxLTQy");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{}", r.body());
        Publish p = recorder.published().get(0);
        assertEquals("a/b c/ü", p.topic());
        assertEquals(1, p.qos());
        assertTrue(p.retain());
        assertArrayEquals(payload, p.payload());
        assertEquals("text/plain; charset=utf-8", p.properties().contentType(), "a '+' in the query is a space");
        assertEquals("re/ply", p.properties().responseTopic());
        assertEquals(60L, p.properties().messageExpirySeconds());
        assertEquals(Publish.PayloadFormat.UTF8_DATA, p.properties().payloadFormat());
        assertArrayEquals("req-42".getBytes(StandardCharsets.UTF_8), p.properties().correlationData());
        assertEquals(List.of(Map.entry("a", "1"), Map.entry("a", "2"), Map.entry("b", "x y")), p.properties().userProperties());
        assertEquals("1", p.query().get("qos"));
        assertEquals("cmVxLTQy", p.header("X-Amz-Mqtt5-Correlation-Data"));
    }

    @Test
    void withoutParametersAPublishIsQos0NotRetainedWithoutProperties() throws Exception {
        assertEquals(200, post("/topics/t").statusCode());
        Publish p = recorder.published().get(0);
        assertEquals(0, p.qos());
        assertEquals(false, p.retain());
        assertNull(p.properties().contentType());
        assertNull(p.properties().payloadFormat());
        assertNull(p.properties().correlationData());
        assertEquals(List.of(), p.properties().userProperties());
    }

    @Test
    void wrongRequestsGetTheServicesAnswersAndAreNotPublished() throws Exception {
        assertError(400, "InvalidRequestException", post("/topics/a/%2B/c"));
        assertError(400, "InvalidRequestException", post("/topics/a/1/2/3/4/5/6/7/8"));
        assertError(400, "InvalidRequestException", post("/topics/" + "x".repeat(257)));
        assertError(400, "InvalidRequestException", post("/topics/t?qos=2"));
        assertError(400, "InvalidRequestException", post("/topics/t?retain=yes"));
        assertError(400, "InvalidRequestException", post("/topics/t?messageExpiry=soon"));
        assertError(400, "InvalidRequestException", post("/topics/t", new byte[0], "x-amz-mqtt5-payload-format-indicator", "TEXT"));
        assertError(400, "InvalidRequestException", post("/topics/t", new byte[0], "x-amz-mqtt5-correlation-data", "not base64!"));
        assertError(400, "InvalidRequestException", post("/topics/t", new byte[0], "x-amz-mqtt5-user-properties",
                Base64.getEncoder().encodeToString("{\"a\":\"1\"}".getBytes(StandardCharsets.UTF_8))));
        assertError(400, "InvalidRequestException", post("/topics/t", new byte[0], "x-amz-mqtt5-user-properties",
                Base64.getEncoder().encodeToString("[{\"a\":1}]".getBytes(StandardCharsets.UTF_8))));
        assertError(413, "RequestEntityTooLargeException", post("/topics/t", new byte[128 * 1024 + 1]));
        assertError(404, "ResourceNotFoundException", post("/things/t"));
        assertError(405, "MethodNotAllowedException", http.send(HttpRequest.newBuilder(URI.create(server.url() + "/topics/t"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(List.of(), recorder.published());
        assertEquals(13, server.requests());
    }

    @Test
    void aTopicOutsideTheAllowedFiltersIsForbidden() throws Exception {
        server.setAllowedTopicFilters(List.of("acct-a/#", "STATUS/+/state"));
        assertEquals(200, post("/topics/acct-a/v1/x").statusCode());
        assertEquals(200, post("/topics/STATUS/d1/state").statusCode());
        assertError(403, "ForbiddenException", post("/topics/STATUS/d1/other"));
        assertEquals(2, recorder.published().size());
    }

    @Test
    void perTopicFailuresAnswerTheServicesErrorForTheirStatusUntilReset() throws Exception {
        server.throttle("hot");
        server.failWith("down", 503);
        server.failWith("denied", 401);
        assertError(429, "ThrottlingException", post("/topics/hot"));
        assertError(503, "ServiceUnavailableException", post("/topics/down"));
        assertError(401, "UnauthorizedException", post("/topics/denied"));
        assertEquals(200, post("/topics/cold").statusCode());
        assertThrows(IllegalArgumentException.class, () -> server.failWith("t", 418));
        server.reset();
        assertEquals(200, post("/topics/hot").statusCode());
        assertEquals(List.of("cold", "hot"), recorder.published().stream().map(Publish::topic).toList());
    }

    @Test
    void getRetainedMessageAnswersTheDestinationsMessageOr404() throws Exception {
        Destination.RetainedMessage m = new Destination.RetainedMessage("r/t", new byte[] { 7 }, 1, 1234L,
                List.of(Map.entry("k", "v")));
        try (IotDataServer s = new IotDataServer(0, new Destination() {
            @Override public void publish(Publish p) { }
            @Override public Optional<RetainedMessage> retained(String topic) {
                return topic.equals("r/t") ? Optional.of(m) : Optional.empty();
            }
        })) {
            s.start();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/retainedMessage/r%2Ft")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            String ups = Base64.getEncoder().encodeToString("[{\"k\":\"v\"}]".getBytes(StandardCharsets.UTF_8));
            assertEquals("{\"topic\":\"r/t\",\"payload\":\"Bw==\",\"qos\":1,\"lastModifiedTime\":1234,\"userProperties\":\"" + ups + "\"}",
                    r.body());
            assertError(404, "ResourceNotFoundException", http.send(HttpRequest.newBuilder(URI.create(s.url() + "/retainedMessage/other"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void aDestinationThatDoesNotTakeTheMessageIs503AndAnInjectedFaultIsAnswered() throws Exception {
        try (IotDataServer s = new IotDataServer(0, new Destination() {
            @Override public void publish(Publish p) throws Unavailable {
                throw new Unavailable("broker down", null);
            }
            @Override public Optional<RetainedMessage> retained(String topic) { return Optional.empty(); }
        }) {
            @Override protected Fault injectFault() {
                return new Fault.Answer(IotDataError.INTERNAL_FAILURE, "injected");
            }
        }) {
            s.start();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/topics/t"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertError(500, "InternalFailureException", r);
        }
        try (IotDataServer s = new IotDataServer(0, new Destination() {
            @Override public void publish(Publish p) throws Unavailable {
                throw new Unavailable("broker down", null);
            }
            @Override public Optional<RetainedMessage> retained(String topic) { return Optional.empty(); }
        })) {
            s.start();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/topics/t"))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertError(503, "ServiceUnavailableException", r);
            assertTrue(r.body().contains("broker down"), r.body());
        }
    }
}
