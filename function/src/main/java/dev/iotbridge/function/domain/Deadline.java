package dev.iotbridge.function.domain;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The moment by which something must be over (a {@link System#nanoTime} instant), or none: the
 * mock event server and tests give no invocation deadline. Every wait of the batch pipeline and
 * every SDK call timeout is derived from one of these, so the "none" case and the time-left
 * arithmetic live here only.
 */
public final class Deadline {
    private static final Deadline NONE = new Deadline(0, false);

    private final long atNanos;
    private final boolean bounded;

    private Deadline(long atNanos, boolean bounded) {
        this.atNanos = atNanos;
        this.bounded = bounded;
    }

    /** No deadline: waits block until done, SDK calls keep their client's own timeouts. */
    public static Deadline none() {
        return NONE;
    }

    /** {@code left} from now. */
    public static Deadline in(Duration left) {
        return new Deadline(System.nanoTime() + left.toNanos(), true);
    }

    /** The later of the two (none is later than any). */
    public Deadline orLater(Deadline other) {
        if (!bounded || !other.bounded) {
            return NONE;
        }
        return other.atNanos - atNanos > 0 ? other : this;
    }

    public boolean isNone() {
        return !bounded;
    }

    /** True once the deadline is reached; never for none. */
    public boolean passed() {
        return bounded && System.nanoTime() - atNanos >= 0;
    }

    /**
     * The time left in whole milliseconds (zero or negative once passed); empty for none. An SDK
     * call given less than 1 ms must not be made.
     */
    public Optional<Duration> remaining() {
        return bounded ? Optional.of(Duration.ofMillis((atNanos - System.nanoTime()) / 1_000_000)) : Optional.empty();
    }

    /**
     * The timeout of an SDK call that must be over by this deadline: the time left, but never
     * longer than {@code cap} (the client's own timeout, which a per-request value replaces; null
     * for none); empty for none.
     */
    public Optional<Duration> remainingCappedBy(Duration cap) {
        return remaining().map(left -> cap != null && cap.compareTo(left) < 0 ? cap : left);
    }

    /** Waits for {@code task} until the deadline. */
    public <T> T await(Future<T> task) throws InterruptedException, ExecutionException, TimeoutException {
        return bounded ? task.get(nanosLeft(), TimeUnit.NANOSECONDS) : task.get();
    }

    /** Waits for {@code latch} until the deadline; true when it reached zero. */
    public boolean await(CountDownLatch latch) throws InterruptedException {
        if (!bounded) {
            latch.await();
            return true;
        }
        return latch.await(nanosLeft(), TimeUnit.NANOSECONDS);
    }

    /** Takes a permit of {@code permits}, waiting until the deadline; false when none came free in time. */
    public boolean acquire(Semaphore permits) throws InterruptedException {
        if (!bounded) {
            permits.acquire();
            return true;
        }
        return permits.tryAcquire(nanosLeft(), TimeUnit.NANOSECONDS);
    }

    private long nanosLeft() {
        return Math.max(0, atNanos - System.nanoTime());
    }

    @Override
    public String toString() {
        return bounded ? "Deadline[in " + remaining().orElseThrow().toMillis() + " ms]" : "Deadline[none]";
    }
}
