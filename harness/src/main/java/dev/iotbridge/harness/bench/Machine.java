package dev.iotbridge.harness.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The machine the numbers were measured on (nproc, free, lscpu). */
public final class Machine {
    public static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("nproc", sh("nproc"));
        m.put("cpu", sh("sh", "-c", "lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1"));
        m.put("lscpu", sh("sh", "-c", "lscpu | grep -E '^(Architecture|CPU\\(s\\)|Thread|Core|Socket|Model name|CPU max MHz|L3|Hypervisor)'"));
        m.put("memory", sh("sh", "-c", "free -h | awk '/^Mem:/ {print $2 \" total, \" $7 \" available\"}'"));
        m.put("free", sh("free", "-h"));
        m.put("kernel", sh("uname", "-sr"));
        m.put("os", sh("sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\""));
        m.put("loadavg", sh("cat", "/proc/loadavg"));
        return m;
    }

    /**
     * How busy the machine is before the run (the machine may be shared): load averages and the
     * busy share of all CPUs over one second, plus the processes using the most CPU.
     */
    public static Map<String, Object> load() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loadavg", sh("cat", "/proc/loadavg"));
        long[] a = cpuTimes();
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        m.put("busyPercentOver1s", busyPercent(a, cpuTimes()));
        m.put("topProcesses", sh("sh", "-c", "ps -eo pcpu,comm --sort=-pcpu | sed -n '2,6p' | tr -s ' ' | paste -sd ';'"));
        return m;
    }

    /** {busy, total} jiffies of all CPUs from /proc/stat (for the machine's load during a run). */
    public static long[] cpuTimes() {
        try {
            String[] f = java.nio.file.Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[]{total - idle, total};
        } catch (Exception e) {
            return new long[]{0, 0};
        }
    }

    /** Busy share of all CPUs between two {@link #cpuTimes()} readings, in percent. */
    public static double busyPercent(long[] a, long[] b) {
        long total = b[1] - a[1];
        return total <= 0 ? Double.NaN : Math.round(1000.0 * (b[0] - a[0]) / total) / 10.0;
    }

    static String javaVersion(Path javaHome) {
        return sh(javaHome.resolve("bin/java").toString(), "-XshowSettings:properties", "-version")
                .lines().filter(l -> l.contains("java.runtime.version") || l.contains("java.vm.name"))
                .map(String::trim).reduce((a, b) -> a + "; " + b).orElse("?");
    }

    static String pythonVersion(Path python) {
        return sh(python.toString(), "-c",
                "import sys, boto3, awslambdaric; print(sys.version.split()[0], 'boto3', boto3.__version__, 'awslambdaric', getattr(awslambdaric, '__version__', '?'))");
    }

    public static String sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out;
        } catch (Exception e) {
            return "?";
        }
    }
}
