package dev.iotbridge.function.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.Routes;
import dev.iotbridge.contract.TopicRules;
import dev.iotbridge.function.domain.MqttTopics;

/**
 * Fuzzes {@link Routes#parse} ({@code BRIDGE_ROUTES}) with arbitrary text. A bad route list
 * must be refused with the documented {@link IllegalArgumentException} (its message lists the
 * problems); any other exception is a finding. An accepted list must hold exactly the routes of
 * the input, each within the documented rules (checked against Jackson's own reading of the text).
 */
class RoutesFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({"\"name\"", "\"source_filter\"", "\"condition\"", "\"strip_prefix\"", "\"add_prefix\"",
            "\"qos\"", "\"retain\"", "null", "true", "false", "\"#\"", "\"+\"", "/#", "/+/", "$", "GROUND/v1/",
            "4294967297", "-1", "1.0", "1e2", "\\u0000", "\\ud800"})
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Routes routes;
        try {
            routes = Routes.parse(text);
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage(), "a refused route list always says why");
            return;
        }
        JsonNode given;
        try {
            given = JSON.readTree(text);
        } catch (Exception e) {
            fail("Routes.parse accepted text Jackson cannot read: " + e);
            return;
        }
        assertEquals(given.size(), routes.all().size(), "every input route is kept, none invented");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < routes.all().size(); i++) {
            Route r = routes.all().get(i);
            JsonNode in = given.get(i);
            assertTrue(Routes.NAME.matcher(r.name()).matches(), "name matches [A-Za-z0-9_]+: " + r.name());
            assertTrue(names.add(r.name()), "names are unique");
            assertEquals(in.get("name").asText(), r.name());
            assertNull(TopicRules.filterProblem(r.sourceFilter()), "source_filter is a valid filter");
            assertEquals(exactInteger(in.get("qos"), 1), BigInteger.valueOf(r.qos()),
                    "qos is exactly the integer given (or the default 1)");
            assertTrue(r.qos() == 0 || r.qos() == 1, "qos is 0 or 1");
            assertTrue(r.sourceFilter().startsWith(r.stripPrefix())
                    && !r.stripPrefix().contains("+") && !r.stripPrefix().contains("#"),
                    "strip_prefix is a literal start of source_filter");
            assertFalse(r.addPrefix().contains("+") || r.addPrefix().contains("#") || r.addPrefix().startsWith("$"),
                    "add_prefix has no wildcard and is not reserved");
        }
    }

    /** The integer a JSON value stands for exactly; anything else cannot have been accepted as qos. */
    private static BigInteger exactInteger(JsonNode n, long dflt) {
        if (n == null || n.isNull()) {
            return BigInteger.valueOf(dflt);
        }
        assertTrue(n.isIntegralNumber(), "qos was accepted from a non-integer: " + n);
        return n.bigIntegerValue();
    }
}
