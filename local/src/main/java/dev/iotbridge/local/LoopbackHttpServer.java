package dev.iotbridge.local;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.net.InetSocketAddress;

/** The JDK HTTP server bound to loopback, as the local stack's emulated AWS endpoints use it. */
public final class LoopbackHttpServer {
    static {
        // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs hold small responses for
        // ~40 ms: every publish and every invocation would look 40 ms slower than the service.
        // Read once by the JDK when its first HTTP server starts, so set before any is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private LoopbackHttpServer() {
    }

    public static HttpServer create(int port, int backlog) throws IOException {
        return HttpServer.create(new InetSocketAddress("127.0.0.1", port), backlog);
    }

    /** The same over TLS with {@code tls}'s certificate. */
    public static HttpsServer createHttps(int port, int backlog, SSLContext tls) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), backlog);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        return s;
    }
}
