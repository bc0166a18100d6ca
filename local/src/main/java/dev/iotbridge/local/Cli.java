package dev.iotbridge.local;

import dev.iotbridge.contract.Route;
import dev.iotbridge.local.config.BridgeConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Command-line handling shared by {@link LocalStackMain} and {@link DemoMain}. */
final class Cli {
    final Map<String, String> flags = new LinkedHashMap<>();

    Cli(String[] args, List<String> known) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + a);
            String k;
            String v;
            if (a.contains("=")) {
                k = a.substring(2, a.indexOf('='));
                v = a.substring(a.indexOf('=') + 1);
            } else {
                k = a.substring(2);
                if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + a);
                v = args[++i];
            }
            if (!known.contains(k)) throw new IllegalArgumentException("unknown flag --" + k + " (known: --" + String.join(", --", known) + ")");
            flags.put(k, v);
        }
    }

    /** bridge.local.json (from --config, else local/bridge.local.json) with -Dbridge.* and flag overrides. */
    BridgeConfig config() {
        Path root = LocalBridgeStack.repoRoot();
        Path file = flags.containsKey("config") ? Path.of(flags.get("config"))
                : root == null ? Path.of("bridge.local.json") : root.resolve("local/bridge.local.json");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("configuration file " + file + " not found");
        BridgeConfig c = BridgeConfig.load(file).withSystemPropertyOverrides();
        List<String> rest = new ArrayList<>();
        flags.forEach((k, v) -> {
            if (List.of("sourceMqttPort", "destinationMqttPort", "sqsPort", "runtimeApiPort", "iotDataPort",
                    "sourceIotDataPort", "controlPort", "iotDataLatencyMs", "function").contains(k)) rest.add("--" + k + "=" + v);
        });
        return c.withArgs(rest.toArray(String[]::new));
    }

    static String describe(Route r) {
        String dest = r.addPrefix().isEmpty() && r.stripPrefix().isEmpty() ? "same topic"
                : "strip '" + r.stripPrefix() + "', add '" + r.addPrefix() + "'";
        return r.name() + ": " + r.sourceFilter() + (r.condition().isEmpty() ? "" : " WHERE " + r.condition())
                + " → " + dest + ", qos " + r.qos() + (r.retain() ? ", retain" : "");
    }

    static final List<String> PORT_FLAGS = List.of("config", "function", "sourceMqttPort", "destinationMqttPort",
            "sqsPort", "runtimeApiPort", "iotDataPort", "sourceIotDataPort", "controlPort", "iotDataLatencyMs");
}
