package dev.iotbridge.harness;

import java.util.Locale;

/** The progress lines of a bench or load run on stdout, {@code [bench] …}, flushed at once: a long run is watched as it goes. */
public final class Progress {
    private Progress() {}

    /** One line, {@code [part] } and {@code fmt} formatted in the root locale (a dot for decimals, whatever the machine's). */
    public static void log(String part, String fmt, Object... args) {
        System.out.printf(Locale.ROOT, "[" + part + "] " + fmt + "%n", args);
        System.out.flush();
    }
}
