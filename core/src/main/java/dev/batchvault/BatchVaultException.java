package dev.batchvault;

/**
 * The root of every failure BatchVault reports. Each subtype says what happened, where the library
 * looked and what to do about it. Messages never contain a secret value.
 *
 * <p>Every BatchVault exception is {@link java.io.Serializable} and carries no HTTP request or
 * response object: the cause chain is a copy of the original failures (class name, message with
 * bearer tokens and assertions removed, stack trace), so that anything that serialises or inspects
 * exceptions by reflection never meets an {@code Authorization} header. What is useful from an
 * answer of the vault or Entra ID is kept as plain values: {@link #httpStatus()},
 * {@link #serviceErrorCode()}, {@link #requestId()} and {@link #clientRequestId()}.
 */
public class BatchVaultException extends RuntimeException {
    private static final long serialVersionUID = 2L;

    /** The HTTP status of the answer that failed, or 0. */
    private final int httpStatus;
    /** The service's error code ({@code x-ms-error-code}, AADSTS code), or null. */
    private final String serviceErrorCode;
    /** The service's request id, or null. */
    private final String requestId;
    /** The client request id the answer echoed, or null. */
    private final String clientRequestId;

    /**
     * @param message what happened and what to do
     * @param cause the underlying failure, or {@code null}; only a sanitised copy of it is kept
     */
    protected BatchVaultException(String message, Throwable cause) {
        super(message, SanitizedCause.of(cause));
        // Without a cause nothing of the Azure SDK is touched: AzureVersions throws through here when
        // the job's azure-core is too old to load ServiceAnswer's classes.
        ServiceAnswer answer = cause == null ? null : ServiceAnswer.of(cause);
        this.httpStatus = answer == null ? 0 : answer.status;
        this.serviceErrorCode = answer == null ? null : answer.errorCode;
        this.requestId = answer == null ? null : answer.requestId;
        this.clientRequestId = answer == null ? null : answer.clientRequestId;
    }

    /** @return the HTTP status the vault or Entra ID answered with, or 0 when the failure was not an answer */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * @return the service's error code ({@code x-ms-error-code} or the body's {@code error.code} from
     *     the vault, the {@code error} from Entra ID), or {@code null}
     */
    public String serviceErrorCode() {
        return serviceErrorCode;
    }

    /**
     * @return the vault's {@code x-ms-request-id}, or Entra ID's correlation id, for a support case;
     *     or {@code null}
     */
    public String requestId() {
        return requestId;
    }

    /** @return the {@code x-ms-client-request-id} of the request, or {@code null} */
    public String clientRequestId() {
        return clientRequestId;
    }
}
