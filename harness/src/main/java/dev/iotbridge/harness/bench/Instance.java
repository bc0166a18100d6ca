package dev.iotbridge.harness.bench;

import dev.iotbridge.harness.StackEndpoints;
import dev.iotbridge.local.Counters;
import dev.iotbridge.local.LocalBridgeStack;
import dev.iotbridge.local.lambda.EventSourceMapping;
import dev.iotbridge.local.lambda.FunctionInstance;
import dev.iotbridge.local.lambda.RuntimeApiServer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One function instance of a competitor, run by the local stack's Lambda emulation
 * ({@link FunctionInstance} with its own {@link RuntimeApiServer}; no auto-restart: a process
 * that exits fails the run), plus what the benchmark reads about it: init timing, CPU time
 * (user+sys from /proc/PID/stat) and peak RSS (VmHWM from /proc/PID/status).
 */
public final class Instance implements AutoCloseable {
    static final long CLK_TCK = clockTicks();

    public final FunctionInstance fn;
    /** This instance's own counters (functionStarts tells a restart after a crash). */
    private final Counters counters;
    /** The cgroups holding Lambda's CPU share and memory for this process. */
    public final LambdaLimits.Group limits;

    private Instance(FunctionInstance fn, Counters counters, LambdaLimits.Group limits) {
        this.fn = fn;
        this.counters = counters;
        this.limits = limits;
    }

    /** Starts the competitor's process against a fresh Runtime API, in cgroups of its own with Lambda's CPU share and memory. */
    public static Instance start(Competitor c, Competitor.Launch l, Path log, LambdaLimits limit) throws IOException {
        RuntimeApiServer api = new RuntimeApiServer(LocalBridgeStack.freePort(),
                "arn:aws:lambda:us-east-1:000000000000:function:bench-" + c.id());
        api.start();
        Counters counters = new Counters();
        LambdaLimits.Group g = limit.group(c.id() + "-" + Long.toString(System.nanoTime(), 36), l.command());
        FunctionInstance fn = new FunctionInstance("bench-" + c.id(), api, g.command(), l.env(), log, null, counters);
        fn.setAutoRestart(false);
        Instance i = new Instance(fn, counters, g);
        fn.start();
        return i;
    }

    /** Fails if the process is gone (or was restarted by an invocation after it died). */
    public void checkAlive(String what) {
        if (!fn.isRunning() || counters.functionStarts.sum() > 1) {
            Long oom = limits.oomKills();
            // the kernel ends it with SIGKILL and the log just stops: only the cgroup tells why
            String cause = oom != null && oom > 0 ? " (killed by the memory limit: " + oom + " OOM kill(s) in its cgroup)" : "";
            throw new IllegalStateException("handler process exited" + what + cause + ":\n" + tail(30));
        }
    }

    /** Waits for the first GET …/invocation/next (init done). */
    public void waitInit(int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (fn.readyNanos() == 0) {
            checkInitError();
            checkAlive(" during init");
            if (System.nanoTime() > end) {
                throw new IllegalStateException("no /next within " + seconds + " s:\n" + tail(20));
            }
            Thread.sleep(1);
        }
    }

    void checkInitError() {
        if (fn.initError() != null) {
            throw new IllegalStateException("init error: " + fn.initError() + "\n" + tail(20));
        }
    }

    /** Process start to the first /next, in ns (Lambda's init duration). */
    public long initNanos() {
        return fn.readyNanos() - fn.startNanos();
    }

    /**
     * A pipelined SQS event source mapping (batch size, 1 s long polls, partial batch responses)
     * feeding this instance. Batches above 10 (SQS's maximum per receive) are gathered within a
     * batching window of 1 s, as Lambda requires a window for them.
     */
    EventSourceMapping mapping(StackEndpoints ep, String queueUrl, int batchSize, BatchStats stats) {
        return mapping(List.of(this), ep, queueUrl, batchSize, stats);
    }

    /** The same mapping over several instances: up to {@code instances.size()} invocations at once (its maximum concurrency). */
    public static EventSourceMapping mapping(List<Instance> instances, StackEndpoints ep, String queueUrl, int batchSize,
                                      Consumer<EventSourceMapping.BatchOutcome> stats) {
        java.time.Duration window = batchSize > 10 ? java.time.Duration.ofSeconds(1) : java.time.Duration.ZERO;
        EventSourceMapping esm = new EventSourceMapping(ep.sqs().client(), queueUrl, ep.sqs().arn(queueUrl), "us-east-1",
                instances.stream().map(i -> i.fn).toList(), new EventSourceMapping.Settings(batchSize, window,
                StackEndpoints.FUNCTION_TIMEOUT, 1, true), instances.get(0).counters);
        esm.setPipelined(true); // receive ahead, delete beside the next invocation, as Lambda's pollers do
        esm.setBatchListener(stats);
        if (stats instanceof BatchStats b) {
            esm.setLog(s -> b.lastError = s);
        }
        return esm;
    }

    /** user+sys CPU time of the process so far, in milliseconds (-1 if it is gone). */
    public double cpuMillis() {
        try {
            return cpuMillisOf(Files.readString(Path.of("/proc", Long.toString(fn.pid()), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime of a /proc stat line (process or thread), in milliseconds. */
    private static double cpuMillisOf(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 utime, 15 stime
        return ticks * 1000.0 / CLK_TCK;
    }

    /**
     * CPU milliseconds of the process's live threads, summed by thread name without its number
     * ("bridge-publish-3" and "bridge-publish-7" are "bridge-publish"; "C1 CompilerThread0" is the
     * JIT). Threads that already ended are not in /proc and not counted. Empty if it is gone.
     */
    Map<String, Double> cpuMillisByThread() {
        Map<String, Double> byName = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(fn.pid()), "task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[-#]?\\d*$", "");
                    byName.merge(name, cpuMillisOf(stat), Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return byName;
    }

    /** Peak resident set size (VmHWM) in MiB (-1 if it is gone). */
    double peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(fn.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** The last lines of the process's log, for error messages. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(fn.logFile());
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        fn.close();
        limits.close();
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

    /** Sums of the event source mapping's batch outcomes (what the throughput and e2e tables report). */
    static final class BatchStats implements Consumer<EventSourceMapping.BatchOutcome> {
        final AtomicLong invocations = new AtomicLong();
        final AtomicLong handled = new AtomicLong();      // records deleted after the invocation
        final AtomicLong retried = new AtomicLong();      // records left for redelivery (batchItemFailures or failed invocation)
        final AtomicLong errors = new AtomicLong();       // failed invocations / invalid responses
        final AtomicLong invokeNanos = new AtomicLong();  // sum of dispatch -> response, i.e. time inside the instance
        final AtomicLong billedMs = new AtomicLong();     // the same, each invocation rounded up to 1 ms as Lambda bills it
        volatile long firstInvokeNanos;
        volatile long firstAnsweredNanos;
        volatile long lastDoneNanos;
        volatile String lastError;

        @Override
        public void accept(EventSourceMapping.BatchOutcome b) {
            if (firstInvokeNanos == 0) {
                firstInvokeNanos = b.invokedNanos();
                firstAnsweredNanos = b.answeredNanos();
            }
            lastDoneNanos = b.answeredNanos();
            invocations.incrementAndGet();
            invokeNanos.addAndGet(b.answeredNanos() - b.invokedNanos());
            billedMs.addAndGet((b.answeredNanos() - b.invokedNanos() + 999_999) / 1_000_000);
            if (b.error() != null) {
                errors.incrementAndGet();
                lastError = b.error();
            }
            retried.addAndGet(b.retained());
            handled.addAndGet(b.deleted());
        }
    }
}
