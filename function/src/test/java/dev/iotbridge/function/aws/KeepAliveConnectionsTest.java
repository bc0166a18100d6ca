package dev.iotbridge.function.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeepAliveConnectionsTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(KeepAliveConnections.PROPERTY);
        System.clearProperty(KeepAliveConnections.PROPERTY);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(KeepAliveConnections.PROPERTY);
        } else {
            System.setProperty(KeepAliveConnections.PROPERTY, saved);
        }
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
