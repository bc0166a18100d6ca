package dev.iotbridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.iotbridge.local.config.BridgeConfig;
import dev.iotbridge.local.config.StackPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line of make up and make demo: every flag listed, applied over the settings file, bad input exit 2. */
class LocalStackOptionsTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {}

    static Run run(Callable<Integer> command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = LocalStackOptions.execute(command, args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    /** Takes the options as make up would, without starting anything. */
    @Command(name = "probe")
    static final class Probe implements Callable<Integer> {
        @Mixin
        LocalStackOptions options;
        BridgeConfig config;

        @Override
        public Integer call() {
            config = options.config();
            return 0;
        }
    }

    Path settings(String extra) throws Exception {
        return Files.writeString(dir.resolve("bridge.local.json"),
                "{\"routes\": [{\"name\": \"g\", \"source_filter\": \"G/#\"}]" + extra + "}");
    }

    @Test
    void helpListsEveryFlagOfMakeUpAndMakeDemo() {
        Run up = run(new LocalStackMain(), "--help");
        assertEquals(0, up.status(), up.err());
        Run demo = run(new DemoMain(), "--help");
        assertEquals(0, demo.status(), demo.err());
        for (Run r : new Run[] {up, demo}) {
            String text = r.out().replaceAll("\\s+", " ");
            for (String flag : new String[] {"--config=FILE", "--function=ZIP", "--iotDataLatencyMs=MS", "-h, --help"}) {
                assertTrue(text.contains(flag), flag + " in\n" + r.out());
            }
            for (StackPort p : StackPort.values()) {
                assertTrue(text.contains("--" + p.flag() + "=PORT " + p.what() + "; default " + p.defaultPort()), p + " in\n" + r.out());
            }
        }
        assertTrue(up.out().contains("--pid-file=FILE") && up.out().contains("--outputs=FILE") && up.out().contains("--free-ports"),
                up.out());
    }

    @Test
    void anUnknownFlagIsAUsageErrorWithStatus2() {
        Run r = run(new LocalStackMain(), "--sqsport", "1");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("Unknown option") && r.err().contains("'--sqsport'") && r.err().contains("--sqsPort"), r.err());
        r = run(new DemoMain(), "--pid-file", "x");
        assertEquals(2, r.status(), "make demo has no pid file");
        assertTrue(r.err().contains("Unknown option") && r.err().contains("'--pid-file'"), r.err());
    }

    @Test
    void aBadValueOrSettingsFileIsAUsageErrorNamingIt() throws Exception {
        Run r = run(new LocalStackMain(), "--sqsPort", "many");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("'--sqsPort'") && r.err().contains("many"), r.err());
        r = run(new DemoMain(), "--config", dir.resolve("missing.json").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: settings file " + dir.resolve("missing.json") + " not found"), r.err());
        r = run(new LocalStackMain(), "--config", settings(", \"queue\": {\"nme\": \"q\"}").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("unknown key queue.nme"), r.err());
        r = run(new Probe(), "--config", settings("").toString(), "--sqsPort", "70000");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("sqs = 70000: a TCP port is 1 to 65535, or 0 for a free one"), r.err());
    }

    @Test
    void flagsOverrideSystemPropertiesWhichOverrideTheFile() throws Exception {
        Path file = settings(", \"ports\": {\"sqs\": 19324, \"iot_data\": 19080, \"control\": 19082}, \"iot_data\": {\"latency_ms\": 3}");
        Probe p = new Probe();
        String property = "bridge." + StackPort.IOT_DATA.flag();
        System.setProperty(property, "29080");
        try {
            Run r = run(p, "--config", file.toString(), "--sqsPort", "1234", "--runtimeApiPort=0", "--function", "/x/f.zip",
                    "--iotDataLatencyMs=15");
            assertEquals(0, r.status(), r.err());
        } finally {
            System.clearProperty(property);
        }
        assertEquals(1234, p.config.ports().get(StackPort.SQS), "flag over file");
        assertEquals(0, p.config.ports().get(StackPort.RUNTIME_API), "--flag=value");
        assertEquals(29080, p.config.ports().get(StackPort.IOT_DATA), "system property over file");
        assertEquals(19082, p.config.ports().get(StackPort.CONTROL), "file over default");
        assertEquals(1883, p.config.ports().get(StackPort.SOURCE_MQTT), "default");
        assertEquals(15, p.config.iotData().latencyMs());
        assertEquals(Path.of("/x/f.zip"), p.config.function().artifactPath());
    }
}
