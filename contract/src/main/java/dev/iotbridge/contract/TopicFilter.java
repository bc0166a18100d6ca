package dev.iotbridge.contract;

/**
 * MQTT topic filters as brokers and the AWS IoT rules engine apply them (MQTT 5.0 section 4.7):
 * {@code +} matches one level, {@code #} the level it stands on and every level below (the parent
 * too: {@code a/#} matches {@code a}), and a filter starting with a wildcard does not match a
 * topic starting with {@code $} (4.7.2). The one implementation for the function (route
 * source_filter) and the local stack (subscriptions, rule FROM, publish policy).
 */
public final class TopicFilter {
    private TopicFilter() {
    }

    public static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** Null when the wildcards stand where MQTT allows them, else the reason. */
    public static String wildcardProblem(String filter) {
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return "'#' must be a whole level and the last one";
            }
            if (level.contains("+") && !level.equals("+")) {
                return "'+' must be a whole level";
            }
        }
        return null;
    }

    /** The literal part of a filter before its first wildcard (e.g. "a/b/" for "a/b/+/c"). */
    public static String literalPrefix(String filter) {
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (c == '+' || c == '#') {
                return filter.substring(0, i);
            }
        }
        return filter;
    }
}
