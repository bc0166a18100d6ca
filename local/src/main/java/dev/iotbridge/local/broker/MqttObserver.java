package dev.iotbridge.local.broker;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * An MQTT 5 subscriber (QoS 1) on a broker that counts what arrives and hands each message to
 * listeners with its arrival time: the "subscribers in the destination account".
 */
public final class MqttObserver implements AutoCloseable {

    /** One message as a subscriber received it. */
    public record Arrival(Mqtt5Publish publish, long receivedNanos) {
        public String topic() { return publish.getTopic().toString(); }
        public byte[] payload() { return publish.getPayloadAsBytes(); }
    }

    private final Mqtt5AsyncClient client;
    private final String filter;
    private final LongAdder arrived = new LongAdder();
    private final List<Consumer<Arrival>> listeners = new CopyOnWriteArrayList<>();

    public MqttObserver(int brokerPort, String clientId, String filter) {
        this.filter = filter;
        this.client = Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(brokerPort)
                .automaticReconnectWithDefaultConfig().buildAsync();
    }

    public void start() {
        try {
            client.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
            client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE)
                    .callback(p -> {
                        Arrival a = new Arrival(p, System.nanoTime());
                        arrived.increment();
                        for (Consumer<Arrival> l : listeners) l.accept(a);
                    })
                    .send().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("observer could not subscribe to " + filter + ": " + e, e);
        }
    }

    public long arrived() { return arrived.sum(); }

    public void addListener(Consumer<Arrival> l) { listeners.add(l); }

    public void removeListener(Consumer<Arrival> l) { listeners.remove(l); }

    @Override
    public void close() {
        try {
            client.disconnect().get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // broker may be gone
        }
    }
}
