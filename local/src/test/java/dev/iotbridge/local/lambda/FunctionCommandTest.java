package dev.iotbridge.local.lambda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What each kind of function process receives: system properties and the heap bound reach a
 * native executable as its arguments, and the JVM through JAVA_TOOL_OPTIONS. The "executables"
 * are shell scripts that record their arguments and JAVA_TOOL_OPTIONS.
 */
class FunctionCommandTest {

    static final List<String> TRUST = List.of("-Djavax.net.ssl.trustStore=/ca/truststore.p12",
            "-Djavax.net.ssl.trustStoreType=PKCS12", "-Djavax.net.ssl.trustStorePassword=secret");

    /** Records its arguments (one per line) and JAVA_TOOL_OPTIONS in the working directory. */
    static final String RECORDER = "#!/bin/sh\n"
            + "printf '%s\\n' \"$@\" > args.txt\n"
            + "printf '%s' \"${JAVA_TOOL_OPTIONS-unset}\" > java-tool-options.txt\n";

    @TempDir
    Path dir;

    @Test
    void aNativeExecutableGetsTheHeapBoundAndSystemPropertiesAsArguments() throws Exception {
        Path zip = zip(dir.resolve("native.zip"), "bootstrap", RECORDER);
        FunctionCommand c = FunctionCommand.fromZip(zip, dir.resolve("work"), null, FunctionCommand.currentJava(),
                "bootstrap", List.of("-Xmx1g"), 256);
        Map<String, String> env = new HashMap<>();
        c = c.withSystemProperties(TRUST, env);

        run(c, env);
        List<String> expected = new ArrayList<>(List.of("-XX:MaxRAM=256m"));
        expected.addAll(TRUST);
        assertEquals(expected, Files.readAllLines(c.taskRoot().resolve("args.txt")));
        assertEquals("unset", Files.readString(c.taskRoot().resolve("java-tool-options.txt")));
    }

    @Test
    void theJvmGetsSystemPropertiesThroughJavaToolOptionsAfterTheOnesSetAlready() throws Exception {
        Path zip = zip(dir.resolve("jvm.zip"), "lib/handler.txt", "not a bootstrap");
        Path java = Files.writeString(dir.resolve("java"), RECORDER);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path ric = Files.createDirectories(dir.resolve("ric"));
        String arch = System.getProperty("os.arch").equals("aarch64") ? "aarch_64" : "x86_64";
        zip(ric.resolve("aws-lambda-java-runtime-interface-client-2.10.1.jar"), "jni/libaws-lambda-jni.linux-" + arch + ".so", "jni");
        FunctionCommand c = FunctionCommand.fromZip(zip, dir.resolve("work"), ric,
                java, FunctionCommand.QUARKUS_HANDLER, FunctionCommand.managedJava21Options(256), 256);
        Map<String, String> env = new HashMap<>(Map.of("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation"));
        assertSame(c, c.withSystemProperties(TRUST, env));

        run(c, env);
        List<String> args = Files.readAllLines(c.taskRoot().resolve("args.txt"));
        assertTrue(args.contains("-XX:MaxHeapSize=217m"), "the JVM's heap bound stays managedJava21Options': " + args);
        assertFalse(args.stream().anyMatch(a -> a.startsWith("-Djavax.net.ssl") || a.startsWith("-XX:MaxRAM")), args.toString());
        // the RIC's JNI library comes from this stack's work directory, not the /tmp path every RIC shares
        Path jni = dir.resolve("work/ric-jni/libaws-lambda-jni.so").toAbsolutePath();
        assertTrue(args.contains("-D" + FunctionCommand.RIC_JNI_PROPERTY + "=" + jni), args.toString());
        assertEquals("jni", Files.readString(jni));
        assertEquals("-XX:+TieredCompilation " + String.join(" ", TRUST),
                Files.readString(c.taskRoot().resolve("java-tool-options.txt")));
    }

    @Test
    void noPropertiesChangeNothingAndOtherRuntimesTakeNone() {
        FunctionCommand jvm = new FunctionCommand("jvm", List.of("java"), dir);
        Map<String, String> env = new HashMap<>();
        assertSame(jvm, jvm.withSystemProperties(List.of(), env));
        assertEquals(Map.of(), env, "no empty JAVA_TOOL_OPTIONS");
        FunctionCommand python = FunctionCommand.custom(List.of("python3", "-m", "awslambdaric", "h.handler"), dir);
        assertThrows(IllegalStateException.class, () -> python.withSystemProperties(TRUST, env));
        assertThrows(IllegalArgumentException.class, () -> jvm.withSystemProperties(List.of("-Xmx1g"), env));
    }

    private static void run(FunctionCommand c, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(c.command()).directory(c.taskRoot().toFile())
                .redirectErrorStream(true).redirectOutput(c.taskRoot().resolve("out.txt").toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "process ended");
        assertEquals(0, p.exitValue(), Files.readString(c.taskRoot().resolve("out.txt")));
    }

    private static Path zip(Path out, String entry, String content) throws IOException {
        try (OutputStream os = Files.newOutputStream(out); ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry(entry));
            z.write(content.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        return out;
    }
}
