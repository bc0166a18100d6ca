package dev.iotbridge.local.broker;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.publish.PayloadFormatIndicator;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.intializer.InitializerRegistry;
import com.hivemq.extension.sdk.api.services.publish.RetainedMessageStore;
import dev.iotbridge.local.rules.SourceMessage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One account's IoT Core message broker: an embedded HiveMQ CE (MQTT 3.1.1 and 5) on
 * 127.0.0.1:port with in-memory persistence and its own config/data folders. Optionally an
 * embedded extension hands every inbound PUBLISH (with the publisher's client id and MQTT 5
 * properties, which a subscriber could not see) to a listener: the rules engine.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private final String name;
    private final int port;
    private final Path home;
    private final List<Consumer<SourceMessage>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** When each retained message was stored (HiveMQ keeps no timestamp; GetRetainedMessage reports one). */
    private final Map<String, Long> retainedAt = new ConcurrentHashMap<>();
    private volatile RetainedMessageStore retainedStore;
    private EmbeddedHiveMQ hivemq;

    /** A retained message as the iot-data GetRetainedMessage API reports it. */
    public record RetainedMessage(String topic, byte[] payload, int qos, long lastModifiedMillis,
                                  List<Map.Entry<String, String>> userProperties) {}

    public EmbeddedBroker(String name, int port, Path home) {
        this.name = name;
        this.port = port;
        this.home = home;
    }

    /** Adds a listener for every inbound PUBLISH (e.g. a rules engine); called on broker threads. */
    public void addPublishListener(Consumer<SourceMessage> l) { listeners.add(l); }

    public void removePublishListener(Consumer<SourceMessage> l) { listeners.remove(l); }

    public int port() { return port; }

    public String name() { return name; }

    /** Starts the broker; fails when it has not started within {@code timeout}. */
    public synchronized void start(java.time.Duration timeout) {
        try {
            Path conf = Files.createDirectories(home.resolve("conf"));
            Path data = Files.createDirectories(home.resolve("data"));
            Path ext = Files.createDirectories(home.resolve("extensions"));
            Files.writeString(conf.resolve("config.xml"), """
                    <?xml version="1.0"?>
                    <hivemq>
                        <listeners>
                            <tcp-listener>
                                <port>%d</port>
                                <bind-address>127.0.0.1</bind-address>
                                <name>%s</name>
                            </tcp-listener>
                        </listeners>
                        <persistence><mode>in-memory</mode></persistence>
                        <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                    </hivemq>
                    """.formatted(port, name), StandardCharsets.UTF_8);
            var builder = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(data)
                    .withExtensionsFolder(ext)
                    .withoutLoggingBootstrap();
            builder.withEmbeddedExtension(rulesExtension());
            hivemq = builder.build();
            hivemq.start().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("broker " + name + " (HiveMQ CE) did not start within " + timeout.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare broker folders in " + home, e);
        } catch (Exception e) {
            throw new IllegalStateException("broker " + name + " did not start on port " + port + ": " + e, e);
        }
    }

    private EmbeddedExtension rulesExtension() {
        PublishInboundInterceptor interceptor = (input, output) -> {
            PublishPacket p = input.getPublishPacket();
            if (p.getRetain()) {
                // an empty retained payload deletes the retained message (MQTT 3.3.1.3)
                if (p.getPayload().map(ByteBuffer::limit).orElse(0) == 0) retainedAt.remove(p.getTopic());
                else retainedAt.put(p.getTopic(), System.currentTimeMillis());
            }
            if (listeners.isEmpty()) return;
            boolean mqtt5 = input.getConnectionInformation().getMqttVersion() == MqttVersion.V_5;
            byte[] payload = p.getPayload().map(EmbeddedBroker::bytes).orElse(new byte[0]);
            List<Map.Entry<String, String>> ups = new ArrayList<>();
            p.getUserProperties().asList().forEach(u -> ups.add(Map.entry(u.getName(), u.getValue())));
            Integer pfi = p.getPayloadFormatIndicator()
                    .map(f -> f == PayloadFormatIndicator.UTF_8 ? 1 : 0).orElse(null);
            SourceMessage msg = new SourceMessage(p.getTopic(), payload, input.getClientInformation().getClientId(),
                    p.getQos().getQosNumber(), p.getRetain(), mqtt5, p.getContentType().orElse(null), pfi,
                    p.getResponseTopic().orElse(null), p.getCorrelationData().map(EmbeddedBroker::bytes).orElse(null),
                    List.copyOf(ups), System.currentTimeMillis());
            for (Consumer<SourceMessage> l : listeners) {
                try {
                    l.accept(msg);
                } catch (RuntimeException e) {
                    System.err.println("[" + name + "] publish listener failed: " + e);
                }
            }
        };
        return EmbeddedExtension.builder()
                .withId("local-rules-engine-" + name)
                .withName("local IoT rules engine")
                .withVersion("1")
                .withAuthor("iot-cross-account-bridge")
                .withPriority(0)
                .withStartPriority(1000)
                .withExtensionMain(new ExtensionMain() {
                    @Override
                    public void extensionStart(ExtensionStartInput in, ExtensionStartOutput out) {
                        // Services is injected per extension start; take the registry now, while
                        // it belongs to this broker (several brokers share one JVM).
                        InitializerRegistry registry = Services.initializerRegistry();
                        retainedStore = Services.retainedMessageStore();
                        registry.setClientInitializer((initInput, clientContext) ->
                                clientContext.addPublishInboundInterceptor(interceptor));
                    }

                    @Override
                    public void extensionStop(ExtensionStopInput in, ExtensionStopOutput out) {}
                })
                .build();
    }

    /** The message retained on this exact topic, if any (what iot-data GetRetainedMessage returns). */
    public Optional<RetainedMessage> retained(String topic) {
        RetainedMessageStore store = retainedStore;
        if (store == null) throw new IllegalStateException("broker " + name + " is not started");
        try {
            return store.getRetainedMessage(topic).get(10, TimeUnit.SECONDS).map(r -> {
                List<Map.Entry<String, String>> ups = new ArrayList<>();
                r.getUserProperties().asList().forEach(u -> ups.add(Map.entry(u.getName(), u.getValue())));
                return new RetainedMessage(r.getTopic(), r.getPayload().map(EmbeddedBroker::bytes).orElse(new byte[0]),
                        r.getQos().getQosNumber(), retainedAt.getOrDefault(r.getTopic(), 0L), List.copyOf(ups));
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the retained message of " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("broker " + name + " could not read the retained message of " + topic + ": " + e, e);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.asReadOnlyBuffer();
        d.rewind();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    @Override
    public synchronized void close() {
        if (hivemq != null) {
            try {
                hivemq.stop().get(30, TimeUnit.SECONDS);
                hivemq.close();
            } catch (Exception e) {
                System.err.println("[" + name + "] stop failed: " + e);
            }
            hivemq = null;
        }
    }
}
