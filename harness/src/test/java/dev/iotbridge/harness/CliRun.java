package dev.iotbridge.harness;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** A command line run in a test: its exit code, what it printed, and whether its body ran. */
public record CliRun(int exitCode, String out, String err, boolean ran, CommandLine commandLine) {

    /** Runs {@code cl} on {@code args} with its output captured; {@code cl}'s body must be {@link #body()}. */
    public static CliRun of(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        RAN.set(false);
        int rc = cl.execute(args);
        return new CliRun(rc, out.toString(), err.toString(), RAN.get(), cl);
    }

    private static final ThreadLocal<Boolean> RAN = ThreadLocal.withInitial(() -> false);

    /** A body that only notes that it ran (after parsing and the options' checks passed). */
    public static <T> Cli.Body<T> body() {
        return (o, cl) -> {
            RAN.set(true);
            return 0;
        };
    }

    /** Every flag the command has, by its longest name. */
    public List<String> flags() {
        return commandLine.getCommandSpec().options().stream().map(OptionSpec::longestName).toList();
    }
}
