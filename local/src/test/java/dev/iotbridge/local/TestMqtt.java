package dev.iotbridge.local;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** MQTT 5 test client: publishes, and records everything that arrives on its subscriptions. */
final class TestMqtt implements AutoCloseable {

    final Mqtt5BlockingClient client;
    final List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();

    TestMqtt(int port, String prefix) {
        client = Mqtt5Client.builder().identifier(prefix + "-" + UUID.randomUUID().toString().substring(0, 8))
                .serverHost("127.0.0.1").serverPort(port).buildBlocking();
        client.connectWith().cleanStart(true).send();
    }

    TestMqtt subscribe(String filter) {
        // retainAsPublished: show the retain flag as the publisher (the bridge) set it
        client.toAsync().subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).retainAsPublished(true)
                .callback(received::add).send().join();
        return this;
    }

    void publish(Mqtt5Publish p) {
        client.publish(p);
    }

    void publish(String topic, byte[] payload) {
        client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
    }

    List<Mqtt5Publish> await(Predicate<Mqtt5Publish> match, int count, Duration timeout) throws InterruptedException {
        LocalBridgeStack.await(timeout, () -> received.stream().filter(match).count() >= count);
        return received.stream().filter(match).toList();
    }

    @Override
    public void close() {
        try {
            client.disconnect();
        } catch (RuntimeException ignored) {
            // already gone
        }
    }
}
