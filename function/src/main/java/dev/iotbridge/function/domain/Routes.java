package dev.iotbridge.function.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The routes of {@code BRIDGE_ROUTES} (a JSON array, docs/interfaces.md#routes), validated as a whole.
 * {@link #parse} collects every problem and throws one {@link IllegalArgumentException}
 * listing them all. {@code null} values take the default (Terraform's jsonencode of
 * optional object attributes yields null).
 */
public final class Routes {
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");
    private static final Set<String> KEYS = Set.of("name", "source_filter", "condition", "strip_prefix", "add_prefix",
            "qos", "retain");
    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    /** Non-fatal findings (unknown keys), logged at start-up. */
    public List<String> warnings() {
        return warnings;
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

    public static Routes parse(String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("is empty; expected a JSON array of routes");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("must be a JSON array of route objects");
        }
        if (root.isEmpty()) {
            throw new IllegalArgumentException("contains no route; at least one route is required");
        }
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode n = root.get(i);
            String where = "route[" + i + "]";
            if (!n.isObject()) {
                problems.add(where + " is not an object");
                continue;
            }
            for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
                String key = it.next();
                if (!KEYS.contains(key)) {
                    warnings.add(where + " has unknown key '" + key + "' (ignored; known keys: "
                            + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
                }
            }
            int before = problems.size();
            String name = string(n, "name", null, where, problems);
            if (name != null) {
                where = "route[" + i + "] '" + name + "'";
                if (!NAME.matcher(name).matches()) {
                    problems.add(where + ": name must match [A-Za-z0-9_]+");
                } else if (!names.add(name)) {
                    problems.add(where + ": duplicate name");
                }
            } else if (problems.size() == before) {
                problems.add(where + ": name is required");
            }
            String filter = string(n, "source_filter", null, where, problems);
            if (filter == null) {
                problems.add(where + ": source_filter is required");
            } else {
                String why = MqttTopics.filterProblem(filter);
                if (why != null) {
                    problems.add(where + ": source_filter '" + filter + "' is not a valid MQTT topic filter: " + why);
                }
            }
            String condition = string(n, "condition", "", where, problems);
            String strip = string(n, "strip_prefix", "", where, problems);
            String add = string(n, "add_prefix", "", where, problems);
            if (strip != null && (strip.contains("+") || strip.contains("#"))) {
                problems.add(where + ": strip_prefix must not contain wildcards");
            }
            if (strip != null && filter != null && !strip.isEmpty()
                    && !MqttTopics.literalPrefix(filter).startsWith(strip)) {
                problems.add(where + ": strip_prefix '" + strip + "' must match the start of source_filter '" + filter
                        + "' (before any wildcard)");
            }
            if (add != null) {
                if (add.contains("+") || add.contains("#")) {
                    problems.add(where + ": add_prefix must not contain wildcards");
                } else if (add.startsWith("$")) {
                    problems.add(where + ": add_prefix must not start with '$' (reserved topics)");
                } else if (add.chars().anyMatch(c -> c <= 0x1F || (c >= 0x7F && c <= 0x9F))) {
                    problems.add(where + ": add_prefix contains control characters");
                }
            }
            int qos = 1;
            JsonNode q = n.get("qos");
            if (q != null && !q.isNull()) {
                if (!q.isIntegralNumber() || (q.asInt() != 0 && q.asInt() != 1)) {
                    problems.add(where + ": qos must be 0 or 1 (AWS IoT does not support QoS 2), got " + q);
                } else {
                    qos = q.asInt();
                }
            }
            boolean retain = false;
            JsonNode r = n.get("retain");
            if (r != null && !r.isNull()) {
                if (!r.isBoolean()) {
                    problems.add(where + ": retain must be true or false, got " + r);
                } else {
                    retain = r.asBoolean();
                }
            }
            if (problems.size() == before) {
                Route route = new Route(name, filter, condition, strip, add, qos, retain);
                String unpublishable = fixedDestinationProblem(route);
                if (unpublishable != null) {
                    problems.add(where + ": " + unpublishable);
                } else {
                    routes.add(route);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("is invalid: " + String.join("; ", problems));
        }
        return new Routes(routes, warnings);
    }

    /**
     * A filter without wildcards has exactly one destination topic: a route whose only topic
     * cannot be published (empty, too long, too many levels) fails at start-up instead of
     * quarantining every message at run time.
     */
    private static String fixedDestinationProblem(Route route) {
        if (!MqttTopics.literalPrefix(route.sourceFilter()).equals(route.sourceFilter())) {
            return null;
        }
        try {
            route.destinationTopic(route.sourceFilter());
            return null;
        } catch (BridgeException e) {
            return "its only destination topic is not publishable (" + e.code() + ": " + e.getMessage() + ")";
        }
    }

    private static String string(JsonNode n, String key, String dflt, String where, List<String> problems) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            problems.add(where + ": " + key + " must be a string, got " + v);
            return dflt;
        }
        return v.asText();
    }
}
