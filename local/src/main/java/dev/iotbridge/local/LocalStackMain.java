package dev.iotbridge.local;

import dev.iotbridge.contract.Route;
import dev.iotbridge.local.config.BridgeConfig;

import dev.iotbridge.local.config.Ports;
import dev.iotbridge.local.config.RepositoryPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code make up}: runs the local two-account stack in the foreground until Ctrl-C (or SIGTERM
 * from {@code make down}), then stops everything. {@code --help} lists the flags.
 */
@Command(name = "LocalStackMain", sortOptions = false, usageHelpAutoWidth = true,
        description = "The local two-account stack in the foreground until Ctrl-C (make up); local/README.md.")
public final class LocalStackMain implements Callable<Integer> {

    @Mixin
    LocalStackOptions options;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "write this process's id here (make down reads it)")
    Path pidFile;

    @Option(names = "--outputs", paramLabel = "FILE",
            description = "where make doctor's view of the stack is written; default local/run/outputs.json")
    Path outputs;

    @Option(names = "--free-ports", description = "every port picked free, as make demo does, whatever the file and the "
            + "port flags say (tests beside a running make up); the banner and the outputs file name them")
    boolean freePorts;

    public static void main(String[] args) {
        LocalStackOptions.exit(new LocalStackMain(), args);
    }

    @Override
    public Integer call() throws Exception {
        BridgeConfig config = options.config();
        if (freePorts) config = config.withPorts(Ports.allFree());
        Path run = RepositoryPaths.runDir();
        Path outputsFile = outputs != null ? outputs : run.resolve("outputs.json");
        System.out.println("Starting the local two-account stack (iot-cross-account-bridge) …");
        LocalBridgeStack stack;
        try {
            stack = LocalBridgeStack.builder().config(config).workDir(run.resolve("stack")).echoFunctionOutput(true)
                    .controlPlane(true).progress(System.out).build().start();
        } catch (RuntimeException e) {
            System.err.println("error: the local stack did not start: " + e.getMessage());
            return 1;
        }
        AtomicBoolean stopping = new AtomicBoolean();
        Runnable stop = () -> {
            if (!stopping.compareAndSet(false, true)) {
                return;   // a second Ctrl-C while stopping
            }
            System.out.println("\nStopping the local stack …");
            stack.close();
            try {
                Files.deleteIfExists(outputsFile);
                if (pidFile != null) Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // best effort
            }
            System.out.println("Stopped. Counters: " + stack.counters());
        };
        // Ctrl-C and `make down` (SIGTERM) end the JVM through its shutdown hooks, which close the
        // stack; the exit status is then 130/143, which `make up` counts as a deliberate stop.
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "local-stack-shutdown"));
        if (pidFile != null) {
            Files.createDirectories(pidFile.toAbsolutePath().getParent());
            Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));
        }
        DoctorOutputs.write(stack, config.canary(), outputsFile);
        System.out.println(banner(stack, config));
        System.out.println(" make doctor checks it (reads " + outputsFile + ")");
        Thread.currentThread().join();   // until a signal ends the JVM
        return 0;
    }

    static String banner(LocalBridgeStack s, BridgeConfig c) {
        StringBuilder b = new StringBuilder();
        String line = "─".repeat(96);
        b.append(line).append('\n');
        b.append(" iot-cross-account-bridge — local two-account stack is running (Ctrl-C stops it)\n");
        b.append(line).append('\n');
        b.append(String.format(" %-22s %-24s %s%n", "source account", "IoT Core broker (MQTT)", "mqtt://127.0.0.1:" + s.sourceMqttPort()));
        b.append(String.format(" %-22s %-24s %s%n", "", "rules engine", s.rulesEngine().rules().size() + " topic rule(s) → SQS action"));
        b.append(String.format(" %-22s %-24s %s%n", "", "iot-data endpoint", s.sourceIotData().url() + "/topics/{topic}"));
        b.append(String.format(" %-22s %-24s %s%n", "both accounts", "control plane", s.controlPlane().url()
                + " (GetTopicRule, Lambda configuration, SQS Policy)"));
        b.append(String.format(" %-22s %-24s %s%n", "destination account", "SQS (ElasticMQ)", s.sqs().endpoint()));
        b.append(String.format(" %-22s %-24s %s%n", "", "  queue", s.queueUrl()));
        b.append(String.format(" %-22s %-24s %s%n", "", "  DLQ", s.dlqUrl() + " (maxReceiveCount " + c.queue().maxReceiveCount() + ")"));
        int n = s.functions().size();
        b.append(String.format(" %-22s %-24s %s%n", "", "Lambda Runtime API", s.function().runtimeApi().address()
                + " (" + s.function().command().kind() + " function" + (n == 1 ? ")"
                : "; " + n + " instances, maximum_concurrency, on the next ports)")));
        b.append(String.format(" %-22s %-24s %s%n", "", "  function log", s.function().logFile()));
        b.append(String.format(" %-22s %-24s %s%n", "", "iot-data endpoint", s.iotData().url() + "/topics/{topic}, /retainedMessage/{topic}"));
        b.append(String.format(" %-22s %-24s %s%n", "", "IoT Core broker (MQTT)", "mqtt://127.0.0.1:" + s.destinationMqttPort()));
        b.append(" routes (local/bridge.local.json):\n");
        for (Route r : s.routes()) b.append("   ").append(describe(r)).append('\n');
        String sample = s.routes().get(0).sourceFilter().replace("/#", "/demo").replace("#", "demo").replace("+", "x");
        b.append(" try it (apt-get install mosquitto-clients):\n");
        b.append("   mosquitto_sub -h 127.0.0.1 -p ").append(s.destinationMqttPort())
                .append(" -V mqttv5 -q 1 -t '#' -v -F '%t qos=%q retain=%r props=%P : %p'\n");
        b.append("   mosquitto_pub -h 127.0.0.1 -p ").append(s.sourceMqttPort()).append(" -V mqttv5 -q 1 -t '")
                .append(sample).append("' -m '{\"message\": \"IoT message from account1\"}' -D publish user-property k v\n");
        b.append("   (MQTT 3.1.1 works too: drop -V mqttv5; nothing published on the destination side loops back)\n");
        b.append("   DLQ: aws --endpoint-url ").append(s.sqs().endpoint()).append(" --region ").append(c.region())
                .append(" sqs receive-message --queue-url ").append(s.dlqUrl()).append(" --message-attribute-names All\n");
        b.append(line);
        return b.toString();
    }

    static String describe(Route r) {
        String dest = r.addPrefix().isEmpty() && r.stripPrefix().isEmpty() ? "same topic"
                : "strip '" + r.stripPrefix() + "', add '" + r.addPrefix() + "'";
        return r.name() + ": " + r.sourceFilter() + (r.condition().isEmpty() ? "" : " WHERE " + r.condition())
                + " → " + dest + ", qos " + r.qos() + (r.retain() ? ", retain" : "");
    }
}
