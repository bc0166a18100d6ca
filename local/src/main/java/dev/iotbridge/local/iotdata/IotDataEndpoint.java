package dev.iotbridge.local.iotdata;

import dev.iotbridge.iotdata.IotDataError;
import dev.iotbridge.iotdata.IotDataServer;
import dev.iotbridge.local.Counters;
import dev.iotbridge.local.broker.EmbeddedBroker;

import java.io.IOException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * An account's iot-data API in the local stack: the emulated endpoint ({@link IotDataServer}, the
 * wire format) publishing into the account's broker, counted in the stack's {@link Counters}, with
 * a {@link FaultPlan} drawn for every request.
 */
public final class IotDataEndpoint extends IotDataServer {

    private final BrokerDestination broker;
    private final Counters counters;
    private volatile FaultPlan faultPlan = FaultPlan.NONE;
    private final Map<FaultPlan.Fault, LongAdder> faults = new EnumMap<>(FaultPlan.Fault.class);

    public IotDataEndpoint(int port, int brokerPort, Counters counters) {
        this(port, new BrokerDestination("local-iot-data-" + port, brokerPort, counters), counters);
    }

    private IotDataEndpoint(int port, BrokerDestination broker, Counters counters) {
        super(port, broker);
        this.broker = broker;
        this.counters = counters;
        for (FaultPlan.Fault f : FaultPlan.Fault.values()) faults.put(f, new LongAdder());
    }

    /** Connects to the broker, then serves. */
    @Override
    public void start() throws IOException {
        broker.connect();
        super.start();
    }

    public void setFaultPlan(FaultPlan plan) { faultPlan = plan == null ? FaultPlan.NONE : plan; }
    public FaultPlan faultPlan() { return faultPlan; }

    /** The broker whose retained messages {@code GET /retainedMessage/{topic}} reads; null: 404 for every topic. */
    public void setRetainedMessages(EmbeddedBroker b) { broker.setRetainedMessages(b); }

    /** Faults injected so far, by kind. */
    public Map<FaultPlan.Fault, Long> faultCounts() {
        Map<FaultPlan.Fault, Long> m = new LinkedHashMap<>();
        faults.forEach((k, v) -> { if (k != FaultPlan.Fault.NONE) m.put(k, v.sum()); });
        return m;
    }

    @Override
    protected void requestReceived() {
        counters.iotDataRequests.increment();
    }

    @Override
    protected Fault injectFault() {
        FaultPlan plan = faultPlan;
        FaultPlan.Fault fault = plan.draw();
        faults.get(fault).increment();
        if (fault != FaultPlan.Fault.NONE) counters.iotDataFaults.increment();
        return switch (fault) {
            case NONE -> null;
            case RESET -> new Fault.Drop();
            case THROTTLE -> Fault.throttling();
            case SERVER_ERROR -> new Fault.Answer(IotDataError.INTERNAL_FAILURE, "Internal failure (injected)");
            case UNAVAILABLE, OUTAGE -> new Fault.Answer(IotDataError.SERVICE_UNAVAILABLE, "Service unavailable (injected)");
            case SLOW -> new Fault.Delay(plan.slowDelay());
        };
    }

    @Override
    public void close() {
        super.close();
        broker.close();
    }
}
