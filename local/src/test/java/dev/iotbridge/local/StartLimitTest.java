package dev.iotbridge.local;

import dev.iotbridge.contract.Route;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A start that cannot complete in its time fails with a message naming the step, instead of hanging. */
class StartLimitTest {

    @Test
    void aStartOverItsLimitFailsNamingTheStepAndTheLoad() throws Exception {
        long t0 = System.nanoTime();
        LocalBridgeStack.Builder b = LocalBridgeStack.builder()
                .routes(List.of(Route.of("ground", "GROUND/v1/#", "", "")))
                .ephemeralPorts()
                .workDir(TestDirs.fresh("start-limit"))
                .startFunction(false)
                .startTimeout(Duration.ofMillis(1));   // spent before the brokers are asked to start
        String msg = assertThrows(IllegalStateException.class, () -> b.build().start()).getMessage();
        // the budget runs out either before a broker is asked to start or while it starts (then the
        // message names the broker): which one depends on the microseconds in between
        assertTrue(msg.startsWith("[2/6] brokers") && msg.contains(" did not finish within the local stack's start limit of 1 ms"), msg);
        assertTrue(msg.contains("load average") && msg.contains("-Dbridge.startTimeoutSeconds"), msg);
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 60, "failed fast");
    }
}
