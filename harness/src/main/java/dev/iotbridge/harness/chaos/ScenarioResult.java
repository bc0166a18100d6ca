package dev.iotbridge.harness.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one chaos scenario: what was sent, what arrived at the destination broker
 * (unique by the message id in the payload, and duplicates), what is in the DLQ by reason
 * ({@code BridgeErrorCode}, or {@code REDRIVEN} for records the queue's redrive policy moved
 * after maxReceiveCount), and what is lost (sent, neither delivered nor in the DLQ).
 *
 * @param problems checks that failed (empty = the scenario passed)
 * @param notes    extra facts for the report (faults injected, kills, restarts…)
 */
public record ScenarioResult(String name, String injection, long sent, long delivered, long duplicates,
                             Map<String, Long> dlqByReason, long lost, Duration drain, List<String> problems,
                             List<String> notes) {

    public long dlqTotal() { return dlqByReason.values().stream().mapToLong(Long::longValue).sum(); }

    public boolean passed() { return problems.isEmpty() && lost == 0; }
}
