package dev.iotbridge.iotdata;

/**
 * The error answers of the iot-data API, as the service sends them: the HTTP status, the error
 * type in the {@code x-amzn-ErrorType} header (what the AWS SDKs turn into the modelled
 * exception, e.g. {@code ThrottlingException}) and a JSON body {@code {"message": …}}.
 */
public enum IotDataError {
    INVALID_REQUEST(400, "InvalidRequestException"),
    UNAUTHORIZED(401, "UnauthorizedException"),
    /** Standing for an {@code iot:Publish} policy that does not admit the topic. */
    FORBIDDEN(403, "ForbiddenException"),
    NOT_FOUND(404, "ResourceNotFoundException"),
    METHOD_NOT_ALLOWED(405, "MethodNotAllowedException"),
    REQUEST_ENTITY_TOO_LARGE(413, "RequestEntityTooLargeException"),
    /** The iot-data API reference: ThrottlingException, HTTP 429, "The rate exceeds the limit". */
    THROTTLING(429, "ThrottlingException"),
    INTERNAL_FAILURE(500, "InternalFailureException"),
    SERVICE_UNAVAILABLE(503, "ServiceUnavailableException");

    private final int status;
    private final String type;

    IotDataError(int status, String type) {
        this.status = status;
        this.type = type;
    }

    public int status() { return status; }

    /** The {@code x-amzn-ErrorType} header's value. */
    public String type() { return type; }

    /** The service's answer with this HTTP status. */
    public static IotDataError of(int status) {
        for (IotDataError e : values()) {
            if (e.status == status) return e;
        }
        throw new IllegalArgumentException("the iot-data API answers no error with HTTP " + status
                + "; one of 400, 401, 403, 404, 405, 413, 429, 500, 503");
    }
}
