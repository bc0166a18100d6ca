package dev.iotbridge.local;

import dev.iotbridge.local.broker.EmbeddedBroker;
import dev.iotbridge.local.iotdata.IotDataEndpoint;
import dev.iotbridge.local.rules.RulesEngine;
import dev.iotbridge.local.rules.SourceMessage;
import dev.iotbridge.local.sqs.LocalSqs;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The source account around its broker: one topic rule per route, evaluated on every PUBLISH the
 * broker accepts, with the SQS action into the destination's queue; and, with the control plane,
 * the source account's own iot-data Publish API (where {@code make doctor}'s canary enters). The
 * broker itself is the stack's.
 */
final class SourceAccount implements AutoCloseable {
    private final EmbeddedBroker broker;
    private final RulesEngine rulesEngine;
    private final Consumer<SourceMessage> listener;
    private IotDataEndpoint iotData;

    /** {@code rulesOn} false: the rules see nothing (benchmarks fill the queue directly). */
    SourceAccount(EmbeddedBroker broker, List<RulesEngine.Rule> rules, LocalSqs queue, Counters counters, boolean rulesOn) {
        this.broker = broker;
        this.rulesEngine = new RulesEngine(rules, queue.client(), queue.queueUrl(), counters, 4);
        this.listener = rulesOn ? rulesEngine::onPublish : null;
        if (listener != null) broker.addPublishListener(listener);
    }

    /**
     * The source account's iot-data API on {@code port}, publishing into the source broker where the
     * rules see it; its own counters, so the destination's publish counts stay the function's alone.
     */
    void startIotData(int port) throws IOException {
        iotData = new IotDataEndpoint(port, broker.port(), new Counters());
        iotData.setRetainedMessages(broker);
        iotData.start();
    }

    RulesEngine rulesEngine() { return rulesEngine; }

    /** Null without the control plane. */
    IotDataEndpoint iotData() { return iotData; }

    @Override
    public void close() {
        Closing.all(iotData, listener == null ? null : () -> broker.removePublishListener(listener), rulesEngine);
    }
}
