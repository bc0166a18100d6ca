package dev.iotbridge.local.iotdata;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import dev.iotbridge.iotdata.Destination;
import dev.iotbridge.iotdata.Publish;
import dev.iotbridge.local.Counters;
import dev.iotbridge.local.broker.EmbeddedBroker;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The local stack's iot-data destination: an MQTT 5 client of the account's broker that publishes
 * each accepted request with its MQTT 5 properties (QoS 1: once the broker acknowledged it), and
 * the broker's retained messages for GetRetainedMessage.
 */
final class BrokerDestination implements Destination, AutoCloseable {
    private final String clientId;
    private final int brokerPort;
    private final Counters counters;
    private volatile EmbeddedBroker retainedMessages;
    private Mqtt5AsyncClient mqtt;

    BrokerDestination(String clientId, int brokerPort, Counters counters) {
        this.clientId = clientId;
        this.brokerPort = brokerPort;
        this.counters = counters;
    }

    void connect() throws IOException {
        mqtt = Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(brokerPort)
                .automaticReconnectWithDefaultConfig()
                .buildAsync();
        try {
            mqtt.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to the destination broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("iot-data endpoint could not connect to the destination broker on 127.0.0.1:" + brokerPort
                    + " within 30 s: " + e, e);
        }
    }

    /** The broker whose retained messages GetRetainedMessage reads; null: none for every topic. */
    void setRetainedMessages(EmbeddedBroker broker) { retainedMessages = broker; }

    @Override
    public void publish(Publish p) throws Unavailable {
        Mqtt5PublishBuilder.Complete pub = Mqtt5Publish.builder()
                .topic(p.topic()).payload(p.payload()).qos(MqttQos.fromCode(p.qos())).retain(p.retain());
        Publish.Properties props = p.properties();
        if (props.contentType() != null) pub.contentType(props.contentType());
        if (props.responseTopic() != null) pub.responseTopic(props.responseTopic());
        if (props.messageExpirySeconds() != null) pub.messageExpiryInterval(props.messageExpirySeconds());
        if (props.payloadFormat() != null) {
            pub.payloadFormatIndicator(switch (props.payloadFormat()) {
                case UTF8_DATA -> Mqtt5PayloadFormatIndicator.UTF_8;
                case UNSPECIFIED_BYTES -> Mqtt5PayloadFormatIndicator.UNSPECIFIED;
            });
        }
        if (props.correlationData() != null) pub.correlationData(props.correlationData());
        if (!props.userProperties().isEmpty()) {
            Mqtt5UserPropertiesBuilder b = Mqtt5UserProperties.builder();
            props.userProperties().forEach(u -> b.add(u.getKey(), u.getValue()));
            pub.userProperties(b.build());
        }
        Mqtt5PublishResult result;
        try {
            result = mqtt.publish(pub.build()).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("destination broker did not accept the message: " + e, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new Unavailable("destination broker did not accept the message: " + e, e);
        }
        if (result.getError().isPresent()) {
            throw new Unavailable("destination broker: " + result.getError().get(), result.getError().get());
        }
        counters.publishedAtIotData.increment();
    }

    @Override
    public Optional<RetainedMessage> retained(String topic) {
        EmbeddedBroker broker = retainedMessages;
        return broker == null ? Optional.empty() : broker.retained(topic)
                .map(m -> new RetainedMessage(m.topic(), m.payload(), m.qos(), m.lastModifiedMillis(), m.userProperties()));
    }

    @Override
    public void close() {
        if (mqtt != null) {
            try {
                mqtt.disconnect().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // broker may be gone already
            }
            mqtt = null;
        }
    }
}
