package dev.iotbridge.bench;

import dev.iotbridge.local.lambda.FunctionCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lambda's CPU share for a memory size, applied to each competitor's process: Lambda allocates
 * CPU in proportion to memory, one vCPU at 1,769 MB, so 512 MB gets 512/1769 ≈ 0.29 vCPU.
 *
 * <p>Enforced with a CFS bandwidth quota on a cgroup of its own per process (the process writes
 * itself into the group, then execs the handler): cgroup v2 ({@code cpu.max}) where the unified
 * hierarchy has the cpu controller, else cgroup v1 ({@code cpu.cfs_quota_us}); both need write
 * access to the cgroup file system (root). Where neither is possible the competitors run
 * unlimited and the results say so ({@code method: none}): the ratios between competitors still
 * hold, but throughput is then that of the whole machine's CPUs, not of Lambda's share.
 */
final class CpuLimit {
    /** Lambda: 1 vCPU at 1,769 MB of memory (proportional below and above). */
    static final double MB_PER_VCPU = 1769.0;
    private static final long PERIOD_US = 100_000;

    private final int memoryMb;
    private final double vcpu;
    private final String method;
    private final Path parent;          // where per-process groups are made (null: none)
    private final boolean v2;
    private final String why;

    private CpuLimit(int memoryMb, String method, Path parent, boolean v2, String why) {
        this.memoryMb = memoryMb;
        this.vcpu = memoryMb / MB_PER_VCPU;
        this.method = method;
        this.parent = parent;
        this.v2 = v2;
        this.why = why;
    }

    /** Probes the machine: cgroup v2 with the cpu controller, else cgroup v1's cpu hierarchy, else none. */
    static CpuLimit detect(int memoryMb, boolean wanted) {
        if (!wanted) {
            return new CpuLimit(memoryMb, "none", null, false, "disabled with --no-cpu-limit");
        }
        List<String> tried = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] f = line.split(" ");
                if (f.length < 4) continue;
                Path mount = Path.of(f[1]);
                if (f[2].equals("cgroup2")) {
                    Path controllers = mount.resolve("cgroup.controllers");
                    if (Files.isReadable(controllers) && List.of(Files.readString(controllers).trim().split(" ")).contains("cpu")
                            && probe(mount, true, tried)) {
                        return new CpuLimit(memoryMb, "cgroup v2 cpu.max", mount, true, null);
                    }
                    tried.add("cgroup v2 at " + mount + ": no cpu controller or not writable");
                } else if (f[2].equals("cgroup") && List.of(f[3].split(",")).contains("cpu")) {
                    if (probe(mount, false, tried)) {
                        return new CpuLimit(memoryMb, "cgroup v1 cpu.cfs_quota_us", mount, false, null);
                    }
                }
            }
        } catch (IOException e) {
            tried.add("/proc/mounts: " + e.getMessage());
        }
        return new CpuLimit(memoryMb, "none", null, false,
                "no writable cgroup cpu controller (" + (tried.isEmpty() ? "none mounted" : String.join("; ", tried))
                        + "); run as root on a machine with cgroups for Lambda's CPU share");
    }

    /** Can we make a group with a quota under {@code mount}? */
    private static boolean probe(Path mount, boolean v2, List<String> tried) {
        Path g = mount.resolve("iot-bridge-bench-probe-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(g);
            try {
                write(g, v2, 10_000);
                return true;
            } finally {
                Files.deleteIfExists(g);
            }
        } catch (IOException | RuntimeException e) {
            tried.add((v2 ? "cgroup v2 at " : "cgroup v1 at ") + mount + ": " + e.getMessage());
            return false;
        }
    }

    private static void write(Path group, boolean v2, long quotaUs) throws IOException {
        if (v2) {
            Files.writeString(group.resolve("cpu.max"), quotaUs + " " + PERIOD_US);
        } else {
            Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
            Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(quotaUs));
        }
    }

    boolean active() {
        return parent != null;
    }

    /** A group for one process: wraps its command so that it joins the group before it execs. */
    Group group(String name, FunctionCommand command) throws IOException {
        if (parent == null) {
            return new Group(null, command);
        }
        Path g = parent.resolve("iot-bridge-bench-" + ProcessHandle.current().pid() + "-" + name);
        Files.createDirectories(g);
        write(g, v2, Math.round(vcpu * PERIOD_US));
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"",
                g.resolve("cgroup.procs").toString()));
        cmd.addAll(command.command());
        return new Group(g, new FunctionCommand(command.kind(), cmd, command.taskRoot()));
    }

    /** One process's cgroup (removed once the process is gone). */
    record Group(Path dir, FunctionCommand command) implements AutoCloseable {
        /** CFS throttling of the group so far ({@code nr_throttled} of {@code nr_periods}), or null. */
        String throttled() {
            if (dir == null) return null;
            try {
                Map<String, String> m = new LinkedHashMap<>();
                for (String l : Files.readAllLines(dir.resolve("cpu.stat"))) {
                    String[] kv = l.split(" ");
                    if (kv.length == 2) m.put(kv[0], kv[1]);
                }
                return m.get("nr_throttled") + "/" + m.get("nr_periods") + " periods throttled";
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public void close() {
            if (dir == null) return;
            for (int i = 0; i < 50; i++) {       // the process may take a moment to be reaped
                try {
                    Files.deleteIfExists(dir);
                    return;
                } catch (IOException e) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /** What the results and the docs say about the limit. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memoryMb", memoryMb);
        m.put("vcpu", Math.round(vcpu * 1000) / 1000.0);
        m.put("method", method);
        if (active()) {
            m.put("quota", String.format(Locale.ROOT, "%d µs per %d µs period, one cgroup per process",
                    Math.round(vcpu * PERIOD_US), PERIOD_US));
        }
        if (why != null) {
            m.put("note", why);
        }
        return m;
    }
}
