package dev.iotbridge.local;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The start of a stack: its progress lines ({@code [i/6] part: …}) and one time budget for all of
 * it. What takes the time is CPU: two HiveMQ brokers, ElasticMQ (Pekko) and their first requests
 * load and JIT-compile thousands of classes in a fresh JVM; on an idle 2-core machine that is a
 * few seconds, with a load average of 20 it took 16-40 s. So a step that runs long is reported
 * with the machine's load, and every wait uses what is left of the budget
 * ({@link LocalBridgeStack.Builder#startTimeout}): a start that cannot complete fails with a
 * message naming the step instead of hanging. (The function's own init has its own limit, step 6.)
 */
final class StartWatch implements AutoCloseable {
    static final int STEPS = 6;
    private static final long REPORT_EVERY_S = 15;
    private final Consumer<String> out;
    private final Duration limit;
    private final long deadline;
    private final Thread reporter;
    private volatile String step = "start";
    private volatile long stepStart = System.nanoTime();

    /** {@code out} takes the progress lines. */
    StartWatch(Duration limit, Consumer<String> out) {
        this.out = out;
        this.limit = limit;
        this.deadline = System.nanoTime() + limit.toNanos();
        this.reporter = new Thread(this::report, "local-stack-start-watch");
        reporter.setDaemon(true);
        reporter.start();
    }

    /** Starts step {@code i} of {@link #STEPS}: its line, and the name a slow or timed-out step is reported by. */
    void step(int i, String fmt, Object... args) {
        String line = String.format("[" + i + "/" + STEPS + "] " + fmt, args);
        int colon = line.indexOf(':');
        this.step = colon < 0 ? line : line.substring(0, colon);
        this.stepStart = System.nanoTime();
        progress("%s", line);
    }

    void progress(String fmt, Object... args) {
        out.accept(String.format(fmt, args));
    }

    /** What is left of the budget; throws when it is spent. */
    Duration remaining() {
        long left = deadline - System.nanoTime();
        if (left <= 0) throw timedOut(step);
        return Duration.ofNanos(left);
    }

    IllegalStateException timedOut(String what) {
        String limitText = limit.toMillis() < 1000 ? limit.toMillis() + " ms" : limit.toSeconds() + " s";
        return new IllegalStateException(what + " did not finish within the local stack's start limit of "
                + limitText + " (" + load() + "); the machine is probably too busy: start it again when "
                + "it is quieter, or allow more time with -Dbridge.startTimeoutSeconds=N");
    }

    private void report() {
        String reported = null;
        long next = REPORT_EVERY_S;
        try {
            while (true) {
                Thread.sleep(1000);
                String current = step;
                if (!current.equals(reported)) {
                    reported = current;
                    next = REPORT_EVERY_S;
                }
                long s = Duration.ofNanos(System.nanoTime() - stepStart).toSeconds();
                if (s >= next) {
                    progress("       … %s still starting after %d s (%s)", current, s, load());
                    next += REPORT_EVERY_S;
                }
            }
        } catch (InterruptedException e) {
            // start finished
        }
    }

    private static String load() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        double l = os.getSystemLoadAverage();
        int cpus = os.getAvailableProcessors();
        return (l < 0 ? "load average unknown" : String.format("load average %.1f", l)) + " on " + cpus
                + (cpus == 1 ? " CPU" : " CPUs");
    }

    @Override
    public void close() {
        reporter.interrupt();
    }
}
