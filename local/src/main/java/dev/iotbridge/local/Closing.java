package dev.iotbridge.local;

import java.util.ArrayList;
import java.util.List;

/** Closing the parts of a stack: every one is closed even when another fails, and a failure is reported, not thrown. */
final class Closing {
    private Closing() {}

    /** Closes in the order given, skipping nulls (parts that never started). */
    static void all(AutoCloseable... parts) {
        for (AutoCloseable c : parts) {
            if (c != null) quietly(c);
        }
    }

    /** Closes side by side (brokers take seconds each to stop), waiting up to a minute for each. */
    static void inParallel(AutoCloseable... parts) {
        List<Thread> ts = new ArrayList<>();
        for (AutoCloseable c : parts) {
            Thread t = new Thread(() -> quietly(c), "stack-close");
            t.start();
            ts.add(t);
        }
        for (Thread t : ts) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void quietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("[stack] close failed for " + c.getClass().getSimpleName() + ": " + e);
        }
    }
}
