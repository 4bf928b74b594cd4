package dev.batchvault;

/**
 * Entra ID refused to issue a token for the application: for instance the certificate is not
 * registered on it, the application does not exist in the tenant, or the tenant is unknown.
 */
public final class AuthenticationRefusedException extends BatchVaultException {
    private static final long serialVersionUID = 1L;
    /** Entra ID's error code. */
    private final String errorCode;

    /**
     * @param errorCode the Entra ID error code such as {@code AADSTS700027}, or {@code null}
     * @param message what happened and what to do
     * @param cause the failure reported by the identity client
     */
    AuthenticationRefusedException(String errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /** @return the Entra ID error code such as {@code AADSTS700027}, or {@code null} when none was given */
    public String errorCode() {
        return errorCode;
    }
}
