package dev.iotbridge.function.aws;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Singleton;

import dev.iotbridge.function.config.BridgeSettings;
import dev.iotbridge.function.domain.BridgeException;
import dev.iotbridge.function.domain.Deadline;
import dev.iotbridge.function.domain.ErrorCode;
import dev.iotbridge.function.domain.QuarantineSink;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Quarantine = SQS SendMessage to BRIDGE_DLQ_URL (client from quarkus-amazon-sqs). Body: the
 * original record body, unchanged. String attributes: BridgeErrorCode, BridgeErrorDetail,
 * BridgeSourceMessageId, BridgeRoute (when known) — docs/interfaces.md.
 */
@Singleton
public class SqsQuarantine implements QuarantineSink {
    public static final String ATTR_CODE = "BridgeErrorCode";
    public static final String ATTR_DETAIL = "BridgeErrorDetail";
    public static final String ATTR_SOURCE_ID = "BridgeSourceMessageId";
    public static final String ATTR_ROUTE = "BridgeRoute";
    static final int MAX_DETAIL = 1024;

    private final SqsClient sqs;
    private final String dlqUrl;
    private final CallBudget budget;

    public SqsQuarantine(SqsClient sqs, BridgeSettings settings) {
        this.sqs = sqs;
        this.dlqUrl = settings.dlqUrl();
        this.budget = new CallBudget(sqs);
    }

    /** The SendMessage call is bounded by the time left until {@code deadline} (per-request apiCallTimeout). */
    @Override
    public void quarantine(String messageId, String body, ErrorCode code, String detail, String route,
            Deadline deadline) throws BridgeException {
        Map<String, MessageAttributeValue> attrs = new HashMap<>();
        attrs.put(ATTR_CODE, string(code.name()));
        attrs.put(ATTR_DETAIL, string(sanitize(detail == null || detail.isEmpty() ? code.name() : detail)));
        if (messageId != null && !messageId.isEmpty()) {
            attrs.put(ATTR_SOURCE_ID, string(sanitize(messageId)));
        }
        if (route != null && !route.isEmpty()) {
            attrs.put(ATTR_ROUTE, string(sanitize(route)));
        }
        SendMessageRequest.Builder send = SendMessageRequest.builder().queueUrl(dlqUrl).messageBody(body).messageAttributes(attrs);
        Optional<Duration> timeout = budget.forDeadline(deadline);
        if (timeout.isPresent()) {
            if (timeout.get().toMillis() < 1) {
                throw new BridgeException(ErrorCode.QUARANTINE_FAILED, "no time left before the invocation deadline to "
                        + "send to the DLQ (" + code + ")");
            }
            send.overrideConfiguration(o -> o.apiCallTimeout(timeout.get()));
        }
        try {
            sqs.sendMessage(send.build());
        } catch (RuntimeException e) {
            throw new BridgeException(ErrorCode.QUARANTINE_FAILED,
                    "could not send to the DLQ (" + code + "): " + SdkErrors.shortMessage(e), e);
        }
    }

    private static MessageAttributeValue string(String v) {
        return MessageAttributeValue.builder().dataType("String").stringValue(v).build();
    }

    /**
     * SQS accepts only #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD and supplementary characters;
     * anything else (e.g. a NUL from a forged topic) is written as \\uXXXX. Truncated to 1024 chars.
     */
    static String sanitize(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_DETAIL) + 16);
        for (int i = 0; i < s.length() && b.length() < MAX_DETAIL; i++) {
            char c = s.charAt(i);
            boolean ok = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else if (ok) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04X", (int) c));
            }
        }
        if (b.length() >= MAX_DETAIL) {
            b.setLength(MAX_DETAIL - 3);
            b.append("...");
        }
        return b.toString();
    }
}
