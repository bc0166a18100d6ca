package dev.iotbridge.function.aws;

/**
 * How many idle keep-alive connections per host the URL-connection HTTP client may keep.
 *
 * <p>That client pools connections in the JDK's keep-alive cache, which holds at most
 * {@code http.maxConnections} idle connections per destination (JDK default 5). With more
 * publishes in flight than that (BRIDGE_MAX_CONCURRENCY, default 10), each batch ends with the
 * surplus connections closed and the next batch opens them again: a TCP and a TLS handshake
 * per surplus publish. Sizing the cache to the concurrency keeps every connection for the next
 * batch. The JDK reads the property once, when the first connection is cached, so this runs
 * while the clients are built in the init phase, before any request. A value set explicitly
 * ({@code -Dhttp.maxConnections}) is kept.
 */
final class KeepAliveConnections {
    static final String PROPERTY = "http.maxConnections";

    private KeepAliveConnections() {
    }

    /** Lets the keep-alive cache hold {@code concurrency} idle connections per host, unless set explicitly. */
    static void sizeFor(int concurrency) {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, Integer.toString(Math.max(5, concurrency)));
        }
    }
}
