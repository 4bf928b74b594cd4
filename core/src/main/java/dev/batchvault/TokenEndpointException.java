package dev.batchvault;

/**
 * Entra ID's token endpoint did not issue a token to {@link CertificateTokenCredential}: it answered
 * with an error ({@link #status()} non-zero), or it could not be reached (status 0, the transport's
 * failure as the cause). It carries the plain values of the answer, so that {@link AzureFailures},
 * {@link CallPolicy} and {@link ServiceAnswer} decide by them, not by the wording of a message.
 * Nothing here comes from the request: the client assertion is never part of it.
 */
final class TokenEndpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final String code;
    private final String retryAfterMs;
    private final String xMsRetryAfterMs;
    private final String retryAfter;
    private final String traceId;
    private final String correlationId;

    /**
     * An answer with an error.
     *
     * @param message what happened, for people
     * @param status the HTTP status
     * @param error the OAuth {@code error}, or null
     * @param code the AADSTS code ({@code AADSTS700027}), or null
     * @param retryAfterMs the {@code retry-after-ms} header, or null
     * @param xMsRetryAfterMs the {@code x-ms-retry-after-ms} header, or null
     * @param retryAfter the {@code Retry-After} header, or null
     * @param traceId Entra ID's trace id, or null
     * @param correlationId the correlation id (Entra ID's, else the one sent), or null
     */
    TokenEndpointException(String message, int status, String error, String code, String retryAfterMs,
            String xMsRetryAfterMs, String retryAfter, String traceId, String correlationId) {
        super(message);
        this.status = status;
        this.error = error;
        this.code = code;
        this.retryAfterMs = retryAfterMs;
        this.xMsRetryAfterMs = xMsRetryAfterMs;
        this.retryAfter = retryAfter;
        this.traceId = traceId;
        this.correlationId = correlationId;
    }

    /**
     * The token endpoint could not be reached, or its answer could not be read.
     *
     * @param message what happened, for people
     * @param cause the transport's failure
     */
    TokenEndpointException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.error = null;
        this.code = null;
        this.retryAfterMs = null;
        this.xMsRetryAfterMs = null;
        this.retryAfter = null;
        this.traceId = null;
        this.correlationId = null;
    }

    /** @return the HTTP status; 0 when there was no answer */
    int status() {
        return status;
    }

    /** @return the OAuth {@code error} ({@code invalid_client}), or null */
    String error() {
        return error;
    }

    /** @return the AADSTS code ({@code AADSTS700027}), or null */
    String code() {
        return code;
    }

    /** @return the {@code retry-after-ms} header, or null */
    String retryAfterMs() {
        return retryAfterMs;
    }

    /** @return the {@code x-ms-retry-after-ms} header, or null */
    String xMsRetryAfterMs() {
        return xMsRetryAfterMs;
    }

    /** @return the {@code Retry-After} header, or null */
    String retryAfter() {
        return retryAfter;
    }

    /** @return Entra ID's trace id, or null */
    String traceId() {
        return traceId;
    }

    /** @return the correlation id, or null */
    String correlationId() {
        return correlationId;
    }
}
