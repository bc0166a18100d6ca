package dev.iotbridge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One function instance: the handler process started like a Lambda execution environment
 * starts it, plus its CPU time (user+sys from /proc/PID/stat) and peak RSS (VmHWM from
 * /proc/PID/status).
 */
final class HandlerProcess implements AutoCloseable {
    static final long CLK_TCK = clockTicks();

    private final Process process;
    private final long startNanos;
    private final Path log;

    private HandlerProcess(Process process, long startNanos, Path log) {
        this.process = process;
        this.startNanos = startNanos;
        this.log = log;
    }

    static HandlerProcess start(List<String> command, Map<String, String> env, Path workDir, Path log)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().clear();
        // A Lambda environment is minimal; keep PATH/HOME/LANG so interpreters find themselves.
        for (String keep : List.of("PATH", "HOME", "LANG", "TZ")) {
            String v = System.getenv(keep);
            if (v != null) {
                pb.environment().put(keep, v);
            }
        }
        pb.environment().putAll(env);
        Files.createDirectories(log.getParent());
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        return new HandlerProcess(p, t0, log);
    }

    long startNanos() {
        return startNanos;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** user+sys CPU time of the process so far, in milliseconds (-1 if it is gone). */
    double cpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 utime, 15 stime
            return ticks * 1000.0 / CLK_TCK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Peak resident set size (VmHWM) in MiB (-1 if it is gone). */
    double peakRssMiB() {
        return statusKb("VmHWM:") / 1024.0;
    }

    private long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1024;
    }

    /** The last lines of the process's output, for error messages. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100;
        }
    }
}
