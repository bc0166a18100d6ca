package dev.iotbridge.function.aws;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import dev.iotbridge.function.config.BridgeSettings;
import dev.iotbridge.function.domain.BridgeException;
import dev.iotbridge.function.domain.PublishCommand;
import dev.iotbridge.function.domain.Publisher;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.iotdataplane.model.PublishRequest;

/**
 * iot-data Publish through the SDK's URL-connection HTTP client (no Netty/Apache, native
 * friendly). One client for the life of the execution environment, built during the init phase
 * (this bean is created by the {@code @Startup} BridgeService).
 */
@Singleton
public class IotPublisher implements Publisher {
    private final IotDataPlaneClient client;

    public IotPublisher(BridgeSettings settings) {
        // one kept connection per publish in flight: no new connections per batch after the first
        KeepAliveConnections.sizeFor(settings.maxConcurrency());
        this.client = IotDataPlaneClient.builder()
                .endpointOverride(settings.iotEndpoint())
                .region(settings.region())
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(settings.publishTimeout())
                        .socketTimeout(settings.publishTimeout())
                        .build())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(settings.publishTimeout())
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(settings.publishMaxAttempts()).build())
                        .build())
                .build();
    }

    @Override
    public void publish(PublishCommand c) throws BridgeException {
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
        try {
            client.publish(b.build());
        } catch (RuntimeException e) {
            throw SdkErrors.classifyPublish(e);
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
