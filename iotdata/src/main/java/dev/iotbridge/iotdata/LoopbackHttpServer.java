package dev.iotbridge.iotdata;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The JDK HTTP server bound to loopback, as the emulated AWS endpoints (iot-data here, the local stack's Lambda and control plane) use it. */
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

    /** Not started; each exchange on a virtual thread of its own. Stop it with {@link #stop}. */
    public static HttpServer create(int port, int backlog) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), backlog);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        return s;
    }

    /** The same over TLS with {@code tls}'s certificate. */
    public static HttpsServer createHttps(int port, int backlog, SSLContext tls) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), backlog);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        return s;
    }

    /** Stops {@code server} at once (null: nothing to stop) and the exchanges still running on it. */
    public static void stop(HttpServer server) {
        if (server == null) {
            return;
        }
        server.stop(0);
        if (server.getExecutor() instanceof ExecutorService exchanges) {
            exchanges.shutdownNow();
        }
    }
}
