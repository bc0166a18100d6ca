package dev.iotbridge.local.lambda;

import dev.iotbridge.contract.Route;
import dev.iotbridge.local.LocalBridgeStack;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The local stack's provided.al2023 path, without a native build: a FAKE native zip whose
 * {@code bootstrap} is a shell script that checks the environment a custom runtime gets and then
 * execs the real JVM function under AWS's runtime interface client. It proves what CI relies on
 * when it runs the real native zip (make test-local FUNCTION_ZIP=...): a zip with a root
 * {@code bootstrap} is started as {@code ./bootstrap} in its task root with
 * {@code AWS_LAMBDA_RUNTIME_API} and the provided.al2023 environment, gets the heap bound and the
 * local CA's trust store as arguments (iot-data is HTTPS here: without them no message crosses),
 * and every message crosses intact through it. It says nothing about the native binary itself (GitHub Actions runs that).
 */
class NativeBootstrapPathTest {

    static final String MARKER = "fake-native-bootstrap: runtime api ";

    @Test
    void aZipWithARootBootstrapRunsAsACustomRuntimeAndBridgesEveryMessage() throws Exception {
        Path jvmZip = Path.of(System.getProperty("local.function.zip", "../function/target/function.zip"));
        assertTrue(Files.isRegularFile(jvmZip), "missing " + jvmZip + ": run make package first");
        assumeFalse(hasBootstrap(jvmZip), "local.function.zip is already a native zip: the other end-to-end tests run it");
        Path work = Files.createDirectories(Path.of("target", "test-work", "native-bootstrap").toAbsolutePath());
        Path fakeZip = fakeNativeZip(jvmZip, work.resolve("function-fake-native.zip"));

        Route route = Route.of("ground", "GROUND/v1/#", "", "");
        try (LocalBridgeStack stack = LocalBridgeStack.builder().routes(List.of(route)).ephemeralPorts()
                .workDir(work.resolve("stack")).functionZip(fakeZip).iotDataTls(true).progress(null).build().start()) {
            FunctionInstance fn = stack.function();
            assertEquals("native", fn.command().kind(), "a zip with a root bootstrap runs as a custom runtime");
            List<String> expected = new ArrayList<>(List.of(fn.command().taskRoot().resolve("bootstrap").toString(),
                    "-XX:MaxRAM=512m"));
            expected.addAll(stack.iotDataCa().javaTrustOptions());
            assertEquals(expected, fn.command().command(), "the heap bound and the trust store as arguments");

            Map<String, byte[]> arrived = new ConcurrentHashMap<>();
            Mqtt5BlockingClient sub = Mqtt5Client.builder().identifier("sub-" + UUID.randomUUID()).serverHost("127.0.0.1")
                    .serverPort(stack.destinationMqttPort()).buildBlocking();
            sub.connect();
            sub.toAsync().subscribeWith().topicFilter("GROUND/v1/#").qos(MqttQos.AT_LEAST_ONCE)
                    .callback(p -> arrived.put(p.getTopic().toString(), p.getPayloadAsBytes())).send().join();
            Mqtt5BlockingClient pub = Mqtt5Client.builder().identifier("pub-" + UUID.randomUUID()).serverHost("127.0.0.1")
                    .serverPort(stack.sourceMqttPort()).buildBlocking();
            pub.connect();
            Map<String, byte[]> sent = new ConcurrentHashMap<>();
            for (int i = 0; i < 20; i++) {
                byte[] payload = new byte[64 + i];
                for (int j = 0; j < payload.length; j++) payload[j] = (byte) (i * 31 + j);
                String topic = "GROUND/v1/native/" + i + "/" + UUID.randomUUID();
                sent.put(topic, payload);
                pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
            }
            LocalBridgeStack.await(Duration.ofSeconds(90), () -> arrived.keySet().containsAll(sent.keySet()));
            pub.disconnect();
            sub.disconnect();
            assertEquals(sent.keySet(), arrived.keySet(), "every message crosses; counters " + stack.counters()
                    + "; function log " + fn.logFile());
            sent.forEach((t, p) -> assertArrayEquals(p, arrived.get(t), "payload of " + t));

            String log = Files.readString(fn.logFile(), StandardCharsets.UTF_8);
            assertTrue(log.contains(MARKER + fn.runtimeApi().address()),
                    "the bootstrap ran with AWS_LAMBDA_RUNTIME_API of this stack's Runtime API; log:\n" + log);
        }
    }

    private static boolean hasBootstrap(Path zip) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return z.getEntry("bootstrap") != null;
        }
    }

    /**
     * The JVM zip plus a root {@code bootstrap} script. The script fails (exit 3, so the function
     * never becomes ready and the test fails) unless it gets the provided.al2023 environment.
     */
    static Path fakeNativeZip(Path jvmZip, Path out) throws IOException {
        Path javaBin = FunctionCommand.currentJava();
        Path ric = Path.of(System.getProperty("bridge.ric.dir", "target/ric")).toAbsolutePath();
        String jvmOptions = String.join(" ", FunctionCommand.managedJava21Options(512));
        String script = "#!/bin/sh\n"
                + "# FAKE native bootstrap (test only): the JVM function behind a custom-runtime entry point.\n"
                + "[ \"$_HANDLER\" = bootstrap ] || { echo \"fake-native-bootstrap: _HANDLER=$_HANDLER\"; exit 3; }\n"
                + "[ -z \"${AWS_EXECUTION_ENV:-}\" ] || { echo \"fake-native-bootstrap: AWS_EXECUTION_ENV is set\"; exit 3; }\n"
                + "[ \"$DISABLE_SIGNAL_HANDLERS\" = true ] || { echo \"fake-native-bootstrap: DISABLE_SIGNAL_HANDLERS unset\"; exit 3; }\n"
                + "[ \"$(pwd -P)\" = \"$(cd \"$LAMBDA_TASK_ROOT\" && pwd -P)\" ] || { echo \"fake-native-bootstrap: cwd is not the task root\"; exit 3; }\n"
                + "[ -z \"${JAVA_TOOL_OPTIONS+set}\" ] || { echo \"fake-native-bootstrap: JAVA_TOOL_OPTIONS is set\"; exit 3; }\n"
                + "case \" $* \" in *\" -XX:MaxRAM=${AWS_LAMBDA_FUNCTION_MEMORY_SIZE}m \"*) ;; "
                + "*) echo \"fake-native-bootstrap: no heap bound for ${AWS_LAMBDA_FUNCTION_MEMORY_SIZE} MB in: $*\"; exit 3;; esac\n"
                + "echo \"" + MARKER + "$AWS_LAMBDA_RUNTIME_API\"\n"
                + "# the arguments go to the JVM as they would to SubstrateVM: its only way to trust the local CA\n"
                + "exec '" + javaBin + "' " + jvmOptions + " \"$@\" -cp '" + ric + "/*' "
                + "com.amazonaws.services.lambda.runtime.api.client.AWSLambda '" + FunctionCommand.QUARKUS_HANDLER + "'\n";
        try (ZipFile in = new ZipFile(jvmZip.toFile()); OutputStream os = Files.newOutputStream(out);
             ZipOutputStream z = new ZipOutputStream(os)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                z.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    is.transferTo(z);
                }
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry("bootstrap"));
            z.write(script.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        return out;
    }
}
