package dev.iotbridge.harness;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * The harness's command lines (chaos, bench, load) run through picocli alike: {@code --help} lists
 * every flag with its description and default, an unknown flag or a bad value exits 2 with picocli's
 * message and the usage, a check of the values after parsing (a {@link CommandLine.ParameterException}
 * thrown by the body) ends the same way.
 */
public final class Cli {
    private Cli() {}

    /** What a command does with its parsed options; returns the exit code. */
    @FunctionalInterface
    public interface Body<T> {
        int run(T options, CommandLine commandLine) throws Exception;
    }

    /**
     * Options whose defaults depend on other flags, or whose values need checks picocli's types do
     * not make: {@link #resolve} runs after parsing, and its IllegalArgumentException (naming the flag)
     * ends the command like a bad flag.
     */
    public interface Resolved {
        void resolve();
    }

    /** {@code -h}, {@code --help}: mixed into every command of the harness. */
    public static final class Help {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;
    }

    /** The command line of {@code options} (a picocli {@code @Command}); {@code execute(args)} parses and runs {@code body}. */
    public static <T> CommandLine of(T options, Body<T> body) {
        CommandLine cl = new CommandLine(options);
        cl.registerConverter(Duration.class, Cli::duration);
        cl.setExecutionStrategy(parsed -> {
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) {
                return help;
            }
            if (options instanceof Resolved r) {
                try {
                    r.resolve();
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(cl, e.getMessage(), e);
                }
            }
            try {
                return body.run(options, cl);
            } catch (CommandLine.ParameterException | CommandLine.ExecutionException e) {
                throw e;
            } catch (Exception e) {
                throw new CommandLine.ExecutionException(cl, e.toString(), e);
            }
        });
        return cl;
    }

    /** "1s", "1.5s", "500ms", "2m", "6h", a bare number of seconds, or ISO-8601 "PT1S". */
    public static Duration duration(String v) {
        String s = v.trim();
        try {
            if (s.startsWith("P") || s.startsWith("p")) return Duration.parse(s);
            if (s.endsWith("ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            if (s.endsWith("s")) return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
            if (s.endsWith("m")) return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
            if (s.endsWith("h")) return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            return Duration.ofSeconds(Long.parseLong(s));
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("'" + v + "' is not a duration (e.g. 500ms, 4s, 2m, 6h, PT1S)");
        }
    }
}
