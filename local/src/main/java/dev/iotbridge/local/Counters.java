package dev.iotbridge.local;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the local stack, for tests, benchmarks and chaos runs. All are cumulative. */
public final class Counters {
    /** Messages whose rule WHERE passed (one per matching route). */
    public final LongAdder ruleMatched = new LongAdder();
    /** Messages that matched a rule's FROM but not its WHERE (e.g. carrying iot-bridge-hop). */
    public final LongAdder ruleSkipped = new LongAdder();
    /** Rule evaluation or SQS action failures (the rule's error action). */
    public final LongAdder ruleErrors = new LongAdder();
    /** Envelopes the rules engine's SQS action put on the queue. */
    public final LongAdder sentToQueue = new LongAdder();
    /** Invocations of the function, by outcome. */
    public final LongAdder invocations = new LongAdder();
    public final LongAdder invocationErrors = new LongAdder();
    /** Records deleted from the queue by the event source mapping (success or not in batchItemFailures). */
    public final LongAdder recordsDeleted = new LongAdder();
    /** Records reported in batchItemFailures. */
    public final LongAdder recordsFailed = new LongAdder();
    /** iot-data requests received (all), faults injected, and successful publishes. */
    public final LongAdder iotDataRequests = new LongAdder();
    public final LongAdder iotDataFaults = new LongAdder();
    public final LongAdder publishedAtIotData = new LongAdder();
    /** Function process (re)starts. */
    public final LongAdder functionStarts = new LongAdder();
    /**
     * Records older than the queue's retention when received: SQS would have deleted them, so the
     * event source mapping deletes them unseen (ElasticMQ does not enforce MessageRetentionPeriod).
     * Lost messages: must stay 0.
     */
    public final LongAdder expired = new LongAdder();

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("ruleMatched", ruleMatched.sum());
        m.put("ruleSkipped", ruleSkipped.sum());
        m.put("ruleErrors", ruleErrors.sum());
        m.put("sentToQueue", sentToQueue.sum());
        m.put("invocations", invocations.sum());
        m.put("invocationErrors", invocationErrors.sum());
        m.put("recordsDeleted", recordsDeleted.sum());
        m.put("recordsFailed", recordsFailed.sum());
        m.put("iotDataRequests", iotDataRequests.sum());
        m.put("iotDataFaults", iotDataFaults.sum());
        m.put("publishedAtIotData", publishedAtIotData.sum());
        m.put("functionStarts", functionStarts.sum());
        m.put("expired", expired.sum());
        return m;
    }

    @Override
    public String toString() { return snapshot().toString(); }
}
