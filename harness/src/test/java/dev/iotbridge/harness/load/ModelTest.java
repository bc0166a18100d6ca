package dev.iotbridge.harness.load;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.iotbridge.harness.Results.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a load step is judged against `capacity.py predict --json` (its interface, docs/capacity.md). */
class ModelTest {

    private static JsonNode prediction(String latencyTolerance) throws Exception {
        return JSON.readTree("""
                {"msgPerSecond": 400.0, "perInstanceMsgPerSecond": 400.0, "tolerance": 0.2,
                 "latencyP50Ms": 50.0, "latencyP99Ms": 100.0, "latencyTolerance": %s,
                 "sources": {"latencyToleranceBasis": "no tolerance at ρ 0.98: past 0.85 the tail depends on the capacity"}}""".formatted(latencyTolerance));
    }

    private static Map<String, Object> step(double p50, double p99) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("instances", 1);
        s.put("offeredMsgPerSecond", 300.0);
        s.put("deliveredMsgPerSecond", 299.0);
        s.put("keepsUp", true);
        s.put("machineLimited", false);
        s.put("p50Ms", p50);
        s.put("p99Ms", p99);
        return s;
    }

    @Test
    void eachPercentileIsJudgedWithItsOwnTolerance() throws Exception {
        JsonNode p = prediction("{\"p50\": 0.1, \"p99\": 0.5}");
        assertEquals(true, Model.point(step(54, 149), p).get("latencyWithinTolerance"));
        assertEquals(false, Model.point(step(56, 149), p).get("latencyWithinTolerance"));
        Map<String, Object> p99Out = Model.point(step(54, 151), p);
        assertEquals(false, p99Out.get("latencyWithinTolerance"));
        assertEquals(false, p99Out.get("withinTolerance"));
    }

    @Test
    void whereTheLatencyIsNotJudgedOnlyTheRateIs() throws Exception {
        Map<String, Object> r = Model.point(step(500, 5000), prediction("null"));
        assertNull(r.get("latencyWithinTolerance"));
        assertEquals(true, r.get("withinTolerance"));
        assertTrue(String.valueOf(r.get("latencyNotJudged")).contains("past 0.85"), r.toString());
    }
}
