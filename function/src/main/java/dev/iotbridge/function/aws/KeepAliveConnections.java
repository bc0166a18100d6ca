package dev.iotbridge.function.aws;

/**
 * How many idle keep-alive connections per host the URL-connection HTTP client may keep.
 *
 * <p>That client pools connections in the JDK's keep-alive cache, which holds at most
 * {@code http.maxConnections} idle connections per destination (JDK default 5). With more
 * publishes in flight than that (BRIDGE_MAX_CONCURRENCY, default 10), each batch ends with the
 * surplus connections closed and the next batch opens them again: a TCP and a TLS handshake
 * per surplus publish. Sizing the cache to the concurrency keeps every connection for the next
 * batch. The JDK reads the properties once, when the first connection is cached, so this runs
 * while the clients are built in the init phase, before any request. A value set explicitly
 * ({@code -Dhttp.maxConnections}) is kept.
 *
 * <p>In the native executable the JDK's keep-alive cache is initialized when the image is built,
 * so its idle time comes from the build ({@code quarkus.native.additional-build-args} in
 * application.properties); the number of kept connections is still read at run time.
 */
final class KeepAliveConnections {
    static final String PROPERTY = "http.maxConnections";
    /**
     * Seconds an idle connection is kept when the server's response names no keep-alive timeout
     * (JDK default 5). 60 s is the idle time the SDK's Apache and CRT clients keep by default
     * ({@code connectionMaxIdleTime}); with the JDK's 5 s, batches more than 5 s apart (light
     * traffic) would open every connection again, a TLS handshake each. A connection the server
     * closed meanwhile is replaced on its next use (the JDK retries the request once on a stale
     * kept connection, and the SDK retries an I/O error).
     */
    static final String IDLE_PROPERTY = "http.keepAlive.time.server";
    static final int IDLE_SECONDS = 60;

    private KeepAliveConnections() {
    }

    /**
     * Lets the keep-alive cache hold {@code concurrency} idle connections per host for
     * {@link #IDLE_SECONDS}, each unless set explicitly.
     */
    static void sizeFor(int concurrency) {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, Integer.toString(Math.max(5, concurrency)));
        }
        if (System.getProperty(IDLE_PROPERTY) == null) {
            System.setProperty(IDLE_PROPERTY, Integer.toString(IDLE_SECONDS));
        }
    }
}
