package dev.iotbridge.contract;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * A list of routes (a JSON array, docs/interfaces.md#routes: {@code BRIDGE_ROUTES}, the local
 * stack's {@code routes}), validated as a whole: {@link #parse} and {@link #fromTree} collect
 * every problem and throw one {@link IllegalArgumentException} listing them all. {@code null}
 * values take the default (Terraform's jsonencode of optional object attributes yields null).
 * Tree model only: a native image needs no reflection for it.
 */
public final class Routes {
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");
    /** The keys of a route, sorted (they are listed in the unknown-key warning). */
    private static final Set<String> KEYS = new TreeSet<>(List.of("name", "source_filter", "condition", "strip_prefix",
            "add_prefix", "qos", "retain"));
    /** Strict: a duplicate key or trailing text is an error, not a guess. */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final List<Route> ordered;
    private final Map<String, Route> byName;
    private final List<String> warnings;

    private Routes(List<Route> ordered, List<String> warnings) {
        this.ordered = List.copyOf(ordered);
        this.warnings = List.copyOf(warnings);
        Map<String, Route> m = new LinkedHashMap<>();
        for (Route r : ordered) {
            m.put(r.name(), r);
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    /** Non-fatal findings (unknown keys): the function logs them at start-up and ignores the keys. */
    public List<String> warnings() {
        return warnings;
    }

    /** These routes, or an {@link IllegalArgumentException} listing the {@link #warnings}: for files where a typo must stop start-up. */
    public Routes withoutUnknownKeys() {
        if (!warnings.isEmpty()) {
            throw new IllegalArgumentException("is invalid: " + String.join("; ", warnings));
        }
        return this;
    }

    public List<Route> all() {
        return ordered;
    }

    public Optional<Route> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Legacy envelopes carry no route: the first route (in order) whose source_filter matches. */
    public Optional<Route> firstMatching(String topic) {
        for (Route r : ordered) {
            if (r.matches(topic)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The routes in JSON text (BRIDGE_ROUTES); the message of the exception starts with "is ...". */
    public static Routes parse(String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("is empty; expected a JSON array of routes");
        }
        JsonNode root;
        try {
            root = STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("is not valid JSON: " + e.getOriginalMessage());
        }
        return fromTree(root);
    }

    /** The routes of an already read JSON array (e.g. the {@code routes} of a settings file). */
    public static Routes fromTree(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("must be a JSON array of route objects");
        }
        if (array.isEmpty()) {
            throw new IllegalArgumentException("contains no route; at least one route is required");
        }
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            Route route = route(array.get(i), "route[" + i + "]", problems, warnings);
            if (route != null && !names.add(route.name())) {
                problems.add("route[" + i + "] '" + route.name() + "': duplicate name");
            } else if (route != null) {
                routes.add(route);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("is invalid: " + String.join("; ", problems));
        }
        return new Routes(routes, warnings);
    }

    /** One route object, or null with every broken rule added to {@code problems}. */
    private static Route route(JsonNode n, String where, List<String> problems, List<String> warnings) {
        if (!n.isObject()) {
            problems.add(where + " is not an object");
            return null;
        }
        n.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) {
                warnings.add(where + " has unknown key '" + key + "' (known keys: " + String.join(", ", KEYS) + ")");
            }
        });
        List<String> found = new ArrayList<>();
        String name = text(n, "name", null, found);
        String filter = text(n, "source_filter", null, found);
        String strip = text(n, "strip_prefix", "", found);
        String add = text(n, "add_prefix", "", found);
        Route route = new Route(name, filter, text(n, "condition", "", found), strip, add, qos(n, found), retain(n, found));

        if (!n.hasNonNull("name")) {
            found.add("name is required");
        } else if (name != null && !NAME.matcher(name).matches()) {
            found.add("name must match [A-Za-z0-9_]+");
        }
        String filterProblem = filter == null ? null : TopicRules.filterProblem(filter);
        if (!n.hasNonNull("source_filter")) {
            found.add("source_filter is required");
        } else if (filterProblem != null) {
            found.add("source_filter '" + filter + "' is not a valid MQTT topic filter: " + filterProblem);
        } else if (filter != null && strip != null && !TopicFilter.literalPrefix(filter).startsWith(strip)) {
            found.add("strip_prefix '" + strip + "' must match the start of source_filter '" + filter
                    + "' (before any wildcard)");
        }
        String addProblem = add == null ? null : TopicRules.prefixProblem(add);
        if (addProblem != null) {
            found.add("add_prefix " + addProblem);
        }
        String unpublishable = found.isEmpty() ? fixedDestinationProblem(route) : null;
        if (unpublishable != null) {
            found.add(unpublishable);
        }
        String label = name == null ? where : where + " '" + name + "'";
        found.forEach(f -> problems.add(label + ": " + f));
        return found.isEmpty() ? route : null;
    }

    /** The string at {@code key}; the default when missing or null; null (a problem) when not a string. */
    private static String text(JsonNode n, String key, String dflt, List<String> found) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            found.add(key + " must be a string, got " + v);
            return null;
        }
        return v.asText();
    }

    private static int qos(JsonNode n, List<String> found) {
        JsonNode q = n.get("qos");
        if (q == null || q.isNull()) {
            return 1;
        }
        // canConvertToInt: asInt() keeps the low 32 bits, so 4294967297 would read as 1.
        if (!q.isIntegralNumber() || !q.canConvertToInt() || (q.asInt() != 0 && q.asInt() != 1)) {
            found.add("qos must be 0 or 1 (AWS IoT does not support QoS 2), got " + q);
            return 1;
        }
        return q.asInt();
    }

    private static boolean retain(JsonNode n, List<String> found) {
        JsonNode r = n.get("retain");
        if (r != null && !r.isNull() && !r.isBoolean()) {
            found.add("retain must be true or false, got " + r);
        }
        return r != null && r.asBoolean();
    }

    /**
     * A filter without wildcards has exactly one destination topic: a route whose only topic
     * cannot be published (empty, too long, too many levels) fails at start-up instead of
     * quarantining every message at run time.
     */
    private static String fixedDestinationProblem(Route route) {
        if (!TopicFilter.literalPrefix(route.sourceFilter()).equals(route.sourceFilter())) {
            return null;
        }
        TopicRules.Violation v = TopicRules.nameViolation(route.destinationTopic(route.sourceFilter()), "destination");
        return v == null ? null : "its only destination topic is not publishable (" + v.rule() + ": " + v.detail() + ")";
    }
}
