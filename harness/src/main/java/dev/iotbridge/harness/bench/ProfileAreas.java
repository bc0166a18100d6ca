package dev.iotbridge.harness.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the JVM function's CPU goes, by code area, from a JFR recording of a throughput run
 * ({@code --profile}): for the whole run and for its steady state (the samples taken after half
 * of the messages were handled, the same split as {@code cpuMsPerMsgSecondHalf}).
 *
 * <p>Each execution sample counts once, for the innermost frame that belongs to a named area: a
 * {@code StringBuilder.append} called by the SigV4 signer is signing, a GHASH step called by the
 * TLS layer is crypto (so is SHA-2 hashing called by the signer). Samples with no named frame in
 * the recorded stack (JFR keeps 64 frames) count as "JDK, other". JFR samples threads running
 * Java code only: the JIT compiler and the GC are in {@code cpuShareByThread} instead.
 */
final class ProfileAreas {
    /** Area name → class-name prefixes, most specific first (the first match wins). */
    private static final Map<String, List<String>> AREAS = new LinkedHashMap<>();

    static {
        AREAS.put("crypto: AES-GCM (TLS), SHA-2 (TLS, SigV4), EC",
                List.of("com.sun.crypto.", "sun.security.provider.", "sun.security.ec.", "sun.security.util.math."));
        AREAS.put("TLS records and handshake (JSSE)", List.of("sun.security.ssl."));
        AREAS.put("HTTP/1.1 client (HttpURLConnection)", List.of("sun.net.www."));
        AREAS.put("SDK URL-connection client", List.of("software.amazon.awssdk.http.urlconnection."));
        AREAS.put("SDK SigV4 signing", List.of("software.amazon.awssdk.http.auth."));
        AREAS.put("SDK JSON marshalling", List.of("software.amazon.awssdk.protocols."));
        AREAS.put("SDK request pipeline, interceptors, utilities", List.of("software.amazon.awssdk."));
        AREAS.put("JSON: Jackson (Lambda event, SDK)", List.of("com.fasterxml.jackson."));
        AREAS.put("the bridge (dev.iotbridge)", List.of("dev.iotbridge."));
        AREAS.put("Lambda runtime client, Quarkus", List.of("com.amazonaws.services.lambda.", "io.quarkus."));
        AREAS.put("socket I/O", List.of("sun.nio.ch.", "java.net.Socket", "java.net.Inet", "java.net.Net"));
    }

    static final String OTHER = "JDK, other (threads, collections, class loading)";

    private ProfileAreas() {
    }

    /** The table as text; {@code secondHalfFrom} null = no steady-state column. */
    static String summarize(Path jfr, Instant secondHalfFrom) throws IOException {
        Map<String, int[]> counts = new LinkedHashMap<>();
        AREAS.keySet().forEach(a -> counts.put(a, new int[2]));
        counts.put(OTHER, new int[2]);
        int all = 0;
        int second = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            int[] c = counts.get(areaOf(e.getStackTrace().getFrames()));
            boolean steady = secondHalfFrom != null && !e.getStartTime().isBefore(secondHalfFrom);
            c[0]++;
            all++;
            if (steady) {
                c[1]++;
                second++;
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "CPU samples by code area (each sample counted once, for its innermost frame in a named area)%n"));
        sb.append(String.format(Locale.ROOT, "%-52s %10s %12s%n", "area", "whole run", "second half"));
        for (Map.Entry<String, int[]> en : counts.entrySet()) {
            sb.append(String.format(Locale.ROOT, "%-52s %9.1f%% %11s%n", en.getKey(), percent(en.getValue()[0], all),
                    secondHalfFrom == null ? "-" : String.format(Locale.ROOT, "%.1f%%", percent(en.getValue()[1], second))));
        }
        sb.append(String.format(Locale.ROOT, "%-52s %10d %12s%n", "samples", all, secondHalfFrom == null ? "-" : Integer.toString(second)));
        return sb.toString();
    }

    static String areaOf(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            if (f.getMethod() == null || f.getMethod().getType() == null) {
                continue;
            }
            String cls = f.getMethod().getType().getName();
            for (Map.Entry<String, List<String>> a : AREAS.entrySet()) {
                for (String prefix : a.getValue()) {
                    if (cls.startsWith(prefix)) {
                        return a.getKey();
                    }
                }
            }
        }
        return OTHER;
    }

    private static double percent(int part, int whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}
