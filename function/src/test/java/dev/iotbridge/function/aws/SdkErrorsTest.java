package dev.iotbridge.function.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.iotbridge.function.domain.ErrorCode;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.iotdataplane.model.IotDataPlaneException;
import software.amazon.awssdk.services.iotdataplane.model.ThrottlingException;
import software.amazon.awssdk.services.iotdataplane.model.UnauthorizedException;

class SdkErrorsTest {

    static IotDataPlaneException status(int code) {
        return (IotDataPlaneException) IotDataPlaneException.builder().statusCode(code)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("E" + code).errorMessage("m").build()).build();
    }

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
            "429, PUBLISH_THROTTLED",
            "500, PUBLISH_SERVER_ERROR",
            "502, PUBLISH_SERVER_ERROR",
            "503, PUBLISH_SERVER_ERROR",
            "504, PUBLISH_SERVER_ERROR",
            "403, PUBLISH_FORBIDDEN",
            "408, PUBLISH_TIMEOUT",
            "413, PAYLOAD_TOO_LARGE",
            "400, PUBLISH_REJECTED",
            "401, PUBLISH_UNAUTHORIZED",
            "404, PUBLISH_REJECTED",
            "405, PUBLISH_REJECTED",
    })
    void serviceErrorsAreClassifiedByStatus(int status, ErrorCode expected) {
        assertEquals(expected, SdkErrors.classifyPublish(status(status)).code());
    }

    @Test
    void transientAndPermanentFollowTheOutcomeContract() {
        for (int s : new int[] { 429, 500, 503, 401, 403, 408 }) {
            assertTrue(SdkErrors.classifyPublish(status(s)).code().transientFailure(), "HTTP " + s);
        }
        for (int s : new int[] { 400, 404, 413 }) {
            assertFalse(SdkErrors.classifyPublish(status(s)).code().transientFailure(), "HTTP " + s);
        }
    }

    @Test
    void theApisUnauthorizedExceptionIsUnauthorizedWhateverItsStatus() {
        UnauthorizedException u = (UnauthorizedException) UnauthorizedException.builder().statusCode(400).message("no").build();
        assertEquals(ErrorCode.PUBLISH_UNAUTHORIZED, SdkErrors.classifyPublish(u).code());
    }

    @Test
    void throttlingExceptionTypeIsThrottledWhateverItsStatus() {
        ThrottlingException t = (ThrottlingException) ThrottlingException.builder().statusCode(400).message("slow down").build();
        assertEquals(ErrorCode.PUBLISH_THROTTLED, SdkErrors.classifyPublish(t).code());
    }

    @Test
    void timeoutsAreTransientTimeouts() {
        assertEquals(ErrorCode.PUBLISH_TIMEOUT,
                SdkErrors.classifyPublish(ApiCallAttemptTimeoutException.builder().message("t").build()).code());
        assertEquals(ErrorCode.PUBLISH_TIMEOUT,
                SdkErrors.classifyPublish(ApiCallTimeoutException.builder().message("t").build()).code());
        assertEquals(ErrorCode.PUBLISH_TIMEOUT, SdkErrors.classifyPublish(
                SdkClientException.builder().message("io").cause(new SocketTimeoutException("read timed out")).build()).code());
    }

    @Test
    void networkFailuresAreTransientNetworkErrors() {
        assertEquals(ErrorCode.PUBLISH_NETWORK_ERROR, SdkErrors.classifyPublish(
                SdkClientException.builder().message("io").cause(new ConnectException("refused")).build()).code());
        assertEquals(ErrorCode.PUBLISH_NETWORK_ERROR, SdkErrors.classifyPublish(
                SdkClientException.builder().message("io").cause(new IOException("reset")).build()).code());
    }

    @Test
    void anythingElseIsATransientInternalError() {
        assertEquals(ErrorCode.INTERNAL_ERROR, SdkErrors.classifyPublish(new IllegalStateException("bug")).code());
        assertTrue(ErrorCode.INTERNAL_ERROR.transientFailure());
    }
}
