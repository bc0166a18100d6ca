package dev.iotbridge.harness.load;

import dev.iotbridge.harness.StackOptions;
import dev.iotbridge.local.lambda.EventSourceMapping;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** The flags of the load run ({@code make load LOAD_ARGS="…"}). */
@Command(name = "make load LOAD_ARGS=\"...\"", sortOptions = false, usageHelpWidth = 110,
        description = "The multi-instance load run on the local stack (dev.iotbridge.harness.load.Load): for each instance count "
                + "the offered rate rises step by step, then one step holds the iot-data quota below it. "
                + "Writes harness/results/load/.")
public final class LoadOptions extends StackOptions {
    @Option(names = "--instances", paramLabel = "LIST", split = ",", description = "function instances (the mapping's maximum "
            + "concurrency), one run each (default: 1,2,4)")
    List<Integer> loadInstances = List.of(1, 2, 4);

    @Option(names = "--rates", paramLabel = "LIST", split = ",", description = "offered msg/s, raised step by step until the "
            + "bridge falls behind (default: 100,200,400,800,1200,1600)")
    List<Integer> loadRates = List.of(100, 200, 400, 800, 1200, 1600);

    // as long as the latency sweep's measured window (harness/capacity/sweep.py), so that a step's
    // percentiles vary as much as the sweep's repeats, which give the latency tolerance
    @Option(names = "--step-seconds", paramLabel = "N", description = "measured seconds per step (default: ${DEFAULT-VALUE})")
    int loadStepSeconds = 30;

    @Option(names = "--quota-rate", paramLabel = "N", description = "offered msg/s of the back-pressure step (default: ${DEFAULT-VALUE})")
    int loadQuotaRate = 300;

    @Option(names = "--quota", paramLabel = "N", description = "iot-data publish quota (requests/s) of that step, below its rate "
            + "(default: ${DEFAULT-VALUE}; 0 skips the step)")
    int loadQuota = 150;

    @Option(names = "--quota-instances", paramLabel = "N", description = "function instances of that step (default: ${DEFAULT-VALUE})")
    int loadQuotaInstances = 2;

    public LoadOptions() {
        super("make load");
    }

    /** The load flags, checked before anything starts (each message names its flag). */
    @Override
    public void resolve() {
        super.resolve();
        for (int n : loadInstances) {
            EventSourceMapping.instancesFor(n == 1 ? null : n, "--instances");
        }
        if (loadRates.isEmpty() || loadRates.stream().anyMatch(r -> r < 1)) {
            throw new IllegalArgumentException("--rates must be msg/s above 0, e.g. --rates 100,200,400");
        }
        for (int i = 1; i < loadRates.size(); i++) {
            if (loadRates.get(i) <= loadRates.get(i - 1)) {
                throw new IllegalArgumentException("--rates must rise step by step: " + loadRates);
            }
        }
        if (loadStepSeconds < 5) {
            throw new IllegalArgumentException("--step-seconds " + loadStepSeconds + ": at least 5, so that a step's rate is more than its start");
        }
        if (loadQuota < 0 || (loadQuota > 0 && loadQuota >= loadQuotaRate)) {
            throw new IllegalArgumentException("--quota " + loadQuota + " must be below --quota-rate " + loadQuotaRate
                    + " (the point is a quota the offered rate exceeds), or 0 to skip the back-pressure step");
        }
        EventSourceMapping.instancesFor(loadQuotaInstances == 1 ? null : loadQuotaInstances, "--quota-instances");
    }
}
