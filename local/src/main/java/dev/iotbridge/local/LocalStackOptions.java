package dev.iotbridge.local;

import dev.iotbridge.local.config.BridgeConfig;
import dev.iotbridge.local.config.Ports;
import dev.iotbridge.local.config.RepositoryPaths;
import dev.iotbridge.local.config.StackPort;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The command-line options {@code make up} ({@link LocalStackMain}) and {@code make demo}
 * ({@link DemoMain}) share, as a picocli mixin: the settings file and what overrides it. A port
 * or the latency comes from, last one winning: the file, {@code -Dbridge.<flag>=N}, {@code --<flag> N}.
 */
public final class LocalStackOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;

    @Option(names = "--config", paramLabel = "FILE",
            description = "the settings file (its keys: local/README.md, Configuration); default local/bridge.local.json")
    Path config;

    @Option(names = "--function", paramLabel = "ZIP",
            description = "the function artifact, a JVM zip or a native zip with bootstrap; default: -Dlocal.function.zip, "
                    + "else the file's function.artifact")
    Path function;

    @Option(names = "--iotDataLatencyMs", paramLabel = "MS",
            description = "delay of every iot-data Publish (the network round trip to IoT Core); default: the file's iot_data.latency_ms")
    Integer iotDataLatencyMs;

    /** Runs a main's command on the process's standard streams and exits with its status. */
    static void exit(Callable<Integer> command, String[] args) {
        System.exit(execute(command, args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs a command that mixes these options in: exit status 0, 2 for a usage error (an unknown
     * flag, a bad value, a settings file that is missing or invalid: one line naming it), else
     * what the command returns.
     */
    static int execute(Callable<Integer> command, String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(command);
        addPortOptions(cl.getCommandSpec());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (!(e instanceof IllegalArgumentException)) throw e;
            line.getErr().println("error: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        });
        return cl.execute(args);
    }

    /** One option per {@link StackPort}, named and described there. */
    private static void addPortOptions(CommandSpec spec) {
        for (StackPort p : StackPort.values()) {
            spec.addOption(OptionSpec.builder("--" + p.flag()).paramLabel("PORT").type(Integer.class)
                    .description(p.what() + "; default " + p.defaultPort() + ", 0: a free port").build());
        }
    }

    /** The settings file with the overrides of the command line applied; an {@link IllegalArgumentException} names what is wrong. */
    BridgeConfig config() {
        Path file = config != null ? config : RepositoryPaths.settingsFile();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("settings file " + file + " not found (--config FILE, default local/bridge.local.json)");
        }
        BridgeConfig c = BridgeConfig.load(file);
        Ports ports = c.ports();
        for (StackPort p : StackPort.values()) {
            Integer property = Integer.getInteger("bridge." + p.flag());
            Integer flag = command.findOption("--" + p.flag()).getValue();
            Integer port = flag != null ? flag : property;
            if (port != null) ports = ports.with(p, port);
        }
        c = c.withPorts(ports);
        Integer latency = iotDataLatencyMs != null ? iotDataLatencyMs : Integer.getInteger("bridge.iotDataLatencyMs");
        if (latency != null) c = c.withIotDataLatencyMs(latency);
        String zipProperty = System.getProperty("local.function.zip");
        Path zip = function != null ? function : zipProperty != null ? Path.of(zipProperty) : null;
        return zip == null ? c : c.withFunctionArtifact(zip);
    }
}
