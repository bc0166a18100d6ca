package dev.iotbridge.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.iotbridge.contract.Routes;
import dev.iotbridge.function.domain.Outcome;
import dev.iotbridge.function.domain.PublishCommand;
import dev.iotbridge.function.domain.RecordResult;

/** The SnapStart priming hook walks every route through the record path up to the (dry-run) publish. */
class SnapStartPrimingTest {

    static final Routes ROUTES = Routes.parse("["
            + "{\"name\":\"ground\",\"source_filter\":\"GROUND/v1/#\"},"
            + "{\"name\":\"mapped\",\"source_filter\":\"SITE/+/cmd\",\"strip_prefix\":\"SITE/\",\"add_prefix\":\"CLOUD/\",\"qos\":0,\"retain\":true}]");

    @Test
    void everyRouteReachesThePublisherWithItsMappedTopicAndNothingElseHappens() {
        List<PublishCommand> dryRuns = new CopyOnWriteArrayList<>();
        List<RecordResult> results = SnapStartPriming.prime(ROUTES, c -> dryRuns.add(c));
        assertEquals(2, results.size());
        results.forEach(r -> assertEquals(Outcome.Kind.PUBLISHED, r.outcome().kind(), r.toString()));
        assertEquals(List.of("GROUND/v1/snapstart-priming", "CLOUD/snapstart-priming/cmd"),
                dryRuns.stream().map(PublishCommand::topic).toList());
        assertEquals(0, dryRuns.get(1).qos());
        assertTrue(dryRuns.get(1).retain());
        assertTrue(dryRuns.get(0).userPropertiesJson().contains("iot-bridge-hop"), "the hop property is built too");
    }

    @Test
    void aDryRunThatWasNotStoppedIsNeverCountedAsPublishedAndNeverQuarantined() {
        // the dry-run publisher reports "not stopped": priming retries nothing and quarantines nothing
        List<RecordResult> results = SnapStartPriming.prime(ROUTES, c -> false);
        results.forEach(r -> assertEquals(Outcome.Kind.RETRY, r.outcome().kind(), r.toString()));
    }
}
