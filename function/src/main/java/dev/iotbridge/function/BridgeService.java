package dev.iotbridge.function;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import io.quarkus.runtime.Startup;

import dev.iotbridge.function.config.BridgeSettings;
import dev.iotbridge.function.domain.BatchProcessor;
import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.PublishSlots;
import dev.iotbridge.function.domain.Publisher;
import dev.iotbridge.function.domain.QuarantineSink;
import dev.iotbridge.function.domain.RecordProcessor;
import dev.iotbridge.function.domain.RecordResult;
import dev.iotbridge.function.domain.Redelivery;
import dev.iotbridge.function.domain.RetryScheduler;
import dev.iotbridge.function.telemetry.Telemetry;

/**
 * Wires the batch pipeline once per execution environment (clients, pool, telemetry).
 * {@link Startup}: the iot-data client is built during the Lambda init phase, not in the first invocation.
 * The SQS client (quarkus-amazon-sqs, application scoped: a client proxy) is built at the first quarantine.
 */
@Startup
@Singleton
public class BridgeService {
    private final ExecutorService pool;
    private final BatchProcessor batch;
    private final Telemetry telemetry;

    public BridgeService(BridgeSettings settings, Publisher publisher, QuarantineSink quarantine, RetryScheduler retries) {
        AtomicInteger n = new AtomicInteger();
        int threads = settings.maxConcurrency();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "bridge-publish-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        RecordProcessor processor = new RecordProcessor(settings.routes(), publisher, quarantine, System::currentTimeMillis);
        Redelivery redelivery = new Redelivery(settings.retryPolicy(), retries, quarantine, System::currentTimeMillis,
                () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
        this.batch = new BatchProcessor(processor, pool, redelivery, new PublishSlots(PublishSlots.INITIAL, threads));
        this.telemetry = new Telemetry(System.out, settings.metricsNamespace(), settings.recordLog());
    }

    /**
     * @param publishBy by which publishing stops (records still running are retried)
     * @param settleBy  by which the retry bookkeeping (SQS calls) is over
     */
    public List<RecordResult> process(List<BatchProcessor.InRecord> records, Deadline publishBy, Deadline settleBy) {
        List<RecordResult> results = batch.processAll(records, publishBy, settleBy);
        try {
            telemetry.batch(results, System.currentTimeMillis());
        } catch (RuntimeException e) {
            // observability must never turn a handled batch into a failed one
        }
        return results;
    }

    /** Record tasks executing right now; 0 whenever no batch is being processed. */
    public int running() {
        return batch.running();
    }

    @PreDestroy
    void shutdown() {
        pool.shutdownNow();
    }
}
