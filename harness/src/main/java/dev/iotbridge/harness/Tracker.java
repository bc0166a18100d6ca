package dev.iotbridge.harness;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;

/** Which sequence numbers arrived on the destination side, and when (for latencies). */
final class Tracker {
    private final BitSet seen;
    private final long[] sentNanos;
    private final long[] arrivedNanos;
    private int delivered;
    private int duplicates;
    private int foreign;

    Tracker(int expected) {
        seen = new BitSet(expected);
        sentNanos = new long[expected];
        arrivedNanos = new long[expected];
    }

    void sent(int seq, long nanos) {
        sentNanos[seq] = nanos;
    }

    void arrived(String topic, byte[] payload) {
        long now = System.nanoTime();
        int seq = seqOf(payload);
        synchronized (this) {
            if (seq < 0 || seq >= sentNanos.length) {
                foreign++;
            } else if (seen.get(seq)) {
                duplicates++;
            } else {
                seen.set(seq);
                arrivedNanos[seq] = now;
                delivered++;
            }
        }
    }

    synchronized int delivered() {
        return delivered;
    }

    synchronized int duplicates() {
        return duplicates;
    }

    synchronized int foreign() {
        return foreign;
    }

    /** End-to-end latencies in ms of the delivered messages with {@code fromSeq <= seq < toSeq}, sorted. */
    synchronized double[] latenciesMs(int fromSeq, int toSeq) {
        double[] out = new double[delivered];
        int n = 0;
        for (int i = seen.nextSetBit(fromSeq); i >= 0 && i < toSeq; i = seen.nextSetBit(i + 1)) {
            if (sentNanos[i] != 0) {
                out[n++] = (arrivedNanos[i] - sentNanos[i]) / 1e6;
            }
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }

    /** Latency in ms of one message, or -1 if it did not arrive. */
    synchronized double latencyMs(int seq) {
        return seen.get(seq) && sentNanos[seq] != 0 ? (arrivedNanos[seq] - sentNanos[seq]) / 1e6 : -1;
    }

    /** The {@code "seq": N} field of a JSON payload (cheap scan, no full parse). */
    static int seqOf(byte[] payload) {
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
        return j > i ? Integer.parseInt(s.substring(i, j)) : -1;
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        if (s.length == 0) {
            return Double.NaN;
        }
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
