package dev.iotbridge.local;

import dev.iotbridge.contract.Route;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A normal run of the real function artifact (JVM or native, {@code -Dlocal.function.zip}) logs no
 * WARN, no ERROR and no stack trace, from its start to the moment the stack stops it: the audit
 * lines are JSON, so any plain {@code WARN}/{@code ERROR} line is the framework or the runtime
 * complaining.
 */
class QuietFunctionLogTest {

    @Test
    void aMessageCrossesAndTheFunctionLogStaysQuietUntilTheStackStops() throws Exception {
        Path log;
        try (LocalBridgeStack stack = LocalBridgeStack.builder()
                .routes(List.of(Route.of("ground", "GROUND/v1/#", "", "")))
                .ephemeralPorts()
                .workDir(TestDirs.fresh("quiet"))
                .functionZip(EndToEndTest.functionZip())
                .build().start();
             TestMqtt dest = new TestMqtt(stack.destinationMqttPort(), "quiet-dest").subscribe("#");
             TestMqtt device = new TestMqtt(stack.sourceMqttPort(), "quiet-dev")) {
            String topic = "GROUND/v1/quiet/" + UUID.randomUUID();
            device.publish(topic, "{\"quiet\":true}".getBytes(StandardCharsets.UTF_8));
            assertEquals(1, dest.await(p -> p.getTopic().toString().equals(topic), 1, Duration.ofSeconds(30)).size(),
                    "the message did not cross; function log " + stack.function().logFile());
            log = stack.function().logFile();
        }
        List<String> noisy = Files.readAllLines(log).stream()
                .filter(l -> l.startsWith("WARN") || l.startsWith("ERROR") || l.startsWith("\tat ") || l.startsWith("Exception"))
                .toList();
        assertTrue(noisy.isEmpty(), "the function logged on a normal run (" + log + "):\n" + String.join("\n", noisy));
    }
}
