package dev.iotbridge.function.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RetryBackoffTest {
    final RetryBackoff backoff = new RetryBackoff(60, 900);

    @Test
    void ceilingDoublesPerReceiveFromTheBaseUpToTheCap() {
        assertEquals(List.of(60, 120, 240, 480, 900, 900),
                List.of(1, 2, 3, 4, 5, 6).stream().map(backoff::ceilingSeconds).toList());
        assertEquals(60, backoff.ceilingSeconds(0), "an unknown receive count (0) is the first receive");
        assertEquals(900, backoff.ceilingSeconds(1000), "no overflow after many doublings");
        assertEquals(900, backoff.ceilingSeconds(Integer.MAX_VALUE));
    }

    @Test
    void jitterDrawsFromTheUpperHalfOfTheCeiling() {
        assertEquals(480, backoff.delaySeconds(4, 0.0), "no jitter at 0: the ceiling");
        assertEquals(240, backoff.delaySeconds(4, 0.999_999), "at most half the ceiling off");
        assertEquals(240, backoff.floorSeconds(4));
        assertEquals(1, new RetryBackoff(1, 1).floorSeconds(1), "never below one second");
        assertEquals(2, new RetryBackoff(3, 3).floorSeconds(1), "half of an odd ceiling rounds up");
        Random r = new Random(1);
        for (int n = 1; n <= 12; n++) {
            for (int k = 0; k < 1_000; k++) {
                int d = backoff.delaySeconds(n, r.nextDouble());
                assertTrue(d >= backoff.floorSeconds(n) && d <= backoff.ceilingSeconds(n), n + ": " + d);
            }
        }
    }

    @Test
    void jitterSpreadsRecordsThatFailedTogether() {
        Random r = new Random(2);
        long distinct = java.util.stream.IntStream.range(0, 200).map(i -> backoff.delaySeconds(6, r.nextDouble()))
                .distinct().count();
        assertTrue(distinct > 100, "200 records at the cap get " + distinct + " different delays");
    }

    @Test
    void baseAndCapMustFitSqsVisibility() {
        assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(20, 10));
        assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(1, 43_201));
    }

    /**
     * The destination module's default sizing (max_receive_count 60, base 60 s, cap 900 s) rides
     * out 6 hours even when every delay is drawn at its shortest: the same sum Terraform checks.
     */
    @Test
    void defaultSizingSpansSixHoursAtTheShortestDelays() {
        long shortest = 0;
        for (int n = 1; n < 60; n++) {
            shortest += backoff.floorSeconds(n);
        }
        assertTrue(shortest >= 6 * 3600, "59 failed receives span at least " + shortest + " s");
    }
}
