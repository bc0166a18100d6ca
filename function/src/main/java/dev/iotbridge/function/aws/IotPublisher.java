package dev.iotbridge.function.aws;

import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.iotbridge.function.config.BridgeSettings;
import dev.iotbridge.function.domain.BridgeException;
import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.ErrorCode;
import dev.iotbridge.function.domain.PublishCommand;
import dev.iotbridge.function.domain.Publisher;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.iotdataplane.model.PublishRequest;

/**
 * iot-data Publish through the SDK's URL-connection HTTP client (no Netty/Apache, native
 * friendly; wrapped so that a request the SDK aborts at its timeout is reported as a timeout, see
 * {@link AbortAwareHttpClient}). One client for the life of the execution environment, built during the init phase
 * (this bean is created by the {@code @Startup} BridgeService).
 */
@Singleton
public class IotPublisher implements Publisher {
    /**
     * Marks a request of {@link #prime}: it is stopped before it is sent, so the header never
     * leaves. A header, not an SDK ExecutionAttribute: the SDK keeps every attribute name in a
     * JVM-wide registry and refuses a second one, which a dev-mode live reload (this class loaded
     * again) would create.
     */
    private static final String DRY_RUN_HEADER = "x-iot-bridge-dry-run";

    private final IotDataPlaneClient client;
    private final Duration publishTimeout;

    @Inject
    public IotPublisher(BridgeSettings settings) {
        this(settings, UrlConnectionHttpClient.builder()
                .connectionTimeout(settings.publishTimeout())
                .socketTimeout(settings.publishTimeout())
                .build());
    }

    /** @param http the HTTP client (tests give one that fails on cue) */
    IotPublisher(BridgeSettings settings, SdkHttpClient http) {
        this.publishTimeout = settings.publishTimeout();
        // one kept connection per publish in flight: no new connections per batch after the first
        KeepAliveConnections.sizeFor(settings.maxConcurrency());
        this.client = IotDataPlaneClient.builder()
                .endpointOverride(settings.iotEndpoint())
                .region(settings.region())
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClient(new AbortAwareHttpClient(http))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(settings.publishTimeout())
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(settings.publishMaxAttempts()).build())
                        .addExecutionInterceptor(new StopDryRunBeforeSending())
                        .build())
                .build();
    }

    /**
     * The whole call, SDK retries included, is bounded by the time left until {@code deadline}
     * (per-request apiCallTimeout): the SDK then aborts the HTTP request itself, which
     * {@code Future.cancel(true)} cannot do to a blocking socket read.
     */
    @Override
    public void publish(PublishCommand c, Deadline deadline) throws BridgeException {
        PublishRequest request = request(c);
        Optional<Duration> left = deadline.remaining();
        if (left.isPresent()) {
            Duration call = left.get();
            if (call.toMillis() < 1) {
                throw new BridgeException(ErrorCode.DEADLINE_EXCEEDED, "no time left before the invocation deadline");
            }
            Duration attempt = deadline.remainingCappedBy(publishTimeout).orElseThrow();
            request = request.toBuilder()
                    .overrideConfiguration(o -> o.apiCallTimeout(call).apiCallAttemptTimeout(attempt))
                    .build();
        }
        try {
            client.publish(request);
        } catch (RuntimeException e) {
            throw SdkErrors.classifyPublish(e);
        }
    }

    /**
     * Everything {@link #publish} does (request, endpoint, marshalling, credentials, SigV4
     * signing) except sending it: for priming a SnapStart snapshot. Nothing reaches iot-data.
     *
     * @return true when the request was stopped before sending, as intended
     */
    public boolean prime(PublishCommand c) {
        PublishRequest dryRun = request(c).toBuilder()
                .overrideConfiguration(o -> o.putHeader(DRY_RUN_HEADER, "1"))
                .build();
        try {
            client.publish(dryRun);
            return false;   // unreachable: the interceptor always stops a dry run
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof DryRunStopped) {
                    return true;
                }
            }
            throw e;
        }
    }

    private static PublishRequest request(PublishCommand c) {
        PublishRequest.Builder b = PublishRequest.builder()
                .topic(c.topic())
                .qos(c.qos())
                .retain(c.retain())
                .payload(SdkBytes.fromByteArrayUnsafe(c.payload()));
        if (c.contentType() != null) {
            b.contentType(c.contentType());
        }
        if (c.payloadFormatIndicator() != null) {
            b.payloadFormatIndicator(c.payloadFormatIndicator());
        }
        if (c.responseTopic() != null) {
            b.responseTopic(c.responseTopic());
        }
        if (c.correlationData() != null) {
            b.correlationData(c.correlationData());
        }
        if (c.userPropertiesJson() != null) {
            b.userProperties(c.userPropertiesJson());
        }
        return b.build();
    }

    /** Runs after signing, just before the HTTP request would go out (SDK interceptor order). */
    private static final class StopDryRunBeforeSending implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (context.httpRequest().firstMatchingHeader(DRY_RUN_HEADER).isPresent()) {
                throw new DryRunStopped();
            }
        }
    }

    private static final class DryRunStopped extends RuntimeException {
        DryRunStopped() {
            super("dry run: stopped before sending", null, false, false);
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
