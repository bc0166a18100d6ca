package dev.iotbridge.contract;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One route (docs/interfaces.md#routes): the same keys as the Terraform variable {@code routes}
 * and the function's {@code BRIDGE_ROUTES}. {@link Routes#parse} validates routes; this record
 * only defaults the optional texts to "" ({@code condition} is for the source rule).
 */
public record Route(String name, String sourceFilter, String condition, String stripPrefix, String addPrefix,
        int qos, boolean retain) {

    public Route {
        condition = condition == null ? "" : condition;
        stripPrefix = stripPrefix == null ? "" : stripPrefix;
        addPrefix = addPrefix == null ? "" : addPrefix;
    }

    /** QoS 1, not retained, no condition (the defaults of docs/interfaces.md#routes). */
    public static Route of(String name, String sourceFilter, String stripPrefix, String addPrefix) {
        return new Route(name, sourceFilter, "", stripPrefix, addPrefix, 1, false);
    }

    public Route withCondition(String c) {
        return new Route(name, sourceFilter, c, stripPrefix, addPrefix, qos, retain);
    }

    public Route withQos(int q) {
        return new Route(name, sourceFilter, condition, stripPrefix, addPrefix, q, retain);
    }

    public Route withRetain(boolean r) {
        return new Route(name, sourceFilter, condition, stripPrefix, addPrefix, qos, r);
    }

    public boolean matches(String topic) {
        return TopicFilter.matches(sourceFilter, topic);
    }

    /** add_prefix + (source topic without strip_prefix); empty when the topic does not start with strip_prefix. */
    public Optional<String> mappedTopic(String sourceTopic) {
        return sourceTopic.startsWith(stripPrefix)
                ? Optional.of(addPrefix + sourceTopic.substring(stripPrefix.length()))
                : Optional.empty();
    }

    /** {@link #mappedTopic}, for a topic known to be within the route (IllegalArgumentException otherwise). */
    public String destinationTopic(String sourceTopic) {
        return mappedTopic(sourceTopic).orElseThrow(() -> new IllegalArgumentException(
                "topic " + sourceTopic + " does not start with strip_prefix '" + stripPrefix + "' of route " + name));
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
}
