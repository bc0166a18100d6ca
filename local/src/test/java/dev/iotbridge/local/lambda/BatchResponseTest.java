package dev.iotbridge.local.lambda;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How the event source mapping reads the function's partial batch response (as Lambda does). */
class BatchResponseTest {

    static final List<Message> BATCH = List.of(
            Message.builder().messageId("m1").build(), Message.builder().messageId("m2").build());

    static Set<String> failures(String response) {
        return EventSourceMapping.batchItemFailures(response == null ? null : response.getBytes(StandardCharsets.UTF_8), BATCH);
    }

    @Test
    void listedRecordsAreTheFailures() {
        assertEquals(Set.of("m2"), failures("{\"batchItemFailures\":[{\"itemIdentifier\":\"m2\"}]}"));
    }

    @Test
    void emptyOrNullResponsesMeanEverythingSucceeded() {
        assertEquals(Set.of(), failures(null));
        assertEquals(Set.of(), failures(""));
        assertEquals(Set.of(), failures("null"));
        assertEquals(Set.of(), failures("{}"));
        assertEquals(Set.of(), failures("{\"batchItemFailures\":[]}"));
    }

    @Test
    void anUnreadableResponseFailsTheWholeBatchSoNothingIsDeleted() {
        assertThrows(IllegalArgumentException.class, () -> failures("not json"));
        assertThrows(IllegalArgumentException.class, () -> failures("[\"m1\"]"));
        assertThrows(IllegalArgumentException.class, () -> failures("\"ok\""));
        assertThrows(IllegalArgumentException.class, () -> failures("{\"batchItemFailures\":[{\"itemIdentifier\":\"other\"}]}"));
    }
}
