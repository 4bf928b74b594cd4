package dev.batchvault;

/**
 * The root of every failure BatchVault reports. Each subtype says what happened, where the library
 * looked and what to do about it. Messages never contain a secret value.
 */
public class BatchVaultException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened and what to do
     * @param cause the underlying failure, or {@code null}
     */
    protected BatchVaultException(String message, Throwable cause) {
        super(message, cause);
    }
}
