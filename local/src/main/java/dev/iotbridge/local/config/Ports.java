package dev.iotbridge.local.config;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * A port for every {@link StackPort}: the defaults, the {@code ports} object of the settings
 * file, or overrides of them. Immutable; 0 stands for a free port picked at start.
 */
public final class Ports {
    private static final Ports DEFAULTS = new Ports(new EnumMap<>(StackPort.class));
    private final EnumMap<StackPort, Integer> ports;

    private Ports(Map<StackPort, Integer> given) {
        ports = new EnumMap<>(StackPort.class);
        for (StackPort p : StackPort.values()) {
            Integer v = given.get(p);
            ports.put(p, v == null ? p.defaultPort() : check(p, v));
        }
    }

    public static Ports defaults() { return DEFAULTS; }

    /** Every port picked free at start (tests, benchmarks, chaos, the demo). */
    public static Ports allFree() {
        Map<StackPort, Integer> free = new EnumMap<>(StackPort.class);
        for (StackPort p : StackPort.values()) free.put(p, 0);
        return new Ports(free);
    }

    /**
     * The {@code ports} object of the settings file: a key of {@link StackPort} each; a key left out or
     * null keeps its default. An unknown key is an error naming the keys allowed.
     */
    @JsonCreator
    public static Ports fromFile(Map<String, Integer> keys) {
        Map<StackPort, Integer> given = new EnumMap<>(StackPort.class);
        for (var e : keys.entrySet()) {
            StackPort p = StackPort.ofKey(e.getKey());
            if (p == null) {
                throw InvalidSetting.unknownKey(e.getKey(), Arrays.stream(StackPort.values()).map(StackPort::key).toList());
            }
            given.put(p, e.getValue());
        }
        return new Ports(given);
    }

    public int get(StackPort p) { return ports.get(p); }

    /** These ports with one changed. */
    public Ports with(StackPort p, int port) {
        Map<StackPort, Integer> m = new EnumMap<>(ports);
        m.put(p, port);
        return new Ports(m);
    }

    /** The configured port, or a free one where it is 0. */
    public int resolve(StackPort p) {
        int configured = get(p);
        return configured == 0 ? freePort() : configured;
    }

    /** A currently free TCP port on 127.0.0.1. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int check(StackPort p, int v) {
        if (v < 0 || v > 65535) {
            throw InvalidSetting.value(p.key(), v, "a TCP port is 1 to 65535, or 0 for a free one (ports." + p.key()
                    + " in the settings file, --" + p.flag() + " N, -Dbridge." + p.flag() + "=N)");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) { return o instanceof Ports other && ports.equals(other.ports); }

    @Override
    public int hashCode() { return ports.hashCode(); }

    @Override
    public String toString() { return ports.toString(); }
}
