package dev.iotbridge.function.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeepAliveConnectionsTest {
    private String saved;
    private String savedIdle;

    @BeforeEach
    void save() {
        saved = System.getProperty(KeepAliveConnections.PROPERTY);
        savedIdle = System.getProperty(KeepAliveConnections.IDLE_PROPERTY);
        System.clearProperty(KeepAliveConnections.PROPERTY);
        System.clearProperty(KeepAliveConnections.IDLE_PROPERTY);
    }

    @AfterEach
    void restore() {
        restore(KeepAliveConnections.PROPERTY, saved);
        restore(KeepAliveConnections.IDLE_PROPERTY, savedIdle);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void idleConnectionsAreKeptAMinuteLikeTheSdksOtherClients() {
        KeepAliveConnections.sizeFor(10);
        assertEquals("60", System.getProperty(KeepAliveConnections.IDLE_PROPERTY));
    }

    @Test
    void anExplicitIdleTimeIsKept() {
        System.setProperty(KeepAliveConnections.IDLE_PROPERTY, "7");
        KeepAliveConnections.sizeFor(10);
        assertEquals("7", System.getProperty(KeepAliveConnections.IDLE_PROPERTY));
    }

    @Test
    void sizedToTheConcurrency() {
        KeepAliveConnections.sizeFor(100);
        assertEquals("100", System.getProperty(KeepAliveConnections.PROPERTY));
    }

    @Test
    void neverBelowTheJdkDefault() {
        KeepAliveConnections.sizeFor(2);
        assertEquals("5", System.getProperty(KeepAliveConnections.PROPERTY));
    }

    @Test
    void anExplicitValueIsKept() {
        System.setProperty(KeepAliveConnections.PROPERTY, "3");
        KeepAliveConnections.sizeFor(10);
        assertEquals("3", System.getProperty(KeepAliveConnections.PROPERTY));
    }

    /**
     * The native build bakes the JDK's keep-alive idle time in at image build time
     * (application.properties, quarkus.native.additional-build-args): it must be the time the JVM
     * build sets at run time.
     */
    @Test
    void theNativeBuildKeepsIdleConnectionsAsLong() throws IOException {
        Properties app = new Properties();
        try (InputStream in = KeepAliveConnectionsTest.class.getResourceAsStream("/application.properties")) {
            assertNotNull(in, "application.properties on the class path");
            app.load(in);
        }
        List<String> buildArgs = Arrays.asList(app.getProperty("quarkus.native.additional-build-args", "").split(","));
        String expected = "-D" + KeepAliveConnections.IDLE_PROPERTY + "=" + KeepAliveConnections.IDLE_SECONDS;
        assertTrue(buildArgs.contains(expected), "native build args " + buildArgs + " lack " + expected);
    }
}
