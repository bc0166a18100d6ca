package dev.iotbridge.function.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
