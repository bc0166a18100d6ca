package dev.iotbridge.local.iotdata;

import dev.iotbridge.local.Counters;
import dev.iotbridge.local.LocalBridgeStack;
import dev.iotbridge.local.broker.EmbeddedBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The iot-data endpoint over HTTPS with the generated CA, and its count of client connections. */
class IotDataTlsTest {
    static EmbeddedBroker broker;
    static IotDataEndpoint endpoint;
    static LocalCa ca;

    @BeforeAll
    static void start() throws Exception {
        Path work = Path.of("target", "test-work", "iot-data-tls").toAbsolutePath();
        Files.createDirectories(work);
        broker = new EmbeddedBroker("tls-test", LocalBridgeStack.freePort(), work.resolve("broker"));
        broker.start(java.time.Duration.ofSeconds(120));
        ca = LocalCa.create(work.resolve("tls"));
        endpoint = new IotDataEndpoint(LocalBridgeStack.freePort(), broker.port(), new Counters());
        endpoint.useTls(ca.serverContext());
        endpoint.start();
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) endpoint.close();
        if (broker != null) broker.close();
    }

    private static HttpClient client(SSLContext tls) {
        return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(20)).build();
    }

    private static SSLContext trusting(Path trustStore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            ks.load(in, null);   // as the JDK reads javax.net.ssl.trustStore given without a password
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static HttpRequest publish(String topic) {
        return HttpRequest.newBuilder(URI.create(endpoint.url() + "/topics/" + topic + "?qos=0"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    }

    @Test
    void servesHttpsTrustedThroughTheGeneratedCa() throws Exception {
        assertTrue(endpoint.url().startsWith("https://127.0.0.1:"), endpoint.url());
        assertTrue(Files.readString(ca.caPem()).contains("BEGIN CERTIFICATE"));
        HttpClient c = client(trusting(ca.trustStore()));
        long before = endpoint.connections();
        long t0 = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = c.send(publish("tls/test/" + i), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
        // one client, sequential requests: one kept-alive connection
        assertEquals(1, endpoint.connections() - before);
        assertEquals(1, endpoint.connectionsSince(t0));
        HttpResponse<String> r = client(trusting(ca.trustStore())).send(publish("tls/test/other"), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(2, endpoint.connections() - before, "a second client opens a second connection");
    }

    @Test
    void aClientWithoutTheCaIsRefused() {
        assertThrows(SSLHandshakeException.class, () -> client(SSLContext.getDefault()).send(publish("tls/test/x"), HttpResponse.BodyHandlers.ofString()));
    }
}
