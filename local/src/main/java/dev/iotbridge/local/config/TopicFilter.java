package dev.iotbridge.local.config;

/** MQTT topic filter matching (+ and #), as the broker and the IoT rules engine apply it. */
public final class TopicFilter {
    private TopicFilter() {}

    public static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        // Topics starting with $ are not matched by filters starting with a wildcard (MQTT 4.7.2).
        if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
            return false;
        }
        int i = 0;
        for (; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return i == t.length;
    }

    public static void validateFilter(String filter) {
        String[] f = filter.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            String s = f[i];
            if (s.equals("#") && i != f.length - 1) {
                throw new IllegalArgumentException("'#' must be the last level of topic filter " + filter);
            }
            if (!s.equals("#") && !s.equals("+") && (s.contains("#") || s.contains("+"))) {
                throw new IllegalArgumentException("wildcards must occupy a whole level in topic filter " + filter);
            }
        }
    }
}
