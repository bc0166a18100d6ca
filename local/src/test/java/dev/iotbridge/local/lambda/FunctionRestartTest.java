package dev.iotbridge.local.lambda;

import dev.iotbridge.local.Counters;
import dev.iotbridge.local.LocalBridgeStack;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A function process that dies is restarted, as Lambda starts a new execution environment; one
 * ended by SIGINT is not: Ctrl-C on `make up` reaches the whole process group, and the stack
 * is stopping (it used to restart the function once on its way down).
 */
class FunctionRestartTest {

    static long startsAfterExit(int exitCode) throws Exception {
        Path dir = Files.createTempDirectory("function-restart");
        Counters counters = new Counters();
        FunctionCommand exits = FunctionCommand.custom(List.of("sh", "-c", "exit " + exitCode), dir);
        try (RuntimeApiServer api = new RuntimeApiServer(LocalBridgeStack.freePort(), "arn:aws:lambda:eu-west-1:000000000000:function:f");
             FunctionInstance f = new FunctionInstance("f", api, exits, Map.of(), dir.resolve("function.log"), null, counters)) {
            api.start();
            f.start();
            // a crashed process is restarted after 0.5 s (it lived under 1 s): 3 s leave room for a slow machine
            LocalBridgeStack.await(Duration.ofSeconds(3), () -> counters.functionStarts.sum() > 1);
            return counters.functionStarts.sum();
        }
    }

    @Test
    void aCrashedProcessIsRestarted() throws Exception {
        assertTrue(startsAfterExit(3) > 1, "restarted");
    }

    @Test
    void aProcessEndedByCtrlCIsNotRestarted() throws Exception {
        assertEquals(1, startsAfterExit(130));
    }
}
