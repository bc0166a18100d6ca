package dev.iotbridge.function.aws;

import java.io.IOException;

import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * An SDK HTTP client whose aborted requests fail with an {@link IOException}, so that the SDK
 * reports them as the timeouts they are.
 *
 * <p>The SDK aborts a request only when its attempt or call timer fires
 * ({@code apiCallAttemptTimeout}, {@code apiCallTimeout}). The URL-connection client aborts by
 * {@code HttpURLConnection.disconnect()}, which closes the socket and sets the connection's
 * {@code http} field to null; a thread still writing the request then fails inside the JDK with
 * {@code NullPointerException: Cannot invoke "sun.net.www.http.HttpClient.getProxyHostUsed()"
 * because "this.http" is null}. The SDK turns a failure into its timeout exception only when it is
 * an IOException, an InterruptedException, an SdkClientException or comes with the thread's
 * interrupt flag, and its attempt stage clears that flag first (sdk-core 2.41.5,
 * ApiCallAttemptTimeoutTrackingStage and TimeoutExceptionHandlingStage): the unchecked exception
 * left the client raw, was not retried, and read as INTERNAL_ERROR. As an IOException it becomes
 * ApiCallAttemptTimeoutException (or ApiCallTimeoutException), retried like any timed-out attempt.
 * An unchecked exception from a request that was not aborted is a real bug and passes unchanged.
 */
final class AbortAwareHttpClient implements SdkHttpClient {
    private final SdkHttpClient delegate;

    AbortAwareHttpClient(SdkHttpClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new Request(delegate.prepareRequest(request));
    }

    @Override
    public String clientName() {
        return delegate.clientName();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private static final class Request implements ExecutableHttpRequest {
        private final ExecutableHttpRequest delegate;
        /** Set by the SDK's timer thread before it aborts; read by the calling thread. */
        private volatile boolean aborted;

        Request(ExecutableHttpRequest delegate) {
            this.delegate = delegate;
        }

        @Override
        public HttpExecuteResponse call() throws IOException {
            try {
                return delegate.call();
            } catch (RuntimeException e) {
                if (aborted) {
                    throw new IOException("request aborted at its timeout, then failed with " + e, e);
                }
                throw e;
            }
        }

        @Override
        public void abort() {
            aborted = true;
            delegate.abort();
        }
    }
}
