package dev.iotbridge.local.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One route (docs/interfaces.md#routes): the same keys as the Terraform variable {@code routes} and the
 * function's {@code BRIDGE_ROUTES}.
 */
public record Route(String name, String sourceFilter, String condition, String stripPrefix,
                    String addPrefix, int qos, boolean retain) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");

    public Route {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("route name must match [A-Za-z0-9_]+: " + name);
        }
        if (sourceFilter == null || sourceFilter.isEmpty()) {
            throw new IllegalArgumentException("route " + name + ": source_filter is required");
        }
        condition = condition == null ? "" : condition;
        stripPrefix = stripPrefix == null ? "" : stripPrefix;
        addPrefix = addPrefix == null ? "" : addPrefix;
        if (qos != 0 && qos != 1) {
            throw new IllegalArgumentException("route " + name + ": qos must be 0 or 1");
        }
    }

    public static Route of(String name, String sourceFilter, String stripPrefix, String addPrefix) {
        return new Route(name, sourceFilter, "", stripPrefix, addPrefix, 1, false);
    }

    public Route withCondition(String c) { return new Route(name, sourceFilter, c, stripPrefix, addPrefix, qos, retain); }
    public Route withQos(int q) { return new Route(name, sourceFilter, condition, stripPrefix, addPrefix, q, retain); }
    public Route withRetain(boolean r) { return new Route(name, sourceFilter, condition, stripPrefix, addPrefix, qos, r); }

    /** Destination topic = add_prefix + (source topic without strip_prefix). */
    public String destinationTopic(String sourceTopic) {
        if (!sourceTopic.startsWith(stripPrefix)) {
            throw new IllegalArgumentException("topic " + sourceTopic + " does not start with " + stripPrefix);
        }
        return addPrefix + sourceTopic.substring(stripPrefix.length());
    }

    /** The JSON object shape of docs/interfaces.md#routes (snake_case keys), as in BRIDGE_ROUTES. */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("source_filter", sourceFilter);
        m.put("condition", condition);
        m.put("strip_prefix", stripPrefix);
        m.put("add_prefix", addPrefix);
        m.put("qos", qos);
        m.put("retain", retain);
        return m;
    }

    @SuppressWarnings("unchecked")
    public static Route fromJsonMap(Map<String, Object> m) {
        for (String k : m.keySet()) {
            if (!java.util.Set.of("name", "source_filter", "condition", "strip_prefix", "add_prefix", "qos", "retain").contains(k)) {
                throw new IllegalArgumentException("unknown route key '" + k + "' (known keys: name, source_filter, "
                        + "condition, strip_prefix, add_prefix, qos, retain)");
            }
        }
        Object qos = m.getOrDefault("qos", 1);
        Object retain = m.getOrDefault("retain", false);
        return new Route((String) m.get("name"), (String) m.get("source_filter"), (String) m.get("condition"),
                (String) m.get("strip_prefix"), (String) m.get("add_prefix"),
                ((Number) qos).intValue(), (Boolean) retain);
    }
}
