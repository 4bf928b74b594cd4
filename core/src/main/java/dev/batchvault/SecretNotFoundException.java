package dev.batchvault;

/**
 * The vault has no secret (or no such version) under the name asked for.
 */
public final class SecretNotFoundException extends BatchVaultException {
    private static final long serialVersionUID = 1L;
    /** The secret's name. */
    private final String secretName;

    /**
     * @param secretName the name asked for
     * @param message what happened and what to check
     * @param cause the vault's response
     */
    SecretNotFoundException(String secretName, String message, Throwable cause) {
        super(message, cause);
        this.secretName = secretName;
    }

    /** @return the name asked for */
    public String secretName() {
        return secretName;
    }
}
