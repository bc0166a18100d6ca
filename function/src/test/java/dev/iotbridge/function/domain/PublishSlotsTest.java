package dev.iotbridge.function.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PublishSlotsTest {
    /** Already reached: a slot is taken only if one is free right away. */
    static final Deadline NOW = Deadline.in(java.time.Duration.ZERO);

    @Test
    void startsAtTheInitialLimitAndGrowsByOnePerFinishedRecordUpToTheMaximum() {
        PublishSlots s = new PublishSlots(2, 4);
        assertTrue(s.acquire(Deadline.none()));
        assertTrue(s.acquire(Deadline.none()));
        assertFalse(s.acquire(NOW), "a third slot before any record finished");
        s.release();                                   // limit 3: the freed slot and a new one
        assertEquals(3, s.limit());
        assertTrue(s.acquire(NOW));
        assertTrue(s.acquire(NOW));
        assertFalse(s.acquire(NOW), "3 in use at limit 3");
        s.release();                                   // limit 4
        s.release();                                   // at the maximum: only the freed slot
        s.release();
        assertEquals(4, s.limit());
        for (int i = 0; i < 4; i++) {
            assertTrue(s.acquire(NOW), "slot " + i);
        }
        assertFalse(s.acquire(NOW), "never more than the maximum");
    }

    @Test
    void theInitialLimitIsCappedByTheMaximum() {
        PublishSlots s = new PublishSlots(10, 3);
        assertEquals(3, s.limit());
        for (int i = 0; i < 3; i++) {
            assertTrue(s.acquire(NOW));
        }
        assertFalse(s.acquire(NOW));
    }

    @Test
    void aFixedLimitDoesNotRamp() {
        PublishSlots s = new PublishSlots(2, 2);
        assertTrue(s.acquire(NOW));
        assertTrue(s.acquire(NOW));
        s.release();
        assertTrue(s.acquire(NOW));
        assertFalse(s.acquire(NOW));
    }

    @Test
    void anInterruptedWaitGivesUpWithoutASlot() {
        PublishSlots s = new PublishSlots(1, 1);
        assertTrue(s.acquire(Deadline.none()));
        Thread.currentThread().interrupt();
        try {
            assertFalse(s.acquire(Deadline.none()));
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void refusesLimitsBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new PublishSlots(0, 5));
        assertThrows(IllegalArgumentException.class, () -> new PublishSlots(1, 0));
    }
}
