package dev.iotbridge.function.it;

import software.amazon.awssdk.services.sqs.SqsClient;

/** What the test resource hands to the tests: the fake iot-data endpoint and the ElasticMQ DLQ. */
public record Fakes(FakeIotData iot, SqsClient sqs, String dlqUrl) {
}
