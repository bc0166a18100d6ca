package dev.iotbridge.harness;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * What arrived of a run's messages, per message id: at the destination broker (the first arrival is
 * the delivery and its time, every later one a duplicate), at the iot-data endpoint (when last), and
 * the end-to-end latency from {@link #sent}. Every part of the harness counts with it: bench and load
 * by latency, chaos by id (lost = neither delivered nor in the DLQ).
 *
 * <p>The id travels in the MQTT payload, written and read by the run's {@link Ids}. With an expected
 * topic per id (chaos: the route maps nothing, so a message must arrive on the topic it was sent on),
 * an arrival on another topic is counted as misrouted, a failure, not as a delivery. Thread-safe
 * without locks: arrivals come from the broker's callback threads at thousands per second.
 */
public final class Tracker {

    /** How a run writes a message's id into its payload, and reads it back. */
    public interface Ids {
        byte[] payload(int id);

        /** The id in {@code payload}, or -1 when it is not a payload of this run. */
        int idOf(byte[] payload);
    }

    /**
     * The payload bench and load send, {@code {"message":"IoT message from account1","seq":N}}: the
     * sample's message with the id as {@code seq}.
     */
    public static final Ids SEQ = new Ids() {
        @Override
        public byte[] payload(int seq) {
            return ("{\"message\":\"IoT message from account1\",\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
        }

        /** The {@code "seq": N} field of a JSON payload (a cheap scan, no full parse). */
        @Override
        public int idOf(byte[] payload) {
            String s = new String(payload, StandardCharsets.UTF_8);
            int i = s.indexOf("\"seq\"");
            if (i < 0) {
                return -1;
            }
            i = s.indexOf(':', i) + 1;
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            int j = i;
            while (j < s.length() && Character.isDigit(s.charAt(j))) {
                j++;
            }
            return j > i && j - i < 10 ? Integer.parseInt(s.substring(i, j)) : -1;
        }
    };

    private final int size;
    private final Ids ids;
    private final IntFunction<String> expectedTopic;
    private final AtomicLongArray sentNanos;
    /** System.nanoTime() of the first arrival at the destination (0 = not arrived). */
    private final AtomicLongArray arrivedNanos;
    /** System.nanoTime() of the last arrival at iot-data (0 = never). */
    private final AtomicLongArray atIotDataNanos;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder foreign = new LongAdder();
    private final LongAdder misrouted = new LongAdder();
    private final List<String> misroutedExamples = new CopyOnWriteArrayList<>();

    /** Ids 0 to {@code size - 1}, arriving on any topic. */
    public Tracker(int size, Ids ids) {
        this(size, ids, null);
    }

    /** Ids 0 to {@code size - 1}; id {@code i} must arrive on {@code expectedTopic(i)}. */
    public Tracker(int size, Ids ids, IntFunction<String> expectedTopic) {
        this.size = size;
        this.ids = ids;
        this.expectedTopic = expectedTopic;
        this.sentNanos = new AtomicLongArray(size);
        this.arrivedNanos = new AtomicLongArray(size);
        this.atIotDataNanos = new AtomicLongArray(size);
    }

    /** How many ids this tracker counts (0 to size - 1). */
    public int size() {
        return size;
    }

    public byte[] payload(int id) {
        return ids.payload(id);
    }

    /** The id of this run's message in {@code payload}, or -1 (another run's, or not an id in range). */
    public int idOf(byte[] payload) {
        int id = payload == null ? -1 : ids.idOf(payload);
        return id >= 0 && id < size ? id : -1;
    }

    /** Message {@code id} left the sender at {@code nanos} (System.nanoTime()): its latency counts from there. */
    public void sent(int id, long nanos) {
        sentNanos.set(id, nanos);
    }

    /** A message arrived at the destination broker. */
    public void arrived(String topic, byte[] payload) {
        long now = stamp();
        int id = idOf(payload);
        if (id < 0) {
            foreign.increment();
            return;
        }
        if (expectedTopic != null && !expectedTopic.apply(id).equals(topic)) {
            misrouted.increment();
            if (misroutedExamples.size() < 5) {
                misroutedExamples.add("id " + id + " on " + topic + " (expected " + expectedTopic.apply(id) + ")");
            }
            return;
        }
        if (arrivedNanos.compareAndSet(id, 0, now)) {
            delivered.increment();
        } else {
            duplicates.increment();
        }
    }

    /** A message reached the iot-data endpoint (a publish request, accepted or not). */
    public void atIotData(byte[] payload) {
        int id = idOf(payload);
        if (id >= 0) {
            atIotDataNanos.set(id, stamp());
        }
    }

    /** 0 means "never" in the arrays: a clock reading of exactly 0 is taken as 1 ns later. */
    private static long stamp() {
        long now = System.nanoTime();
        return now == 0 ? 1 : now;
    }

    /** Distinct ids delivered at the destination. */
    public int delivered() {
        return delivered.intValue();
    }

    public boolean delivered(int id) {
        return arrivedNanos.get(id) != 0;
    }

    public int duplicates() {
        return duplicates.intValue();
    }

    /** Arrivals that carried no id of this run. */
    public int foreign() {
        return foreign.intValue();
    }

    /** Arrivals of this run's ids on another topic than expected. */
    public int misrouted() {
        return misrouted.intValue();
    }

    public List<String> misroutedExamples() {
        return List.copyOf(misroutedExamples);
    }

    public boolean reachedIotData(int id) {
        return atIotDataNanos.get(id) != 0;
    }

    /** Whether message {@code id} last reached iot-data at or after {@code sinceNanos} (System.nanoTime()). */
    public boolean reachedIotDataSince(int id, long sinceNanos) {
        long t = atIotDataNanos.get(id);
        return t != 0 && t >= sinceNanos;
    }

    /** End-to-end latencies in ms of the delivered messages with {@code fromId <= id < toId} that were {@link #sent}, sorted. */
    public double[] latenciesMs(int fromId, int toId) {
        int from = Math.max(0, fromId);
        int to = Math.min(size, toId);
        double[] out = new double[Math.max(0, to - from)];
        int n = 0;
        for (int i = from; i < to; i++) {
            double ms = latencyMs(i);
            if (ms >= 0) {
                out[n++] = ms;
            }
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }

    /** Latency in ms of one message, or -1 if it did not arrive (or was not {@link #sent}). */
    public double latencyMs(int id) {
        long arrived = arrivedNanos.get(id);
        long sent = sentNanos.get(id);
        return arrived != 0 && sent != 0 ? (arrived - sent) / 1e6 : -1;
    }

    /** The p-th percentile (nearest rank) of sorted values; NaN when there are none. */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    public static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        if (s.length == 0) {
            return Double.NaN;
        }
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
