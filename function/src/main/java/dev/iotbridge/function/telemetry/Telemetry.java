package dev.iotbridge.function.telemetry;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.iotbridge.function.domain.Outcome;
import dev.iotbridge.function.domain.RecordResult;

/**
 * Writes to stdout (CloudWatch Logs in Lambda):
 * <ul>
 * <li>one JSON line per record outcome: messageId, route, sourceTopic, destinationTopic,
 * outcome, errorCode, detail, publishLatencyMs, endToEndAgeMs — never the payload; with
 * {@link RecordLog#FAILURES} only for the records not published;</li>
 * <li>CloudWatch Embedded Metric Format documents per batch: Published, Retried, Quarantined
 * (Count), PublishLatency and EndToEndAge (Milliseconds; value arrays, at most 100 values per
 * document, so large batches give several documents).</li>
 * </ul>
 */
public final class Telemetry {
    public static final int EMF_MAX_VALUES = 100;

    private final PrintStream out;
    private final String namespace;
    private final RecordLog recordLog;

    public Telemetry(PrintStream out, String namespace, RecordLog recordLog) {
        this.out = out;
        this.namespace = namespace;
        this.recordLog = recordLog;
    }

    public String recordLine(RecordResult r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("level", r.outcome().kind() == Outcome.Kind.PUBLISHED ? "INFO" : "WARN");
        n.put("event", "record");
        n.put("messageId", r.messageId());
        n.put("route", r.route());
        n.put("sourceTopic", r.sourceTopic());
        n.put("destinationTopic", r.destinationTopic());
        n.put("outcome", r.outcome().kind().name());
        n.put("errorCode", r.outcome().code() == null ? null : r.outcome().code().name());
        if (r.outcome().detail() != null) {
            n.put("detail", r.outcome().detail());
        }
        if (r.legacy()) {
            n.put("legacy", true);
        }
        if (r.publishLatencyMs() != null) {
            n.put("publishLatencyMs", r.publishLatencyMs());
        }
        if (r.endToEndAgeMs() != null) {
            n.put("endToEndAgeMs", r.endToEndAgeMs());
        }
        return n.toString();
    }

    public List<String> emfDocuments(List<RecordResult> results, long nowMillis) {
        long published = 0, retried = 0, quarantined = 0;
        List<Long> latency = new ArrayList<>();
        List<Long> age = new ArrayList<>();
        for (RecordResult r : results) {
            switch (r.outcome().kind()) {
                case PUBLISHED -> published++;
                case RETRY -> retried++;
                case QUARANTINED -> quarantined++;
            }
            if (r.publishLatencyMs() != null) {
                latency.add(r.publishLatencyMs());
            }
            if (r.endToEndAgeMs() != null) {
                age.add(r.endToEndAgeMs());
            }
        }
        List<String> docs = new ArrayList<>();
        int chunks = Math.max(1, (int) Math.ceil(Math.max(latency.size(), age.size()) / (double) EMF_MAX_VALUES));
        for (int c = 0; c < chunks; c++) {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            ObjectNode aws = doc.putObject("_aws");
            aws.put("Timestamp", nowMillis);
            ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
            directive.put("Namespace", namespace);
            directive.putArray("Dimensions").addArray().add("Service");
            ArrayNode metrics = directive.putArray("Metrics");
            doc.put("Service", "iot-bridge");
            if (c == 0) {
                count(doc, metrics, "Published", published);
                count(doc, metrics, "Retried", retried);
                count(doc, metrics, "Quarantined", quarantined);
            }
            values(doc, metrics, "PublishLatency", latency, c);
            values(doc, metrics, "EndToEndAge", age, c);
            if (!metrics.isEmpty()) {
                docs.add(doc.toString());
            }
        }
        return docs;
    }

    /** Writes the record lines and the EMF documents of one batch. */
    public void batch(List<RecordResult> results, long nowMillis) {
        StringBuilder b = new StringBuilder();
        for (RecordResult r : results) {
            if (recordLog.writes(r)) {
                b.append(recordLine(r)).append('\n');
            }
        }
        for (String d : emfDocuments(results, nowMillis)) {
            b.append(d).append('\n');
        }
        out.print(b);
        out.flush();
    }

    private static void count(ObjectNode doc, ArrayNode metrics, String name, long value) {
        metrics.addObject().put("Name", name).put("Unit", "Count");
        doc.put(name, value);
    }

    private static void values(ObjectNode doc, ArrayNode metrics, String name, List<Long> all, int chunk) {
        int from = chunk * EMF_MAX_VALUES;
        if (from >= all.size()) {
            return;
        }
        metrics.addObject().put("Name", name).put("Unit", "Milliseconds");
        ArrayNode arr = doc.putArray(name);
        all.subList(from, Math.min(all.size(), from + EMF_MAX_VALUES)).forEach(arr::add);
    }
}
