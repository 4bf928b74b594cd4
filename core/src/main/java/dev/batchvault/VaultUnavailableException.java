package dev.batchvault;

/**
 * The vault (or the token endpoint) could not be reached or kept failing: connection errors,
 * timeouts, server errors, throttling beyond the retries. The cause is the last failure.
 */
public final class VaultUnavailableException extends BatchVaultException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened and what to check
     * @param cause the last failure
     */
    VaultUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
