package dev.iotbridge.harness.load;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.iotbridge.harness.Results.JSON;
import static dev.iotbridge.harness.bench.Machine.sh;
import static dev.iotbridge.harness.Results.round;

/**
 * The capacity model's prediction beside each point of a load run: {@code harness/capacity/capacity.py
 * predict --instances N --batch B --memory M --payload BYTES --json} (docs/capacity.md), which gives
 * {@code msgPerSecond} (what N instances carry), {@code perInstanceMsgPerSecond},
 * {@code latencyP50Ms}/{@code latencyP99Ms} below capacity, the throughput {@code tolerance} (a fraction) and
 * the {@code latencyTolerance} of the step's utilisation band ({@code p50}, {@code p99}; null where the
 * latency is not judged).
 *
 * <p>How a point is judged: a step that keeps up delivered what was offered, so it shows only that
 * capacity is at least that rate; it agrees with the model when the offered rate is within the
 * model's capacity (plus tolerance), and its latencies are compared with the model's. A step that
 * fell behind measured the capacity itself: delivered / predicted must be within the tolerance.
 * Points where the machine (not the bridge) was the limit are shown but not judged.
 *
 * <p>Apart from those wall-clock comparisons, every step also gives the instances' CPU time per
 * message, which contention on the machine hardly changes: the per-instance rate it projects at the
 * full CPU share is compared with the model's per-instance rate at every step (judged whatever the
 * machine did, as the model's figure, too, is CPU-bound at the share).
 */
final class Model {
    static final String SCRIPT = "harness/capacity/capacity.py";

    private Model() {}

    static Map<String, Object> compare(Path root, List<Map<String, Object>> steps, int batch, int memoryMb, int payloadBytes, String build) {
        Map<String, Object> out = new LinkedHashMap<>();
        Path script = root.resolve(SCRIPT);
        if (!Files.isRegularFile(script)) {
            out.put("available", false);
            out.put("note", SCRIPT + " is not in this tree: measured points only");
            return out;
        }
        // one prediction per step: the latency depends on the rate offered to the N instances
        Map<String, JsonNode> predictions = new TreeMap<>();
        Map<String, Object> byN = new LinkedHashMap<>();
        for (Map<String, Object> s : steps) {
            String n = s.get("instances") + "@" + s.get("offeredMsgPerSecond");
            if (predictions.containsKey(n)) {
                continue;
            }
            List<String> cmd = new ArrayList<>(List.of("python3", script.toString(), "predict", "--instances", s.get("instances").toString(),
                    "--batch", Integer.toString(batch), "--memory", Integer.toString(memoryMb), "--payload", Integer.toString(payloadBytes),
                    "--rate", s.get("offeredMsgPerSecond").toString(), "--json"));
            if (!build.equals("native")) {
                cmd.addAll(List.of("--build", build));   // the model's default is the native build
            }
            String text = sh(cmd.toArray(String[]::new));
            try {
                JsonNode p = JSON.readTree(text);
                predictions.put(n, p);
                byN.put(n, p);
            } catch (Exception e) {
                out.put("available", false);
                out.put("note", String.join(" ", cmd) + " failed: " + text);
                return out;
            }
        }
        out.put("available", true);
        out.put("command", "python3 " + SCRIPT + " predict --instances N --batch " + batch + " --memory " + memoryMb
                + " --payload " + payloadBytes + " --rate OFFERED --json" + (build.equals("native") ? "" : " --build " + build));
        out.put("predictions", byN);
        List<Map<String, Object>> points = new ArrayList<>();
        for (Map<String, Object> s : steps) {
            points.add(point(s, predictions.get(s.get("instances") + "@" + s.get("offeredMsgPerSecond"))));
        }
        out.put("points", points);
        long judged = points.stream().filter(p -> p.get("withinTolerance") != null).count();
        long within = points.stream().filter(p -> Boolean.TRUE.equals(p.get("withinTolerance"))).count();
        out.put("judged", judged);
        out.put("withinTolerance", within);
        out.put("cpuProjectedJudged", points.stream().filter(p -> p.get("cpuProjectedWithinTolerance") != null).count());
        out.put("cpuProjectedWithinTolerance", points.stream().filter(p -> Boolean.TRUE.equals(p.get("cpuProjectedWithinTolerance"))).count());
        return out;
    }

    static Map<String, Object> point(Map<String, Object> s, JsonNode p) {
        double tol = p.path("tolerance").asDouble();
        double predicted = p.path("msgPerSecond").asDouble();
        double offered = num(s.get("offeredMsgPerSecond"));
        double delivered = num(s.get("deliveredMsgPerSecond"));
        boolean keepsUp = Boolean.TRUE.equals(s.get("keepsUp"));
        boolean machine = Boolean.TRUE.equals(s.get("machineLimited"));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("instances", s.get("instances"));
        r.put("offeredMsgPerSecond", offered);
        r.put("deliveredMsgPerSecond", delivered);
        r.put("predictedMsgPerSecond", predicted);
        r.put("predictedPerInstanceMsgPerSecond", p.path("perInstanceMsgPerSecond").asDouble());
        r.put("tolerance", tol);
        r.put("machineLimited", machine);
        if (keepsUp) {
            // below capacity: the model must allow the rate, and its latencies apply
            r.put("comparison", "below capacity: offered / predicted capacity");
            r.put("ratio", round(offered / predicted, 3));
            double p50 = num(s.get("p50Ms"));
            double p99 = num(s.get("p99Ms"));
            r.put("predictedP50Ms", p.path("latencyP50Ms").asDouble());
            r.put("predictedP99Ms", p.path("latencyP99Ms").asDouble());
            r.put("p50Ratio", round(p50 / p.path("latencyP50Ms").asDouble(), 3));
            r.put("p99Ratio", round(p99 / p.path("latencyP99Ms").asDouble(), 3));
            boolean rateOk = offered <= predicted * (1 + tol);
            r.put("rateWithinModel", rateOk);
            // the latency tolerance of the step's utilisation band, per percentile (latency.py); null where
            // the model's latency is not judged (near capacity): then only the rate is
            JsonNode latencyTol = p.path("latencyTolerance");
            Boolean latencyOk = null;
            if (latencyTol.isObject() && p.path("latencyP50Ms").isNumber() && p.path("latencyP99Ms").isNumber()) {
                latencyOk = within(p50 / p.path("latencyP50Ms").asDouble(), latencyTol.path("p50").asDouble())
                        && within(p99 / p.path("latencyP99Ms").asDouble(), latencyTol.path("p99").asDouble());
                r.put("latencyTolerance", Map.of("p50", latencyTol.path("p50").asDouble(), "p99", latencyTol.path("p99").asDouble()));
            } else {
                r.put("latencyNotJudged", p.path("sources").path("latencyToleranceBasis").asText());
            }
            r.put("latencyWithinTolerance", latencyOk);
            r.put("withinTolerance", machine ? null : rateOk && !Boolean.FALSE.equals(latencyOk));
        } else {
            r.put("comparison", "at capacity: delivered / predicted capacity");
            r.put("ratio", round(delivered / predicted, 3));
            r.put("withinTolerance", machine ? null : within(delivered / predicted, tol));
        }
        if (machine) {
            r.put("note", "the machine was the limit: not a test of the model");
        }
        Object projected = s.get("cpuProjectedPerInstanceMsgPerSecond");
        if (projected instanceof Number x) {
            double ratio = x.doubleValue() / p.path("perInstanceMsgPerSecond").asDouble();
            r.put("cpuProjectedPerInstanceMsgPerSecond", x.doubleValue());
            r.put("cpuProjectedRatio", round(ratio, 3));
            r.put("cpuProjectedWithinTolerance", within(ratio, tol));
        }
        return r;
    }

    private static boolean within(double ratio, double tol) {
        return Math.abs(ratio - 1) <= tol + 1e-9;
    }

    private static double num(Object o) {
        return o instanceof Number x ? x.doubleValue() : Double.NaN;
    }
}
