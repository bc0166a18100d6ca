package dev.iotbridge.local.lambda;

import dev.iotbridge.local.Counters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One execution environment of the function: its Runtime API server and its process. Like
 * Lambda, it (re)starts the process when needed, kills it when an invocation times out, and
 * fails the in-flight invocation when the process dies. Chaos tests use {@link #kill()}.
 */
public final class FunctionInstance implements AutoCloseable {

    /**
     * How long an invocation may wait for a runtime to take it (a cold start after a crash or a
     * kill). Lambda allows 10 s of init, retried within the invocation; a JVM start on a 2-core
     * machine shared with other work can take longer, and killing it then only starts another
     * slow cold start (a loop that made the chaos smoke test flaky).
     */
    static final Duration INIT_BUDGET = Duration.ofSeconds(60);
    /** Time for the runtime's response to arrive after the function's own deadline. */
    static final Duration RESPONSE_GRACE = Duration.ofSeconds(1);

    private final String name;
    private final RuntimeApiServer runtimeApi;
    private final FunctionCommand command;
    private final Map<String, String> env;
    private final Path logFile;
    private final PrintStream echo;
    private final Counters counters;
    private volatile boolean autoRestart = true;
    private volatile boolean closed;

    private Process process;
    private volatile long startNanos;
    private volatile long readyNanos;
    private volatile CountDownLatch ready = new CountDownLatch(1);
    private volatile Duration lastInitDuration;
    private volatile String initError;

    /**
     * @param echo where to copy the process output with a "[name] " prefix, or null for the log
     *             file only
     */
    public FunctionInstance(String name, RuntimeApiServer runtimeApi, FunctionCommand command,
                            Map<String, String> env, Path logFile, PrintStream echo, Counters counters) {
        this.name = name;
        this.runtimeApi = runtimeApi;
        this.command = command;
        this.env = new LinkedHashMap<>(env);
        this.logFile = logFile;
        this.echo = echo;
        this.counters = counters;
        runtimeApi.setListener(new RuntimeApiServer.Listener() {
            @Override
            public void onNext() {
                if (readyNanos == 0) {
                    readyNanos = System.nanoTime();
                    lastInitDuration = Duration.ofNanos(readyNanos - startNanos);
                }
                ready.countDown();
            }

            @Override
            public void onInitError(String type, String body) {
                initError = type + ": " + body;
                log("init error: " + initError);
                runtimeApi.failInFlight(type, body);
            }
        });
    }

    public String name() { return name; }
    public Path logFile() { return logFile; }
    public FunctionCommand command() { return command; }
    public RuntimeApiServer runtimeApi() { return runtimeApi; }
    public void setAutoRestart(boolean b) { autoRestart = b; }

    /** The environment the process gets (besides PATH, LANG, TZ and the Runtime API address). */
    public synchronized Map<String, String> env() { return Map.copyOf(env); }

    /**
     * UpdateFunctionConfiguration's Environment: replaces the variables and starts a fresh process
     * with them (Lambda, too, runs new invocations in new execution environments after an update).
     */
    public void updateEnv(Map<String, String> variables) {
        synchronized (this) {
            env.clear();
            env.putAll(variables);
        }
        restart();
    }

    /** Process start to the first GET …/invocation/next (what Lambda reports as Init Duration). */
    public Duration lastInitDuration() { return lastInitDuration; }

    /** System.nanoTime() of the last process start (0 before the first). */
    public long startNanos() { return startNanos; }

    /** System.nanoTime() of the current process's first GET …/invocation/next (0 while it initialises). */
    public long readyNanos() { return readyNanos; }

    /** The init error the current process reported (POST …/init/error), or null. */
    public String initError() { return initError; }

    public synchronized boolean isRunning() { return process != null && process.isAlive(); }

    public synchronized long pid() { return process == null ? -1 : process.pid(); }

    /** Starts the process if it is not running. */
    public synchronized void start() {
        if (closed) throw new IllegalStateException("function instance closed");
        if (isRunning()) return;
        ProcessBuilder pb = new ProcessBuilder(command.command()).directory(command.taskRoot().toFile());
        Map<String, String> e = pb.environment();
        String path = e.get("PATH");
        e.clear();
        e.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
        e.put("LANG", "en_US.UTF-8");
        e.put("TZ", ":UTC");
        e.put("LAMBDA_TASK_ROOT", command.taskRoot().toString());
        e.putAll(env);
        e.put("AWS_LAMBDA_RUNTIME_API", runtimeApi.address());
        pb.redirectErrorStream(true);
        if (echo == null) {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        }
        runtimeApi.newGeneration();
        readyNanos = 0;
        initError = null;
        ready = new CountDownLatch(1);
        startNanos = System.nanoTime();
        try {
            Files.createDirectories(logFile.getParent());
            process = pb.start();
        } catch (IOException ex) {
            throw new IllegalStateException("cannot start function process " + command.command() + ": " + ex, ex);
        }
        counters.functionStarts.increment();
        Process p = process;
        if (echo != null) pump(p);
        p.onExit().thenAccept(this::exited);
    }

    private void pump(Process p) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 Writer w = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                         StandardOpenOption.APPEND)) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.write(line);
                    w.write('\n');
                    w.flush();
                    echo.println("[" + name + "] " + line);
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, name + "-log");
        t.setDaemon(true);
        t.start();
    }

    private void exited(Process p) {
        boolean restart;
        synchronized (this) {
            if (p != process) return;   // an older process
            // 130 = ended by SIGINT: Ctrl-C reaches the whole process group, the stack is being
            // stopped too (possibly a moment after the function saw the signal); no restart
            restart = autoRestart && !closed && p.exitValue() != 130;
        }
        runtimeApi.newGeneration();   // its pending long poll must not take the next invocation
        runtimeApi.failInFlight("Runtime.ExitError", "RequestId: - Error: Runtime exited with exit code " + p.exitValue());
        if (!closed && p.exitValue() != 130) log("process exited with code " + p.exitValue() + (restart ? "; restarting" : ""));
        if (restart) {
            try {
                // a crash loop must not spin: wait a little when the process lived very briefly
                if (System.nanoTime() - startNanos < TimeUnit.SECONDS.toNanos(1)) Thread.sleep(500);
                synchronized (this) {
                    if (!closed && !isRunning()) start();
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException re) {
                log("restart failed: " + re);
            }
        }
    }

    /** SIGKILLs the process (as a crash or Lambda's timeout kill would). It restarts if auto-restart is on. */
    public void kill() {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Kills the process and starts a fresh one (a new cold start). */
    public void restart() {
        boolean ar = autoRestart;
        autoRestart = false;
        try {
            kill();
        } finally {
            autoRestart = ar;
        }
        start();
    }

    /** Waits until the runtime asked for its first invocation. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Invokes the function with an event and waits for its response; throws
     * {@link Invocation.InvocationError} when it answered with an error, died, or timed out (then
     * the process is killed, as Lambda does).
     */
    public byte[] invoke(byte[] event, Duration timeout) throws InterruptedException {
        if (!isRunning()) start();
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        String traceId = "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 24) + ";Parent="
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16) + ";Sampled=0";
        Invocation inv = new Invocation(UUID.randomUUID().toString(), event, deadline, traceId);
        runtimeApi.submit(inv);
        counters.invocations.increment();
        long submitted = System.nanoTime();
        try {
            while (true) {
                try {
                    return inv.result.get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    long taken = inv.takenNanos;
                    long now = System.nanoTime();
                    // Lambda's clock for the function timeout starts when the runtime takes the
                    // event; before that the invocation waits for a (re)starting runtime, whose
                    // cold start can take far longer on a loaded laptop than on Lambda
                    boolean late = taken != 0 ? now - taken > timeout.toNanos() + RESPONSE_GRACE.toNanos()
                            : now - submitted > INIT_BUDGET.toNanos();
                    if (late) {
                        counters.invocationErrors.increment();
                        inv.result.completeExceptionally(new Invocation.InvocationError("Sandbox.Timedout", "timed out"));
                        String what = taken != 0 ? "timed out after " + timeout : "was not taken by a runtime within "
                                + INIT_BUDGET.toSeconds() + " s (cold start)";
                        log("invocation " + inv.requestId + " " + what + "; killing the process");
                        kill();
                        throw new Invocation.InvocationError("Sandbox.Timedout", "Task " + what);
                    }
                }
            }
        } catch (ExecutionException e) {
            counters.invocationErrors.increment();
            if (e.getCause() instanceof Invocation.InvocationError ie) throw ie;
            throw new Invocation.InvocationError("Runtime.Unknown", String.valueOf(e.getCause()));
        }
    }

    private void log(String s) {
        String line = "[lambda " + name + "] " + s;
        if (echo != null) echo.println(line);
        try {
            Files.writeString(logFile, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        closed = true;
        Process p;
        synchronized (this) {
            p = process;
        }
        java.util.List<ProcessHandle> kids = p == null ? java.util.List.of() : p.descendants().toList();
        if (p != null && p.isAlive()) {
            // SIGKILL, as Lambda ends a runtime that has no extension registered: a SIGTERM would
            // run the native function's shutdown hooks while its poll loop waits on /next, which
            // Quarkus then logs as an ERROR with a stack trace that no deployment ever shows
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        kids.forEach(ProcessHandle::destroyForcibly);
        runtimeApi.close();
    }
}
