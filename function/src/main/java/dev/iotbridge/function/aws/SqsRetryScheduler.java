package dev.iotbridge.function.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.iotbridge.function.config.BridgeSettings;
import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.RetryScheduler;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;

/**
 * Backoff = SQS {@code ChangeMessageVisibilityBatch} on the bridge queue (the function role may
 * {@code sqs:ChangeMessageVisibility} on it), ten records per call, each call bounded by the time
 * left until the deadline. Lambda's event source mapping leaves a record reported in
 * {@code batchItemFailures} as it is, so the visibility set here decides when it is received again.
 */
@Singleton
public class SqsRetryScheduler implements RetryScheduler {
    /** SQS: at most 10 entries per batch request. */
    static final int MAX_BATCH = 10;

    private final SqsClient sqs;
    private final String dlqUrl;
    private final Map<String, String> queueUrls = new ConcurrentHashMap<>();
    private final CallBudget budget;

    @Inject
    public SqsRetryScheduler(SqsClient sqs, BridgeSettings settings) {
        this(sqs, settings.dlqUrl());
    }

    SqsRetryScheduler(SqsClient sqs, String dlqUrl) {
        this.sqs = sqs;
        this.dlqUrl = dlqUrl;
        this.budget = new CallBudget(sqs);
    }

    @Override
    public Set<String> delay(List<Delay> delays, Deadline deadline) {
        Map<String, List<Delay>> byQueue = new LinkedHashMap<>();
        for (Delay d : delays) {
            byQueue.computeIfAbsent(d.delivery().queueArn(), k -> new ArrayList<>()).add(d);
        }
        Set<String> done = new HashSet<>();
        byQueue.forEach((arn, list) -> {
            String url = queueUrls.computeIfAbsent(arn, a -> queueUrl(a, dlqUrl));
            for (int i = 0; i < list.size(); i += MAX_BATCH) {
                List<Delay> chunk = list.subList(i, Math.min(list.size(), i + MAX_BATCH));
                Optional<Duration> timeout = budget.forDeadline(deadline);
                if (url == null || timeout.isPresent() && timeout.get().toMillis() < 1) {
                    return; // no queue, or no time left: these come back after the visibility timeout
                }
                List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(chunk.size());
                for (int k = 0; k < chunk.size(); k++) {
                    entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id("r" + k)
                            .receiptHandle(chunk.get(k).delivery().receiptHandle())
                            .visibilityTimeout(chunk.get(k).seconds()).build());
                }
                try {
                    ChangeMessageVisibilityBatchResponse res = sqs.changeMessageVisibilityBatch(b -> {
                        b.queueUrl(url).entries(entries);
                        timeout.ifPresent(t -> b.overrideConfiguration(o -> o.apiCallTimeout(t)));
                    });
                    res.successful().forEach(ok -> done.add(chunk.get(Integer.parseInt(ok.id().substring(1))).messageId()));
                } catch (RuntimeException e) {
                    // best effort: these records keep the visibility timeout they were received with
                }
            }
        });
        return done;
    }

    /**
     * The URL of the queue {@code arn:PARTITION:sqs:REGION:ACCOUNT:NAME}: the DLQ's URL with the
     * queue name swapped in when both are in the same account (always so with the destination
     * module and the local stack, and right for any endpoint), else SQS's standard URL.
     */
    static String queueUrl(String arn, String dlqUrl) {
        String[] p = arn == null ? new String[0] : arn.split(":", 6);
        if (p.length != 6 || !"sqs".equals(p[2]) || p[5].isEmpty()) {
            return null;
        }
        String region = p[3];
        String account = p[4];
        String name = p[5];
        if (dlqUrl != null) {
            int slash = dlqUrl.lastIndexOf('/');
            String base = slash > 0 ? dlqUrl.substring(0, slash) : "";
            if (base.endsWith("/" + account)) {
                return base + "/" + name;
            }
        }
        String suffix = p[1].equals("aws-cn") ? "amazonaws.com.cn" : "amazonaws.com";
        return "https://sqs." + region + "." + suffix + "/" + account + "/" + name;
    }
}
