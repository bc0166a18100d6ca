package dev.iotbridge.function.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Performance harness (not a test; run by hand). Starts a {@code function.zip} the way the managed
 * java21 runtime does (runtime interface client, task root = unzipped zip) against an in-process fake
 * Lambda Runtime API and a fake iot-data endpoint with a fixed latency, then measures:
 * <ul>
 * <li>init: process start → first {@code GET /invocation/next} (the function is ready), and Quarkus' "started in"</li>
 * <li>CPU of the process at that point (utime+stime from /proc)</li>
 * <li>per batch of 10: wall time from handing out the event to receiving the response (warm batches)</li>
 * <li>CPU per message over the measured (post warm-up) batches</li>
 * </ul>
 * Several zips are run interleaved (A B A B …) so machine load affects them alike.
 *
 * <pre>
 * java -cp function/target/test-classes dev.iotbridge.function.perf.ColdStartAndBatchPerf \
 *     --ric local/target/ric --runs 5 --warmup 100 --batches 400 --latency-ms 15 before=/tmp/a.zip after=function/target/function.zip
 * </pre>
 */
public final class ColdStartAndBatchPerf {
    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");

    public static void main(String[] args) throws Exception {
        // JDK HttpServer + Nagle: without this a response can wait for the client's delayed ACK (40 ms)
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path ric = Path.of("local/target/ric");
        int runs = 5, warmup = 100, batches = 400, latency = 15;
        String shape = "v1";
        String extraOpts = "";
        Map<String, Path> zips = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ric" -> ric = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--batches" -> batches = Integer.parseInt(args[++i]);
                case "--latency-ms" -> latency = Integer.parseInt(args[++i]);
                case "--shape" -> shape = args[++i];
                case "--extra-opts" -> extraOpts = args[++i];
                default -> {
                    String[] kv = args[i].split("=", 2);
                    zips.put(kv[0], Path.of(kv[1]));
                }
            }
        }
        Map<String, List<Result>> all = new java.util.LinkedHashMap<>();
        for (int r = 0; r < runs; r++) {
            for (var e : zips.entrySet()) {
                String[] nameOpts = e.getKey().split(":", 2);
                Result res = runOnce(e.getValue(), ric, warmup, batches, latency, shape,
                        (extraOpts + " " + (nameOpts.length > 1 ? nameOpts[1].replace(',', ' ') : "")).trim());
                System.out.printf("run %d %-10s %s%n", r + 1, e.getKey(), res);
                all.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(res);
            }
        }
        System.out.println();
        System.out.printf("medians over %d runs (latency %d ms, %d warm-up + %d measured batches of 10, shape %s)%n",
                runs, latency, warmup, batches, shape);
        System.out.printf("%-12s %9s %9s %9s %9s %11s %11s %9s%n", "zip", "init ms", "quarkus", "initCPU", "1st inv",
                "batch p50", "batch mean", "cpu/msg");
        for (var e : all.entrySet()) {
            List<Result> l = e.getValue();
            System.out.printf("%-12s %9.0f %9.0f %9.0f %9.1f %11.2f %11.2f %9.3f%n", e.getKey(),
                    med(l, x -> x.initMs), med(l, x -> x.quarkusMs), med(l, x -> x.initCpuMs), med(l, x -> x.firstInvocationMs),
                    med(l, x -> x.batchP50Ms), med(l, x -> x.batchMeanMs), med(l, x -> x.cpuPerMsgMs));
        }
        System.exit(0);
    }

    record Result(double initMs, double quarkusMs, double initCpuMs, double firstInvocationMs, double batchP50Ms,
                  double batchMeanMs, double cpuPerMsgMs) {
        @Override
        public String toString() {
            return String.format("init %.0f ms (quarkus %.0f ms, cpu %.0f ms), 1st invocation %.1f ms, batch p50 %.2f mean %.2f ms, cpu/msg %.3f ms",
                    initMs, quarkusMs, initCpuMs, firstInvocationMs, batchP50Ms, batchMeanMs, cpuPerMsgMs);
        }
    }

    interface D {
        double get(Result r);
    }

    static double med(List<Result> l, D f) {
        double[] v = l.stream().mapToDouble(f::get).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static Result runOnce(Path zip, Path ric, int warmup, int batches, int latencyMs, String shape, String extraOpts)
            throws Exception {
        Path task = Files.createTempDirectory("perf-task");
        unzip(zip, task);
        int total = warmup + batches;
        AtomicInteger published = new AtomicInteger();
        HttpServer iot = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        iot.setExecutor(Executors.newCachedThreadPool());
        iot.createContext("/", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
            }
            try {
                Thread.sleep(latencyMs);
            } catch (InterruptedException ignored) {
            }
            published.incrementAndGet();
            send(ex, 200, "{}");
        });
        iot.start();

        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        for (int b = 0; b < total; b++) {
            events.add(sqsEvent(b, shape));
        }
        long[] handedOut = new long[total];
        long[] answered = new long[total];
        AtomicInteger served = new AtomicInteger();
        AtomicLong firstNext = new AtomicLong();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(total);
        CountDownLatch warmedUp = new CountDownLatch(warmup);
        HttpServer rapi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        rapi.setExecutor(Executors.newCachedThreadPool());
        rapi.createContext("/2018-06-01/runtime/", ex -> {
            String p = ex.getRequestURI().getPath();
            try (InputStream in = ex.getRequestBody()) {
                byte[] body = in.readAllBytes();
                if (p.endsWith("/invocation/next")) {
                    firstNext.compareAndSet(0, System.nanoTime());
                    String ev;
                    try {
                        ev = events.poll(1, TimeUnit.HOURS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    int id = served.getAndIncrement();
                    ex.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", "req-" + id);
                    ex.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", String.valueOf(System.currentTimeMillis() + 60_000));
                    ex.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                            "arn:aws:lambda:eu-west-1:123456789012:function:iot-bridge");
                    ex.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-0-0");
                    handedOut[id] = System.nanoTime();
                    send(ex, 200, ev);
                } else if (p.contains("/invocation/req-") && p.endsWith("/response")) {
                    int id = Integer.parseInt(p.substring(p.indexOf("req-") + 4, p.lastIndexOf('/')));
                    answered[id] = System.nanoTime();
                    String s = new String(body, StandardCharsets.UTF_8);
                    if (!s.replace(" ", "").contains("\"batchItemFailures\":[]")) {
                        failures.incrementAndGet();
                        System.err.println("batch " + id + " failures: " + s);
                    }
                    send(ex, 202, "{\"status\":\"OK\"}");
                    warmedUp.countDown();
                    done.countDown();
                } else {
                    System.err.println("runtime API: " + p + " " + new String(body, StandardCharsets.UTF_8));
                    send(ex, 202, "{\"status\":\"OK\"}");
                }
            }
        });
        rapi.start();

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(ric.toAbsolutePath() + "/*");
        cmd.add("com.amazonaws.services.lambda.runtime.api.client.AWSLambda");
        cmd.add("io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(task.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", System.getenv("PATH"));
        env.put("LANG", "C.UTF-8");
        env.put("TZ", ":UTC");
        // close to the managed java21 runtime (see local FunctionCommand.managedJava21Options) + shipped options
        String opts = "-XX:MaxHeapSize=435m -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData -Djava.net.preferIPv4Stack=true"
                + " -Dfile.encoding=UTF-8 --add-opens=java.base/java.lang=ALL-UNNAMED"
                + " -XX:+TieredCompilation -XX:TieredStopAtLevel=1 " + extraOpts;
        env.put("JAVA_TOOL_OPTIONS", opts.trim());
        env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + rapi.getAddress().getPort());
        env.put("_HANDLER", "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest");
        env.put("LAMBDA_TASK_ROOT", task.toString());
        env.put("AWS_LAMBDA_FUNCTION_NAME", "iot-bridge");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/iot-bridge");
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "perf");
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_DEFAULT_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "AKIDPERF");
        env.put("AWS_SECRET_ACCESS_KEY", "secretperf");
        env.put("AWS_SESSION_TOKEN", "tokenperf");
        env.put("BRIDGE_ROUTES",
                "[{\"name\":\"ground\",\"source_filter\":\"GROUND/v1/#\",\"strip_prefix\":\"GROUND/\",\"add_prefix\":\"acct-a/\",\"qos\":1}]");
        env.put("BRIDGE_IOT_ENDPOINT", "http://127.0.0.1:" + iot.getAddress().getPort());
        env.put("BRIDGE_DLQ_URL", "http://127.0.0.1:1/000000000000/dlq");
        env.put("BRIDGE_SQS_ENDPOINT", "http://127.0.0.1:1");

        long t0 = System.nanoTime();
        Process proc = pb.start();
        List<String> out = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!line.startsWith("{")) {
                        synchronized (out) {
                            out.add(line);
                        }
                    }
                }
            } catch (IOException ignored) {
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            while (firstNext.get() == 0) {
                if (!proc.isAlive()) {
                    reader.join(2000);
                    throw new IllegalStateException("function exited: " + out);
                }
                Thread.sleep(1);
            }
            double initMs = (firstNext.get() - t0) / 1e6;
            double initCpu = cpuMs(proc.pid());
            if (!awaitAlive(warmedUp, proc)) {
                throw new IllegalStateException("warm-up did not finish: " + out);
            }
            double cpuBefore = cpuMs(proc.pid());
            if (!awaitAlive(done, proc)) {
                throw new IllegalStateException("batches did not finish: " + out);
            }
            double cpuAfter = cpuMs(proc.pid());
            double quarkus = Double.NaN;
            synchronized (out) {
                for (String l : out) {
                    Matcher m = STARTED.matcher(l);
                    if (m.find()) {
                        quarkus = Double.parseDouble(m.group(1)) * 1000;
                    }
                }
            }
            if (failures.get() > 0 || published.get() != total * 10) {
                throw new IllegalStateException("failures " + failures + ", published " + published + " of " + total * 10);
            }
            double[] lat = new double[batches];
            double sum = 0;
            for (int i = 0; i < batches; i++) {
                lat[i] = (answered[warmup + i] - handedOut[warmup + i]) / 1e6;
                sum += lat[i];
            }
            java.util.Arrays.sort(lat);
            return new Result(initMs, quarkus, initCpu, (answered[0] - handedOut[0]) / 1e6, lat[batches / 2], sum / batches,
                    (cpuAfter - cpuBefore) / (batches * 10.0));
        } finally {
            proc.destroyForcibly().waitFor();
            rapi.stop(0);
            iot.stop(0);
            deleteTree(task);
        }
    }

    static boolean awaitAlive(CountDownLatch l, Process p) throws InterruptedException {
        while (!l.await(200, TimeUnit.MILLISECONDS)) {
            if (!p.isAlive()) {
                Thread.sleep(500);
                return false;
            }
        }
        return true;
    }

    static double cpuMs(long pid) throws IOException {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        return ticks * 10.0; // USER_HZ = 100
    }

    static String sqsEvent(int batch, String shape) {
        StringBuilder sb = new StringBuilder("{\"Records\":[");
        long now = System.currentTimeMillis();
        for (int i = 0; i < 10; i++) {
            String topic = "GROUND/v1/site" + (i % 3) + "/telemetry";
            String payloadJson = "{\"deviceId\":\"dev-" + i + "\",\"seq\":" + (batch * 10 + i)
                    + ",\"temperature\":21.5,\"humidity\":48,\"status\":\"ok\"}";
            String body;
            if (shape.equals("legacy")) {
                body = payloadJson.substring(0, payloadJson.length() - 1) + ",\"topic\":\"" + topic + "\"}";
            } else {
                body = "{\"v\":1,\"route\":\"ground\",\"topic\":\"" + topic + "\",\"payload\":\""
                        + Base64.getEncoder().encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8))
                        + "\",\"ts\":" + now + ",\"clientId\":\"dev-" + i + "\",\"contentType\":\"application/json\","
                        + "\"payloadFormatIndicator\":\"UTF8_DATA\",\"userProperties\":[{\"site\":\"s" + (i % 3) + "\"}]}";
            }
            if (i > 0) {
                sb.append(',');
            }
            String id = "00000000-0000-0000-0000-" + String.format("%012d", batch * 10 + i);
            sb.append("{\"messageId\":\"").append(id).append("\",\"receiptHandle\":\"AQEB").append(id)
                    .append("\",\"body\":").append(jsonString(body))
                    .append(",\"attributes\":{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"").append(now)
                    .append("\",\"SenderId\":\"AROAEXAMPLE:iot\",\"ApproximateFirstReceiveTimestamp\":\"").append(now)
                    .append("\"},\"messageAttributes\":{},\"md5OfBody\":\"00000000000000000000000000000000\",")
                    .append("\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"arn:aws:sqs:eu-west-1:123456789012:iot-bridge\",")
                    .append("\"awsRegion\":\"eu-west-1\"}");
        }
        return sb.append("]}").toString();
    }

    static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    static void unzip(Path zip, Path into) throws IOException {
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                Path target = into.resolve(e.getName()).normalize();
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(z, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

}
