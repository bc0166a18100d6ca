package dev.iotbridge.local.chaos;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts, per message id, what arrived at the destination broker and at the iot-data endpoint.
 * A chaos message's payload is {@code {"chaos":"<tag>","i":<id>}}; other payloads are ignored.
 * Message {@code i} is sent on {@link #topic(int)} and, the chaos route mapping nothing, must
 * arrive on that same topic: an arrival on any other topic is MISROUTED (a failure), not a delivery.
 */
final class Tracker {
    /** The source (= destination) topic of chaos message {@code i}: 16 topics in turn. */
    static String topic(int i) {
        return "GROUND/v1/chaos/" + (i % 16);
    }

    final String tag;
    final int n;
    private final byte[] prefix;
    private final AtomicIntegerArray delivered;
    private final AtomicIntegerArray atIotData;
    /** System.nanoTime() of the last arrival of each id at iot-data (0 = never). */
    private final java.util.concurrent.atomic.AtomicLongArray lastAtIotData;
    private final LongAdder uniqueDelivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder foreign = new LongAdder();
    private final LongAdder misrouted = new LongAdder();
    private final java.util.List<String> misroutedExamples = new java.util.concurrent.CopyOnWriteArrayList<>();

    Tracker(String tag, int n) {
        this.tag = tag;
        this.n = n;
        this.prefix = ("{\"chaos\":\"" + tag + "\",\"i\":").getBytes(StandardCharsets.US_ASCII);
        this.delivered = new AtomicIntegerArray(n);
        this.atIotData = new AtomicIntegerArray(n);
        this.lastAtIotData = new java.util.concurrent.atomic.AtomicLongArray(n);
    }

    byte[] payload(int i) {
        return ("{\"chaos\":\"" + tag + "\",\"i\":" + i + "}").getBytes(StandardCharsets.US_ASCII);
    }

    /** The id in a chaos payload of this tracker, or -1. */
    int index(byte[] p) {
        if (p == null || p.length <= prefix.length) return -1;
        for (int k = 0; k < prefix.length; k++) if (p[k] != prefix[k]) return -1;
        int v = 0;
        int k = prefix.length;
        for (; k < p.length && p[k] >= '0' && p[k] <= '9'; k++) v = v * 10 + (p[k] - '0');
        if (k == prefix.length || k >= p.length || p[k] != '}' || v >= n) return -1;
        return v;
    }

    void onDelivered(String topic, byte[] payload) {
        int i = index(payload);
        if (i < 0) {
            foreign.increment();
            return;
        }
        if (!topic(i).equals(topic)) {
            misrouted.increment();
            if (misroutedExamples.size() < 5) misroutedExamples.add("id " + i + " on " + topic + " (expected " + topic(i) + ")");
            return;
        }
        if (delivered.getAndIncrement(i) == 0) uniqueDelivered.increment();
        else duplicates.increment();
    }

    void onIotData(byte[] payload) {
        int i = index(payload);
        if (i >= 0) {
            atIotData.incrementAndGet(i);
            lastAtIotData.set(i, System.nanoTime());
        }
    }

    boolean delivered(int i) { return delivered.get(i) > 0; }
    boolean reachedIotData(int i) { return atIotData.get(i) > 0; }
    long uniqueDelivered() { return uniqueDelivered.sum(); }
    long duplicates() { return duplicates.sum(); }
    long foreign() { return foreign.sum(); }
    long misrouted() { return misrouted.sum(); }
    java.util.List<String> misroutedExamples() { return java.util.List.copyOf(misroutedExamples); }
    /** Whether message {@code i} reached iot-data at or after {@code sinceNanos} (System.nanoTime()). */
    boolean reachedIotDataSince(int i, long sinceNanos) {
        long t = lastAtIotData.get(i);
        return t != 0 && t >= sinceNanos;
    }
}
