package dev.batchvault;

/**
 * The secret exists but is disabled; Key Vault refuses to return its value.
 */
public final class SecretDisabledException extends BatchVaultException {
    private static final long serialVersionUID = 1L;
    /** The secret's name. */
    private final String secretName;

    /**
     * @param secretName the name asked for
     * @param message what happened and how to enable the secret
     * @param cause the vault's response
     */
    SecretDisabledException(String secretName, String message, Throwable cause) {
        super(message, cause);
        this.secretName = secretName;
    }

    /** @return the name asked for */
    public String secretName() {
        return secretName;
    }
}
