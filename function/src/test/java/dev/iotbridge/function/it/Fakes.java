package dev.iotbridge.function.it;

import dev.iotbridge.iotdata.IotDataServer;
import dev.iotbridge.iotdata.Recorder;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What the test resource hands to the tests: the emulated iot-data endpoint (the local stack's),
 * the publishes it accepted, and the ElasticMQ DLQ.
 */
public record Fakes(IotDataServer iot, Recorder recorder, SqsClient sqs, String dlqUrl) {
}
