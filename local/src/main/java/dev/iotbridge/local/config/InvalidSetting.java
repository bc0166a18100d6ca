package dev.iotbridge.local.config;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * One bad value or unknown key of the settings file, named relative to the object that holds it;
 * {@link BridgeConfig#load} puts the file and the path in front.
 */
public final class InvalidSetting extends IllegalArgumentException {
    private final String key;
    private final String problem;
    private final List<String> allowed;

    private InvalidSetting(String key, String problem, Collection<String> allowed) {
        super(key + " " + problem + (allowed == null ? "" : "; allowed here: " + new TreeSet<>(allowed)));
        this.key = key;
        this.problem = problem;
        this.allowed = allowed == null ? null : List.copyOf(new TreeSet<>(allowed));
    }

    /** {@code key = value: fix}. */
    static InvalidSetting value(String key, Object value, String fix) {
        return new InvalidSetting(key, "= " + value + ": " + fix, null);
    }

    static InvalidSetting unknownKey(String key, Collection<String> allowed) {
        return new InvalidSetting(key, "is not a key of this file", allowed);
    }

    String key() { return key; }

    String problem() { return problem; }

    /** The keys allowed beside an unknown one; null for a bad value. */
    List<String> allowed() { return allowed; }
}
