package dev.iotbridge.local;

import dev.iotbridge.contract.Route;
import dev.iotbridge.local.broker.EmbeddedBroker;
import dev.iotbridge.local.broker.MqttObserver;
import dev.iotbridge.local.iotdata.IotDataEndpoint;
import dev.iotbridge.local.iotdata.LocalCa;
import dev.iotbridge.local.sqs.LocalSqs;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The destination account around the function: the bridge queue and its DLQ (ElasticMQ), the
 * iot-data Publish API in front of the destination broker (admitting only the routes' destination
 * topics, as the function role's {@code iot:Publish} policy does), and an observer subscribed to
 * everything that arrives there. The broker itself is the stack's.
 */
final class DestinationAccount implements AutoCloseable {
    private final StackSettings s;
    private final Counters counters;
    private final LocalSqs sqs;
    private IotDataEndpoint iotData;
    private LocalCa iotDataCa;
    private MqttObserver observer;

    DestinationAccount(StackSettings s, Counters counters, int sqsPort) {
        this.s = s;
        this.counters = counters;
        this.sqs = new LocalSqs(sqsPort, s.region, s.accountId);
    }

    /** Starts ElasticMQ with the queue and DLQ; the slowest part to start, so in the background. */
    CompletableFuture<Void> startQueues() {
        return CompletableFuture.runAsync(() -> sqs.start(s.queueName, s.dlqName, s.maxReceiveCount,
                (int) s.visibilityTimeout.toSeconds(), s.messageRetention.toSeconds()));
    }

    /** The iot-data endpoint on {@code port} in front of {@code broker}, then the observer on that broker. */
    void startIotData(EmbeddedBroker broker, int port, Path tlsDir) throws IOException {
        iotData = new IotDataEndpoint(port, broker.port(), counters);
        if (s.iotDataTls) {
            iotDataCa = LocalCa.create(tlsDir);
            iotData.useTls(iotDataCa.serverContext());
        }
        iotData.setLatency(s.iotDataLatency);
        iotData.setFaultPlan(s.faultPlan);
        iotData.setPublishQuota(s.iotDataPublishQuota);
        if (s.enforcePublishPolicy) iotData.setAllowedTopicFilters(destinationFilters(s.routes));
        iotData.setRetainedMessages(broker);
        iotData.start();
        observer = new MqttObserver(broker.port(), "local-observer-" + port, "#");
        observer.start();
    }

    /** The topic filters the function's iot:Publish policy allows: add_prefix + filter without strip_prefix. */
    static List<String> destinationFilters(List<Route> routes) {
        List<String> out = new ArrayList<>();
        for (Route r : routes) {
            String f = r.sourceFilter();
            if (f.startsWith(r.stripPrefix())) out.add(r.addPrefix() + f.substring(r.stripPrefix().length()));
            else out.add(r.addPrefix() + "#");   // the function will refuse these anyway
        }
        return out;
    }

    LocalSqs sqs() { return sqs; }
    IotDataEndpoint iotData() { return iotData; }
    LocalCa iotDataCa() { return iotDataCa; }
    MqttObserver observer() { return observer; }

    /** Messages in the queue (visible + in flight + delayed). */
    long queueDepth() { return sqs.depth(sqs.queueUrl()); }

    long dlqDepth() { return sqs.depth(sqs.dlqUrl()); }

    /** Waits until the queue is empty and stays empty for a second; false on timeout. */
    boolean awaitDrained(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        int quiet = 0;
        while (System.nanoTime() < end) {
            if (queueDepth() == 0) {
                if (++quiet >= 5) return true;
            } else {
                quiet = 0;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** Receives (and deletes, unless {@code keep}) every message currently in the DLQ. */
    List<Message> drainDlq(boolean keep) {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> got = sqs.client().receiveMessage(r -> r.queueUrl(sqs.dlqUrl()).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).visibilityTimeout(keep ? 1 : 30)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                    .messageAttributeNames("All")).messages();
            if (got.isEmpty()) break;
            all.addAll(got);
            if (!keep) {
                for (Message m : got) sqs.client().deleteMessage(d -> d.queueUrl(sqs.dlqUrl()).receiptHandle(m.receiptHandle()));
            }
        }
        return all;
    }

    /** The observer and the endpoint first (they use the broker and the queue), ElasticMQ last. */
    @Override
    public void close() {
        Closing.all(observer, iotData, sqs);
    }
}
