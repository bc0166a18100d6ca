package dev.iotbridge.local.control;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queue policy reading the local rules engine obeys (ops/tests/test_queue_policy.py holds doctor's to the same cases). */
class QueuePolicyTest {

    static final String ROLE = "arn:aws:iam::111111111111:role/iot-bridge-rule";
    static final String QUEUE = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge";
    static final String DENY_NON_TLS = """
            {"Sid":"DenyNonTLS","Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"%s",
             "Condition":{"Bool":{"aws:SecureTransport":"false"}}}""".formatted(QUEUE);

    static String policy(String... statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
    }

    static String admitting() {
        String p = QueuePolicy.admitting(QUEUE, "111111111111", List.of(ROLE));
        return p.substring(p.indexOf('[') + 1, p.lastIndexOf(']'));
    }

    @Test
    void theDestinationModulesPolicyAdmitsTheRuleRole() {
        assertNull(QueuePolicy.sendDeniedReason(policy(admitting(), DENY_NON_TLS), ROLE, QUEUE));
    }

    @Test
    void anotherRoleOfTheSameAccountIsRefused() {
        String reason = QueuePolicy.sendDeniedReason(policy(admitting()), ROLE.replace("iot-bridge-rule", "intruder"), QUEUE);
        assertTrue(reason.contains("no statement of the queue policy allows"), reason);
    }

    @Test
    void noPolicyOrAnEmptyOneRefuses() {
        assertNotNull(QueuePolicy.sendDeniedReason(null, ROLE, QUEUE));
        assertNotNull(QueuePolicy.sendDeniedReason(policy(), ROLE, QUEUE));
    }

    @Test
    void anExplicitDenyWins() {
        String deny = admitting().replace("\"Allow\"", "\"Deny\"").replace("AllowSourceRuleRolesToSend", "NoBridge");
        String reason = QueuePolicy.sendDeniedReason(policy(admitting(), deny), ROLE, QUEUE);
        assertTrue(reason.contains("NoBridge denies"), reason);
    }

    @Test
    void wildcardsAndTheRoleAsPrincipal() {
        assertNull(QueuePolicy.sendDeniedReason(policy("""
                {"Effect":"Allow","Principal":{"AWS":"%s"},"Action":"sqs:*","Resource":"arn:aws:sqs:*:222222222222:iot-*"}"""
                .formatted(ROLE)), ROLE, QUEUE));
    }

    @Test
    void conditionsItCannotEvaluateNeverAllow() {
        assertNotNull(QueuePolicy.sendDeniedReason(policy("""
                {"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"%s",
                 "Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}""".formatted(QUEUE)), ROLE, QUEUE));
    }
}
