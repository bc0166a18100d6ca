package dev.iotbridge.local.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * How to start the function's process: the command line and its working directory (the task
 * root, {@code /var/task} in Lambda).
 *
 * @param kind "jvm", "native" or "custom"
 */
public record FunctionCommand(String kind, List<String> command, Path taskRoot) {

    /** The handler of the JVM artifact (docs/interfaces.md). */
    public static final String QUARKUS_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";

    /**
     * JVM options close to the managed java21 runtime's defaults (serial GC, C1 only, CDS on),
     * with the heap sized from the memory setting as Lambda does.
     */
    public static List<String> managedJava21Options(int memoryMb) {
        List<String> o = new ArrayList<>();
        o.add("-XX:MaxHeapSize=" + (memoryMb * 85 / 100) + "m");
        o.add("-XX:+UseSerialGC");
        o.add("-XX:+TieredCompilation");
        o.add("-XX:TieredStopAtLevel=1");
        o.add("-Xshare:auto");
        o.add("-XX:-UsePerfData");
        o.add("-Djava.net.preferIPv4Stack=true");
        o.add("-Dfile.encoding=UTF-8");
        return o;
    }

    /**
     * The native executable's heap bound for a function of {@code memoryMb}. On Lambda the
     * execution environment has just the function's memory, and an image built without container
     * support sizes its heap from physical memory (80 % by default); here physical memory is the
     * whole machine's, so the executable is told Lambda's memory as its RAM and applies its own
     * percentage to it.
     */
    public static List<String> nativeMemoryOptions(int memoryMb) {
        return List.of("-XX:MaxRAM=" + memoryMb + "m");
    }

    /**
     * Unzips {@code function.zip} into {@code workDir/task} (fresh) and returns the command that
     * runs it: {@code ./bootstrap} with {@link #nativeMemoryOptions} if the zip holds a native
     * {@code bootstrap} (provided.al2023), else the JVM started like the managed java21 runtime
     * starts it: the runtime interface client ({@code AWSLambda}) on the system classpath, the task
     * root as working directory (the RIC loads {@code <task root>} and {@code <task root>/lib/*.jar}
     * into its customer class loader).
     *
     * @param ricDir     directory with aws-lambda-java-runtime-interface-client and its dependencies
     * @param javaBin    the {@code java} executable (>= 21)
     * @param jvmOptions options of the JVM kind, e.g. {@link #managedJava21Options} (which holds its heap bound)
     * @param memoryMb   the function's memory setting, for the native kind's heap bound
     */
    public static FunctionCommand fromZip(Path zip, Path workDir, Path ricDir, Path javaBin, String handler,
                                          List<String> jvmOptions, int memoryMb) throws IOException {
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException("function artifact " + zip.toAbsolutePath().normalize()
                    + " is missing: run ./mvnw -pl function -am package first (or make package)");
        }
        Path task = workDir.resolve("task");
        deleteTree(task);
        Files.createDirectories(task);
        unzip(zip, task);
        Path bootstrap = task.resolve("bootstrap");
        if (Files.isRegularFile(bootstrap)) {
            Files.setPosixFilePermissions(bootstrap, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> cmd = new ArrayList<>();
            cmd.add(bootstrap.toString());
            cmd.addAll(nativeMemoryOptions(memoryMb));
            return new FunctionCommand("native", List.copyOf(cmd), task);
        }
        if (ricDir == null || !Files.isDirectory(ricDir)) {
            throw new IllegalStateException("runtime interface client jars not found in " + ricDir
                    + " (built by ./mvnw -pl local -am generate-resources into local/target/ric)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin.toString());
        cmd.addAll(jvmOptions);
        if (javaBin.equals(currentJava()) && Runtime.version().feature() >= 24) {
            // What the managed java21 runtime needs no option for, JDK 24+ does: the RIC loads its JNI
            // library (JEP 472 warning), and JBoss Threads (Quarkus) resets thread locals through
            // java.lang internals (an IllegalAccessError at shutdown without the opening)
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
        }
        cmd.add("-D" + RIC_JNI_PROPERTY + "=" + unpackRicJni(ricDir, workDir));
        cmd.add("-cp");
        cmd.add(ricDir.toAbsolutePath() + "/*");
        cmd.add("com.amazonaws.services.lambda.runtime.api.client.AWSLambda");
        cmd.add(handler);
        return new FunctionCommand("jvm", List.copyOf(cmd), task);
    }

    /**
     * Gives the function process JVM system properties ({@code -Dk=v}, e.g. a trust store) the way
     * its kind reads them: the java21 runtime owns the JVM's command line, so on Lambda the only
     * way in is {@code JAVA_TOOL_OPTIONS}, which a native executable ignores; it parses {@code -D}
     * arguments of its own command line instead.
     *
     * @param env the process environment; the JVM kind's {@code JAVA_TOOL_OPTIONS} is extended in it
     * @return the command to start (this one unless the native kind needs arguments)
     */
    public FunctionCommand withSystemProperties(List<String> properties, Map<String, String> env) {
        if (properties.isEmpty()) return this;
        for (String p : properties) {
            if (!p.startsWith("-D")) throw new IllegalArgumentException("not a system property: " + p);
        }
        switch (kind) {
            case "jvm" -> {
                env.merge("JAVA_TOOL_OPTIONS", String.join(" ", properties), (a, b) -> a + " " + b);
                return this;
            }
            case "native" -> {
                List<String> cmd = new ArrayList<>(command);
                cmd.addAll(properties);
                return new FunctionCommand(kind, List.copyOf(cmd), taskRoot);
            }
            default -> throw new IllegalStateException("a " + kind + " command takes no JVM system properties");
        }
    }

    /** The RIC loads its JNI library from this path when set, instead of unpacking it itself. */
    static final String RIC_JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    /**
     * Unpacks the RIC's JNI library for this machine into {@code workDir} once. Left to itself the RIC
     * writes it to the fixed path {@code /tmp/.libaws-lambda-jni.so} at every start: on Lambda each
     * sandbox has its own /tmp, here several function processes share one, and a process starting
     * while another rewrites that file dies of SIGBUS in the dynamic loader.
     */
    private static Path unpackRicJni(Path ricDir, Path workDir) throws IOException {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch_64";
            default -> throw new IllegalStateException("no runtime interface client JNI library for os.arch "
                    + System.getProperty("os.arch"));
        };
        String entry = "jni/libaws-lambda-jni.linux-" + arch + ".so";
        Path ric;
        try (var files = Files.list(ricDir)) {
            ric = files.filter(f -> f.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client-"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("aws-lambda-java-runtime-interface-client jar not found in "
                            + ricDir + " (built by ./mvnw -pl local -am generate-resources into local/target/ric)"));
        }
        Path target = workDir.resolve("ric-jni").resolve("libaws-lambda-jni.so");
        Files.createDirectories(target.getParent());
        try (var jar = new ZipFile(ric.toFile())) {
            ZipEntry e = jar.getEntry(entry);
            if (e == null) throw new IllegalStateException(ric + " has no " + entry);
            try (InputStream in = jar.getInputStream(e)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target.toAbsolutePath();
    }

    /** Any other runtime process (e.g. a Python handler under awslambdaric, for benchmarks). */
    public static FunctionCommand custom(List<String> command, Path taskRoot) {
        return new FunctionCommand("custom", List.copyOf(command), taskRoot);
    }

    /** The java executable of this JVM (the build JDK, >= 21), unless overridden. */
    public static Path currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private static void unzip(Path zip, Path into) throws IOException {
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                Path target = into.resolve(e.getName()).normalize();
                if (!target.startsWith(into)) throw new IOException("zip entry outside target: " + e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(z, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Deletes a directory tree (no-op if absent). */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
