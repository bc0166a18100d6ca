package dev.iotbridge.function.aws;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;

import dev.iotbridge.function.domain.BridgeException;
import dev.iotbridge.function.domain.ErrorCode;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Classifies iot-data Publish failures (docs/interfaces.md#outcomes): throttling (429), 5xx, timeouts,
 * network errors, 401 and 403 are transient (SQS retries; the Publish API answers an authorization
 * failure with 401 UnauthorizedException or 403, and both may be an IAM change still propagating:
 * a real permission error still ends in the DLQ with its code on the record's last allowed
 * receive); 413 is PAYLOAD_TOO_LARGE; any other 4xx is permanent (PUBLISH_REJECTED).
 */
public final class SdkErrors {
    private SdkErrors() {
    }

    public static BridgeException classifyPublish(Throwable t) {
        if (t instanceof SdkServiceException s) {
            int status = s.statusCode();
            String what = "iot-data Publish failed with HTTP " + status + " " + serviceErrorCode(s) + ": " + shortMessage(s);
            if (status == 429 || s.isThrottlingException()
                    || s instanceof software.amazon.awssdk.services.iotdataplane.model.ThrottlingException) {
                return new BridgeException(ErrorCode.PUBLISH_THROTTLED, what, t);
            }
            if (status == 403) {
                return new BridgeException(ErrorCode.PUBLISH_FORBIDDEN, what, t);
            }
            if (status == 401 || s instanceof software.amazon.awssdk.services.iotdataplane.model.UnauthorizedException) {
                return new BridgeException(ErrorCode.PUBLISH_UNAUTHORIZED, what, t);
            }
            if (status == 408) {
                return new BridgeException(ErrorCode.PUBLISH_TIMEOUT, what, t);
            }
            if (status == 413
                    || s instanceof software.amazon.awssdk.services.iotdataplane.model.RequestEntityTooLargeException) {
                return new BridgeException(ErrorCode.PAYLOAD_TOO_LARGE, what, t);
            }
            if (status >= 400 && status < 500) {
                return new BridgeException(ErrorCode.PUBLISH_REJECTED, what, t);
            }
            return new BridgeException(ErrorCode.PUBLISH_SERVER_ERROR, what, t);
        }
        if (t instanceof ApiCallAttemptTimeoutException || t instanceof ApiCallTimeoutException
                || hasCause(t, SocketTimeoutException.class) || hasCause(t, java.net.http.HttpTimeoutException.class)) {
            return new BridgeException(ErrorCode.PUBLISH_TIMEOUT, "iot-data Publish timed out (an attempt may take "
                    + "BRIDGE_PUBLISH_TIMEOUT, the call until the invocation deadline): " + shortMessage(t), t);
        }
        if (t instanceof AbortedException || hasCause(t, InterruptedIOException.class)) {
            return new BridgeException(ErrorCode.PUBLISH_TIMEOUT, "iot-data Publish was interrupted: " + shortMessage(t), t);
        }
        if (t instanceof SdkClientException || hasCause(t, IOException.class)) {
            return new BridgeException(ErrorCode.PUBLISH_NETWORK_ERROR, "iot-data Publish could not reach the endpoint: "
                    + shortMessage(t), t);
        }
        return new BridgeException(ErrorCode.INTERNAL_ERROR, "iot-data Publish failed unexpectedly: " + shortMessage(t), t);
    }

    private static String serviceErrorCode(SdkServiceException s) {
        if (s instanceof software.amazon.awssdk.awscore.exception.AwsServiceException a && a.awsErrorDetails() != null
                && a.awsErrorDetails().errorCode() != null) {
            return a.awsErrorDetails().errorCode();
        }
        return "";
    }

    static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    static String shortMessage(Throwable t) {
        String m = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return m.length() > 400 ? m.substring(0, 400) + "..." : m;
    }
}
