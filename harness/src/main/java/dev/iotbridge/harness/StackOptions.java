package dev.iotbridge.harness;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;

/**
 * The flags bench and load share: where the harness and the function artifacts are, the Lambda
 * limits every function process runs under, the local stack's iot-data endpoint, and where results
 * go. The commands extend it ({@code BenchOptions}, {@code LoadOptions}); {@link #resolve()} fills in
 * the defaults that depend on other flags once parsing is done.
 */
public abstract class StackOptions implements Cli.Resolved {
    /** Where `make native-build` writes the native zip, relative to the repository root. */
    public static final String BUILT_NATIVE_ZIP = "function/target/native/function.zip";

    @Mixin
    Cli.Help help;

    @Option(names = "--bench-dir", paramLabel = "DIR", description = "the harness directory (harness/); the repository root is its parent (default: ./harness)")
    public Path benchDir = Path.of("harness").toAbsolutePath();

    @Option(names = "--java-home", paramLabel = "DIR", description = "the JDK the JVM function runs on (default: this JVM's)")
    public Path javaHome = Path.of(System.getProperty("java.home"));

    @Option(names = "--python", paramLabel = "PATH", description = "the Python of the Python handlers (default: <bench-dir>/.venv/bin/python)")
    public Path python;

    @Option(names = "--function-zip", paramLabel = "PATH", description = "the function artifact, JVM or native zip (default: function/target/function.zip)")
    public Path functionZip;

    /**
     * The native function's zip: --native-zip, else {@link #BUILT_NATIVE_ZIP} when it exists, else
     * the function zip when that is a native one; null when there is none.
     */
    @Option(names = "--native-zip", paramLabel = "PATH", description = "the native function's zip (default: " + BUILT_NATIVE_ZIP
            + " from `make native-build` if it exists, else the function zip if that is native)")
    public Path nativeZip;

    /** --native-zip given: a zip asked for by name must run, not be skipped. */
    public boolean nativeZipGiven;

    @Option(names = "--memory-mb", paramLabel = "N", description = "Lambda memory size whose memory (N MiB) and CPU share (N/1769 vCPU) "
            + "limit every function process; also the JVM heap sizing and the cost (default: ${DEFAULT-VALUE})")
    public int memoryMb = 512;

    public boolean cpuLimit = true;
    public boolean memoryLimit = true;
    public boolean tls = true;

    @Option(names = "--latency-ms", paramLabel = "N", description = "iot-data per-request latency (default: ${DEFAULT-VALUE})")
    public int latencyMs = 15;

    @Option(names = "--out", paramLabel = "PATH", description = "also copy the results JSON to PATH (e.g. a CI artifact)")
    public Path out;

    @Option(names = "--report-from", paramLabel = "JSON", description = "measure nothing: report a recorded results file again (bench: its tables, "
            + "and --docs; load: the capacity model beside it again, the file and its .md rewritten)")
    public Path reportFrom;

    @Option(names = "--command", paramLabel = "TEXT", description = "the command line recorded in the results (default: ${DEFAULT-VALUE})")
    public String commandLine;

    protected StackOptions(String command) {
        this.commandLine = command;
    }

    @Option(names = "--no-cpu-limit", description = "run the function processes without Lambda's CPU share")
    void noCpuLimit(boolean on) {
        cpuLimit = !on;
    }

    @Option(names = "--no-memory-limit", description = "run the function processes without Lambda's memory limit")
    void noMemoryLimit(boolean on) {
        memoryLimit = !on;
    }

    @Option(names = "--plain-http", description = "iot-data over plain HTTP (default: HTTPS with a CA made at start)")
    void plainHttp(boolean on) {
        tls = !on;
    }

    /** The defaults that depend on other flags; once, after parsing. */
    @Override
    public void resolve() {
        benchDir = benchDir.toAbsolutePath();
        nativeZipGiven = nativeZip != null;
        if (functionZip == null) {
            functionZip = benchDir.resolveSibling("function").resolve("target/function.zip");
        }
        functionZip = functionZip.toAbsolutePath();
        if (nativeZip == null) {
            Path built = benchDir.resolveSibling(BUILT_NATIVE_ZIP);
            if (Files.isRegularFile(built)) {
                nativeZip = built;
            } else if (isNativeZip(functionZip)) {
                nativeZip = functionZip;
            }
        } else {
            nativeZip = nativeZip.toAbsolutePath();
        }
        if (python == null) {
            python = benchDir.resolve(".venv/bin/python");
        }
        javaHome = javaHome.toAbsolutePath();
        if (out != null) out = out.toAbsolutePath();
        if (reportFrom != null) reportFrom = reportFrom.toAbsolutePath();
    }

    /** Whether the zip is a native one (a {@code bootstrap} at its root, the provided.al2023 runtime). */
    public static boolean isNativeZip(Path zip) {
        if (!Files.isRegularFile(zip)) {
            return false;
        }
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return z.getEntry("bootstrap") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
