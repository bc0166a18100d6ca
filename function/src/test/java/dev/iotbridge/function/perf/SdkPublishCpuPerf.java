package dev.iotbridge.function.perf;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClientBuilder;
import software.amazon.awssdk.services.iotdataplane.model.PublishRequest;

/**
 * CPU per iot-data Publish of the SDK client alone (no latency), rules-based endpoint resolution
 * versus the fixed endpoint provider IotPublisher uses. Process CPU time per call, median of rounds.
 *
 * <pre>
 * mkdir /tmp/u && (cd /tmp/u && unzip -q /path/to/function/target/function.zip)
 * java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "function/target/test-classes:/tmp/u:/tmp/u/lib/*" \
 *     dev.iotbridge.function.perf.SdkPublishCpuPerf 9 4000
 * </pre>
 */
public final class SdkPublishCpuPerf {
    public static void main(String[] args) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        s.setExecutor(Executors.newFixedThreadPool(2));
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] b = "{}".getBytes();
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        URI uri = URI.create("http://127.0.0.1:" + s.getAddress().getPort());
        IotDataPlaneClient rules = builder(uri).build();
        CompletableFuture<Endpoint> fixed = CompletableFuture.completedFuture(Endpoint.builder().url(uri).build());
        IotDataPlaneClient fixedClient = builder(uri).endpointProvider(p -> fixed).build();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        PublishRequest req = PublishRequest.builder().topic("acct-a/v1/site1/telemetry").qos(1).retain(false)
                .contentType("application/json").payloadFormatIndicator("UTF8_DATA").userProperties("[{\"site\":\"s1\"}]")
                .payload(SdkBytes.fromUtf8String("{\"deviceId\":\"dev-1\",\"seq\":1,\"temperature\":21.5}")).build();
        double[][] us = new double[2][rounds];
        for (int r = -2; r < rounds; r++) { // 2 warm-up rounds
            for (int k = 0; k < 2; k++) {
                IotDataPlaneClient c = k == 0 ? rules : fixedClient;
                long cpu0 = os.getProcessCpuTime();
                for (int i = 0; i < calls; i++) {
                    c.publish(req);
                }
                double perCall = (os.getProcessCpuTime() - cpu0) / 1e3 / calls;
                if (r >= 0) {
                    us[k][r] = perCall;
                }
            }
        }
        for (int k = 0; k < 2; k++) {
            Arrays.sort(us[k]);
            System.out.printf("%-22s median %.1f us CPU per publish (min %.1f, max %.1f; process CPU incl. the local server)%n",
                    k == 0 ? "endpoint rules (SDK)" : "fixed endpointProvider", us[k][rounds / 2], us[k][0], us[k][rounds - 1]);
        }
        s.stop(0);
        System.exit(0);
    }

    static IotDataPlaneClientBuilder builder(URI uri) {
        return IotDataPlaneClient.builder().endpointOverride(uri).region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKID", "secret")))
                .httpClient(UrlConnectionHttpClient.builder().build());
    }
}
