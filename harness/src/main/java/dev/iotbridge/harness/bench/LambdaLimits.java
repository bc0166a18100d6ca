package dev.iotbridge.harness.bench;

import dev.iotbridge.local.lambda.FunctionCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Lambda's limits for a memory size, applied to each competitor's process: the memory itself, and
 * the CPU share that comes with it (Lambda allocates CPU in proportion to memory, one vCPU at
 * 1,769 MB, so 512 MB gets 512/1769 ≈ 0.29 vCPU).
 *
 * <p>Each process gets cgroups of its own (it writes itself into them, then execs the handler).
 * CPU: a CFS bandwidth quota, cgroup v2 ({@code cpu.max}) where the unified hierarchy has the cpu
 * controller, else cgroup v1 ({@code cpu.cfs_quota_us}). Memory: cgroup v2 {@code memory.max}
 * where the unified hierarchy has the memory controller, else cgroup v1
 * {@code memory.limit_in_bytes}; swap is shut off for the group where the kernel accounts it, as
 * Lambda has none. All of it needs write access to the cgroup file system (root). What cannot be
 * set up is left out and the results say so ({@code method: none}): the ratios between
 * competitors still hold, but throughput is then that of the whole machine's CPUs, and a
 * competitor could use memory Lambda would not give it.
 *
 * <p>The memory limit counts the page cache the process brings in, as Lambda's does (its execution
 * environment is a VM of that size); the kernel reclaims that cache before it kills anything, so
 * only memory the process itself holds can end it, as on Lambda.
 */
public final class LambdaLimits {
    /** Lambda: 1 vCPU at 1,769 MB of memory (proportional below and above). */
    public static final double MB_PER_VCPU = 1769.0;
    private static final long PERIOD_US = 100_000;
    private static final long MIB = 1024L * 1024;

    private final int memoryMb;
    private final double vcpu;
    private final Controller cpu;
    private final Controller memory;

    /** Where one controller's per-process groups are made ({@code parent} null: not enforced, {@code note} says why). */
    private record Controller(String method, Path parent, boolean v2, String note) {
        boolean active() {
            return parent != null;
        }
    }

    private LambdaLimits(int memoryMb, Controller cpu, Controller memory) {
        this.memoryMb = memoryMb;
        this.vcpu = memoryMb / MB_PER_VCPU;
        this.cpu = cpu;
        this.memory = memory;
    }

    /** Probes the machine for each controller: cgroup v2 with it, else its cgroup v1 hierarchy, else none. */
    public static LambdaLimits detect(int memoryMb, boolean cpuWanted, boolean memoryWanted) {
        List<String[]> mounts = new ArrayList<>();
        String mountsError = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] f = line.split(" ");
                if (f.length >= 4) mounts.add(f);
            }
        } catch (IOException e) {
            mountsError = "/proc/mounts: " + e.getMessage();
        }
        long memoryBytes = memoryMb * MIB;
        long quotaUs = Math.round(memoryMb / MB_PER_VCPU * PERIOD_US);
        Controller cpu = cpuWanted
                ? find(mounts, mountsError, "cpu", "cgroup v2 cpu.max", "cgroup v1 cpu.cfs_quota_us", (g, v2) -> writeCpu(g, v2, quotaUs))
                : new Controller("none", null, false, "disabled with --no-cpu-limit");
        Controller mem = memoryWanted
                ? find(mounts, mountsError, "memory", "cgroup v2 memory.max", "cgroup v1 memory.limit_in_bytes", (g, v2) -> writeMemory(g, v2, memoryBytes))
                : new Controller("none", null, false, "disabled with --no-memory-limit");
        return new LambdaLimits(memoryMb, cpu, mem);
    }

    private interface Setter {
        void apply(Path group, boolean v2) throws IOException;
    }

    private static Controller find(List<String[]> mounts, String mountsError, String controller, String v2Method, String v1Method, Setter set) {
        List<String> tried = new ArrayList<>();
        if (mountsError != null) tried.add(mountsError);
        for (String[] f : mounts) {
            Path mount = Path.of(f[1]);
            if (f[2].equals("cgroup2")) {
                Path controllers = mount.resolve("cgroup.controllers");
                try {
                    if (Files.isReadable(controllers) && List.of(Files.readString(controllers).trim().split(" ")).contains(controller)) {
                        if (probe(mount, true, set, tried)) return new Controller(v2Method, mount, true, null);
                        continue;
                    }
                } catch (IOException e) {
                    // unreadable: as if the controller were not there
                }
                tried.add("cgroup v2 at " + mount + ": no " + controller + " controller");
            } else if (f[2].equals("cgroup") && List.of(f[3].split(",")).contains(controller)) {
                if (probe(mount, false, set, tried)) return new Controller(v1Method, mount, false, null);
            }
        }
        return new Controller("none", null, false, "no writable cgroup " + controller + " controller ("
                + (tried.isEmpty() ? "none mounted" : String.join("; ", tried))
                + "); run as root on a machine with cgroups for Lambda's " + (controller.equals("cpu") ? "CPU share" : "memory limit"));
    }

    /** Can we make a group with the limit under {@code mount}? */
    private static boolean probe(Path mount, boolean v2, Setter set, List<String> tried) {
        Path g = mount.resolve("iot-bridge-bench-probe-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(g);
            try {
                set.apply(g, v2);
                return true;
            } finally {
                Files.deleteIfExists(g);
            }
        } catch (IOException | RuntimeException e) {
            tried.add((v2 ? "cgroup v2 at " : "cgroup v1 at ") + mount + ": " + e.getMessage());
            return false;
        }
    }

    private static void writeCpu(Path group, boolean v2, long quotaUs) throws IOException {
        if (v2) {
            Files.writeString(group.resolve("cpu.max"), quotaUs + " " + PERIOD_US);
        } else {
            Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
            Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(quotaUs));
        }
    }

    private static void writeMemory(Path group, boolean v2, long bytes) throws IOException {
        if (v2) {
            Files.writeString(group.resolve("memory.max"), Long.toString(bytes));
            optional(group.resolve("memory.swap.max"), "0");
        } else {
            Files.writeString(group.resolve("memory.limit_in_bytes"), Long.toString(bytes));
            // memory+swap: the same total, i.e. no swap (must come after limit_in_bytes, which it may not undercut)
            optional(group.resolve("memory.memsw.limit_in_bytes"), Long.toString(bytes));
        }
    }

    /** Swap accounting exists only where the kernel was built with it; without it there is no swap to shut off. */
    private static void optional(Path file, String value) {
        if (Files.exists(file)) {
            try {
                Files.writeString(file, value);
            } catch (IOException e) {
                // the kernel refuses swap accounting changes on some setups: the memory limit itself still holds
            }
        }
    }

    public boolean active() {
        return cpu.active() || memory.active();
    }

    /** Groups for one process: wraps its command so that it joins them before it execs. */
    Group group(String name, FunctionCommand command) throws IOException {
        String dir = "iot-bridge-bench-" + ProcessHandle.current().pid() + "-" + name;
        Path cpuDir = null;
        Path memDir = null;
        if (cpu.active()) {
            cpuDir = cpu.parent().resolve(dir);
            Files.createDirectories(cpuDir);
            writeCpu(cpuDir, cpu.v2(), Math.round(vcpu * PERIOD_US));
        }
        if (memory.active()) {
            memDir = memory.parent().resolve(dir); // on cgroup v2 the same directory as the CPU's
            Files.createDirectories(memDir);
            writeMemory(memDir, memory.v2(), memoryMb * MIB);
        }
        Set<Path> dirs = new LinkedHashSet<>();
        if (cpuDir != null) dirs.add(cpuDir);
        if (memDir != null) dirs.add(memDir);
        if (dirs.isEmpty()) {
            return new Group(cpuDir, memDir, memory.v2(), List.of(), command);
        }
        // $0 = how many cgroup.procs files follow; joining happens before exec, so the handler's
        // every allocation and thread is inside the limits from its first instruction
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c",
                "n=$0; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 125; shift; n=$((n-1)); done; exec \"$@\"",
                Integer.toString(dirs.size())));
        for (Path d : dirs) cmd.add(d.resolve("cgroup.procs").toString());
        cmd.addAll(command.command());
        return new Group(cpuDir, memDir, memory.v2(), List.copyOf(dirs), new FunctionCommand(command.kind(), cmd, command.taskRoot()));
    }

    /** One process's cgroups (removed once the process is gone). */
    public record Group(Path cpuDir, Path memoryDir, boolean memoryV2, List<Path> dirs, FunctionCommand command) implements AutoCloseable {
        /** CFS throttling of the group so far ({@code nr_throttled} of {@code nr_periods}), or null. */
        String throttled() {
            long[] t = throttling();
            return t == null ? null : t[0] + "/" + t[1] + " periods throttled";
        }

        /** {@code {nr_throttled, nr_periods}} of the group's CPU quota so far, or null without a CPU group. */
        public long[] throttling() {
            if (cpuDir == null) return null;
            Map<String, String> m = keyValues(cpuDir.resolve("cpu.stat"));
            if (m == null || m.get("nr_throttled") == null || m.get("nr_periods") == null) return null;
            return new long[]{Long.parseLong(m.get("nr_throttled")), Long.parseLong(m.get("nr_periods"))};
        }

        /** Times the kernel's OOM killer ended a process of the group for the memory limit (null: not known). */
        Long oomKills() {
            if (memoryDir == null) return null;
            Map<String, String> m = keyValues(memoryDir.resolve(memoryV2 ? "memory.events" : "memory.oom_control"));
            return m == null || m.get("oom_kill") == null ? null : Long.parseLong(m.get("oom_kill"));
        }

        /**
         * The group's memory at its peak, page cache included (what the limit is held against, unlike
         * the process's RSS), its hits of the limit (cgroup v1: times reclaim had to make room) and
         * OOM kills; null without a memory group.
         */
        Map<String, Object> memory() {
            if (memoryDir == null) return null;
            Map<String, Object> m = new LinkedHashMap<>();
            Long peak = longOf(memoryDir.resolve(memoryV2 ? "memory.peak" : "memory.max_usage_in_bytes"));
            m.put("peakMiB", peak == null ? null : Math.round(peak * 10.0 / MIB) / 10.0);
            if (!memoryV2) {
                m.put("limitHits", longOf(memoryDir.resolve("memory.failcnt")));
            } else {
                Map<String, String> ev = keyValues(memoryDir.resolve("memory.events"));
                m.put("limitHits", ev == null || ev.get("max") == null ? null : Long.parseLong(ev.get("max")));
            }
            m.put("oomKills", oomKills());
            return m;
        }

        private static Long longOf(Path f) {
            try {
                return Long.parseLong(Files.readString(f).trim());
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        private static Map<String, String> keyValues(Path f) {
            try {
                Map<String, String> m = new LinkedHashMap<>();
                for (String l : Files.readAllLines(f)) {
                    String[] kv = l.split(" ");
                    if (kv.length == 2) m.put(kv[0], kv[1]);
                }
                return m;
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public void close() {
            for (Path dir : dirs) {
                remove(dir);
            }
        }

        private static void remove(Path dir) {
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

    /**
     * What the results and the docs say about the limits: the CPU part in the fields older results
     * files had (memoryMb, vcpu, method, quota, note), the memory limit under {@code memory}.
     */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memoryMb", memoryMb);
        m.put("vcpu", Math.round(vcpu * 1000) / 1000.0);
        m.put("method", cpu.method());
        if (cpu.active()) {
            m.put("quota", String.format(Locale.ROOT, "%d µs per %d µs period, one cgroup per process",
                    Math.round(vcpu * PERIOD_US), PERIOD_US));
        }
        if (cpu.note() != null) {
            m.put("note", cpu.note());
        }
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("method", memory.method());
        if (memory.active()) {
            mem.put("limitBytes", memoryMb * MIB);
            mem.put("limit", String.format(Locale.ROOT, "%d MiB, page cache included, no swap, one cgroup per process", memoryMb));
        }
        if (memory.note() != null) {
            mem.put("note", memory.note());
        }
        m.put("memory", mem);
        return m;
    }

    /** One line for the log. */
    public String summary() {
        return String.format(Locale.ROOT, "Lambda's limits for %d MB per competitor process: CPU %s; memory %s", memoryMb,
                cpu.active() ? String.format(Locale.ROOT, "%.3f vCPU (%s)", vcpu, cpu.method()) : "not limited (" + cpu.note() + ")",
                memory.active() ? String.format(Locale.ROOT, "%d MiB (%s)", memoryMb, memory.method()) : "not limited (" + memory.note() + ")");
    }
}
