package dev.iotbridge.function.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;

import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void noneNeverPassesAndLeavesCallsTheirOwnTimeouts() throws InterruptedException {
        Deadline none = Deadline.none();
        assertTrue(none.isNone());
        assertFalse(none.passed());
        assertEquals(Optional.empty(), none.remaining());
        assertEquals(Optional.empty(), none.remainingCappedBy(Duration.ofSeconds(5)));
        assertTrue(none.acquire(new Semaphore(1)));
        assertTrue(none.await(new CountDownLatch(0)));
    }

    @Test
    void theTimeLeftIsCappedByTheClientTimeout() {
        Deadline d = Deadline.in(Duration.ofSeconds(60));
        assertFalse(d.passed());
        long left = d.remaining().orElseThrow().toMillis();
        assertTrue(left > 59_000 && left <= 60_000, "time left: " + left + " ms");
        assertEquals(Duration.ofSeconds(5), d.remainingCappedBy(Duration.ofSeconds(5)).orElseThrow());
        assertEquals(d.remaining().orElseThrow().toSeconds(), d.remainingCappedBy(null).orElseThrow().toSeconds());
        assertTrue(Deadline.in(Duration.ofSeconds(1)).remainingCappedBy(Duration.ofSeconds(5)).orElseThrow().toMillis() <= 1000);
    }

    @Test
    void aReachedDeadlineHasNoTimeLeftAndDoesNotWait() throws InterruptedException {
        Deadline d = Deadline.in(Duration.ofMillis(-5));
        assertTrue(d.passed());
        assertTrue(d.remaining().orElseThrow().toMillis() < 1, "no time left for a call");
        assertFalse(d.acquire(new Semaphore(0)), "no permit, no wait");
        assertFalse(d.await(new CountDownLatch(1)), "not counted down, no wait");
    }

    @Test
    void orLaterPicksTheLaterOneAndNoneIsLaterThanAny() {
        Deadline soon = Deadline.in(Duration.ofSeconds(1));
        Deadline later = Deadline.in(Duration.ofSeconds(2));
        assertSame(later, soon.orLater(later));
        assertSame(later, later.orLater(soon));
        assertTrue(soon.orLater(Deadline.none()).isNone());
        assertTrue(Deadline.none().orLater(soon).isNone());
    }
}
