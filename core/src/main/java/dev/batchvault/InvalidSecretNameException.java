package dev.batchvault;

/**
 * A secret name or version that Key Vault would never accept; no request was sent.
 */
public final class InvalidSecretNameException extends BatchVaultException {
    private static final long serialVersionUID = 1L;

    InvalidSecretNameException(String message) {
        super(message, null);
    }
}
