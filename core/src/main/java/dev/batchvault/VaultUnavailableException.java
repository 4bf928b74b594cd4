package dev.batchvault;

/**
 * The vault (or the token endpoint) could not be reached or kept failing until the call's
 * deadline: connection errors, timeouts, server errors, throttling. The cause is the last failure.
 */
public final class VaultUnavailableException extends BatchVaultException {
    private static final long serialVersionUID = 1L;
    /** Attempts made before giving up. */
    private final int attempts;

    /**
     * @param message what happened and what to check
     * @param attempts how many requests were made before giving up; 0 when not counted
     * @param cause the last failure
     */
    VaultUnavailableException(String message, int attempts, Throwable cause) {
        super(message, cause);
        this.attempts = attempts;
    }

    /** @return how many attempts were made before giving up (0 when the failure was not retried) */
    public int attempts() {
        return attempts;
    }
}
