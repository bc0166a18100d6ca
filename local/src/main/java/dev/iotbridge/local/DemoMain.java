package dev.iotbridge.local;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.TopicFilter;
import dev.iotbridge.local.config.BridgeConfig;
import dev.iotbridge.local.config.RepositoryPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * {@code make demo}: starts the local stack (on free ports, so it does not clash with
 * {@code make up}), publishes the sample's message, a binary payload and an MQTT 5 message with
 * properties in the source account, shows each arriving in the destination account, prints a
 * summary and exits non-zero if anything did not arrive intact. {@code --help} lists the flags.
 */
@Command(name = "DemoMain", sortOptions = false, usageHelpAutoWidth = true,
        description = "Sample messages across both accounts of the local stack (make demo); local/README.md. It runs on "
                + "free ports unless -Dbridge.demo.fixedPorts=true.")
public final class DemoMain implements Callable<Integer> {

    record Sent(String label, String topic, byte[] payload, Mqtt5Publish mqtt5, long sentNanos) {}

    @Mixin
    LocalStackOptions options;

    public static void main(String[] args) {
        LocalStackOptions.exit(new DemoMain(), args);
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        BridgeConfig config = options.config();
        Route route = config.routes().get(0);
        String base = sampleTopicBase(route);
        System.out.println("== make demo: the bridge on one machine (source account → destination account) ==");
        int code;
        LocalBridgeStack.Builder builder = LocalBridgeStack.builder().config(config)
                .workDir(RepositoryPaths.runDir().resolve("demo")).progress(System.out);
        if (!Boolean.getBoolean("bridge.demo.fixedPorts")) builder.ephemeralPorts();
        try (LocalBridgeStack stack = builder.build().start()) {
            code = run(stack, route, base);
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            code = 1;
        }
        System.out.printf("demo finished in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return code;
    }

    private static int run(LocalBridgeStack stack, Route route, String base) throws Exception {
        Map<String, Mqtt5Publish> arrived = new ConcurrentHashMap<>();
        Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
        Mqtt5BlockingClient sub = Mqtt5Client.builder().identifier("demo-subscriber").serverHost("127.0.0.1")
                .serverPort(stack.destinationMqttPort()).buildBlocking();
        sub.connect();
        String destFilter = DestinationAccount.destinationFilters(List.of(route)).get(0);
        sub.toAsync().subscribeWith().topicFilter(destFilter).qos(MqttQos.AT_LEAST_ONCE).callback(p -> {
            arrived.put(p.getTopic().toString(), p);
            arrivedAt.put(p.getTopic().toString(), System.nanoTime());
            print("destination", p);
        }).send().join();
        System.out.println("\nsubscribed on the destination broker (127.0.0.1:" + stack.destinationMqttPort() + ") to '"
                + destFilter + "'; publishing on the source broker (127.0.0.1:" + stack.sourceMqttPort() + ") …\n");

        List<Sent> sent = new ArrayList<>();
        // 1. the sample's message, from an MQTT 3.1.1 device like the sample's
        Mqtt3BlockingClient dev3 = Mqtt3Client.builder().identifier("account1-device").serverHost("127.0.0.1")
                .serverPort(stack.sourceMqttPort()).buildBlocking();
        dev3.connect();
        byte[] sample = "{\"message\": \"IoT message from account1\"}".getBytes(StandardCharsets.UTF_8);
        String t1 = base + "account1/message";
        sent.add(new Sent("sample JSON (MQTT 3.1.1)", t1, sample, null, System.nanoTime()));
        dev3.publishWith().topic(t1).qos(MqttQos.AT_LEAST_ONCE).payload(sample).send();
        System.out.println("source      → " + t1 + "  " + describe(sample));

        Mqtt5BlockingClient dev5 = Mqtt5Client.builder().identifier("account1-gateway").serverHost("127.0.0.1")
                .serverPort(stack.sourceMqttPort()).buildBlocking();
        dev5.connect();
        // 2. binary payload: every byte value 0..255
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) all[i] = (byte) i;
        String t2 = base + "account1/binary";
        Mqtt5Publish p2 = Mqtt5Publish.builder().topic(t2).qos(MqttQos.AT_LEAST_ONCE).payload(all).build();
        sent.add(new Sent("binary 0..255 (MQTT 5)", t2, all, p2, System.nanoTime()));
        dev5.publish(p2);
        System.out.println("source      → " + t2 + "  " + describe(all));
        // 3. MQTT 5 with properties
        byte[] cmd = "{\"command\": \"open-valve\", \"valve\": 7}".getBytes(StandardCharsets.UTF_8);
        String t3 = base + "account1/command";
        Mqtt5Publish p3 = Mqtt5Publish.builder().topic(t3).qos(MqttQos.AT_LEAST_ONCE).payload(cmd)
                .contentType("application/json").payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .responseTopic(base + "account1/reply").correlationData("req-42".getBytes(StandardCharsets.UTF_8))
                .userProperties(Mqtt5UserProperties.builder().add("device", "alpha").add("seq", "1").build())
                .build();
        sent.add(new Sent("MQTT 5 with properties", t3, cmd, p3, System.nanoTime()));
        dev5.publish(p3);
        System.out.println("source      → " + t3 + "  " + describe(cmd) + "  [contentType, payloadFormatIndicator, "
                + "responseTopic, correlationData, userProperties]\n");

        LocalBridgeStack.await(Duration.ofSeconds(30), () -> sent.stream()
                .allMatch(s -> arrived.containsKey(route.destinationTopic(s.topic()))));

        System.out.println("\nsummary");
        String fmt = "  %-26s %-34s %-8s %-10s %-9s %s%n";
        System.out.printf(fmt, "message", "destination topic", "bytes", "properties", "latency", "result");
        int failed = 0;
        for (Sent s : sent) {
            String dt = route.destinationTopic(s.topic());
            Mqtt5Publish got = arrived.get(dt);
            boolean bytesOk = got != null && Arrays.equals(got.getPayloadAsBytes(), s.payload());
            boolean propsOk = got != null && propertiesOk(s.mqtt5(), got);
            boolean ok = bytesOk && propsOk;
            if (!ok) failed++;
            String lat = got == null ? "-" : (arrivedAt.get(dt) - s.sentNanos()) / 1_000_000 + " ms";
            System.out.printf(fmt, s.label(), dt, got == null ? "-" : bytesOk ? "equal" : "DIFFER",
                    got == null ? "-" : propsOk ? "ok" : "WRONG", lat, got == null ? "NOT ARRIVED" : ok ? "ok" : "FAILED");
        }
        System.out.println("  counters: " + stack.counters().snapshot().entrySet().stream()
                .filter(e -> e.getValue() > 0).map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
        System.out.println("  DLQ depth: " + stack.dlqDepth());
        System.out.println(failed == 0 ? "\nall " + sent.size() + " messages crossed intact."
                : "\n" + failed + " of " + sent.size() + " messages did not arrive intact; function log: " + stack.function().logFile());
        dev3.disconnect();
        dev5.disconnect();
        sub.disconnect();
        return failed == 0 ? 0 : 1;
    }

    /** Properties that must have crossed: the original ones plus the bridge's hop marker. */
    private static boolean propertiesOk(Mqtt5Publish original, Mqtt5Publish got) {
        boolean hop = got.getUserProperties().asList().stream().anyMatch(u -> u.getName().toString().equals("iot-bridge-hop"));
        if (!hop) return false;
        if (original == null) return true;
        if (!original.getContentType().map(Object::toString).equals(got.getContentType().map(Object::toString))) return false;
        if (!original.getResponseTopic().map(Object::toString).equals(got.getResponseTopic().map(Object::toString))) return false;
        if (!original.getCorrelationData().equals(got.getCorrelationData())) return false;
        if (original.getPayloadFormatIndicator().isPresent()
                && !original.getPayloadFormatIndicator().equals(got.getPayloadFormatIndicator())) return false;
        var want = original.getUserProperties().asList().stream().map(u -> u.getName() + "=" + u.getValue()).toList();
        var have = got.getUserProperties().asList().stream().map(u -> u.getName() + "=" + u.getValue()).toList();
        return have.containsAll(want);
    }

    static void print(String side, Mqtt5Publish p) {
        StringBuilder b = new StringBuilder();
        b.append(side).append(" ← ").append(p.getTopic()).append("  qos=").append(p.getQos().getCode())
                .append(" retain=").append(p.isRetain()).append("  ").append(describe(p.getPayloadAsBytes()));
        List<String> props = new ArrayList<>();
        p.getContentType().ifPresent(c -> props.add("contentType=" + c));
        p.getPayloadFormatIndicator().ifPresent(f -> props.add("payloadFormatIndicator=" + f));
        p.getResponseTopic().ifPresent(r -> props.add("responseTopic=" + r));
        p.getCorrelationData().ifPresent(c -> {
            byte[] d = new byte[c.remaining()];
            c.duplicate().get(d);
            props.add("correlationData=" + new String(d, StandardCharsets.UTF_8));
        });
        p.getMessageExpiryInterval().ifPresent(e -> props.add("messageExpiry=" + e));
        p.getUserProperties().asList().forEach(u -> props.add("user:" + u.getName() + "=" + u.getValue()));
        if (!props.isEmpty()) b.append("\n              properties: ").append(String.join(", ", props));
        System.out.println(b);
    }

    static String describe(byte[] bytes) {
        boolean text = true;
        for (byte x : bytes) {
            if ((x < 0x20 && x != '\n' && x != '\t') || x == 0x7f) {
                text = false;
                break;
            }
        }
        if (text) {
            try {
                StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            } catch (java.nio.charset.CharacterCodingException e) {
                text = false;
            }
        }
        if (text) return bytes.length + " bytes utf8: " + new String(bytes, StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 24));
        return bytes.length + " bytes hex: " + hex + (bytes.length > 24 ? "…" + HexFormat.of().formatHex(bytes,
                bytes.length - 4, bytes.length) : "");
    }

    /** A concrete topic prefix under the route's filter, e.g. GROUND/v1/ for GROUND/v1/#. */
    static String sampleTopicBase(Route r) {
        String f = r.sourceFilter();
        String base = f.endsWith("#") ? f.substring(0, f.length() - 1) : f + "/";
        base = base.replace("+", "demo");
        if (!TopicFilter.matches(f, base + "account1/x")) base = f.replace("#", "").replace("+", "demo");
        return base;
    }
}
