package dev.iotbridge.function;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Native image: the Lambda event types are (de)serialised by Jackson through reflection.
 * Everything else the function reads or writes (envelope, routes, logs, EMF) goes through
 * the Jackson tree model and needs no reflection.
 */
@RegisterForReflection(targets = {
        SQSEvent.class,
        SQSEvent.SQSMessage.class,
        SQSEvent.MessageAttribute.class,
        SQSBatchResponse.class,
        SQSBatchResponse.BatchItemFailure.class
})
public final class NativeReflection {
    private NativeReflection() {
    }
}
