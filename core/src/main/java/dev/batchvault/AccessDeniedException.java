package dev.batchvault;

/**
 * The vault authenticated the principal but does not let it read secrets. Grant it {@code get} on
 * secrets, through an access policy or the "Key Vault Secrets User" role.
 */
public final class AccessDeniedException extends BatchVaultException {
    private static final long serialVersionUID = 1L;
    /** The client id the library authenticated as. */
    private final String principal;
    /** The vault that refused. */
    private final String vaultUrl;

    /**
     * @param principal the client id (application id) the library authenticated as
     * @param vaultUrl the vault that refused
     * @param message what happened and how to grant access
     * @param cause the vault's response
     */
    AccessDeniedException(String principal, String vaultUrl, String message, Throwable cause) {
        super(message, cause);
        this.principal = principal;
        this.vaultUrl = vaultUrl;
    }

    /** @return the client id (application id) the library authenticated as */
    public String principal() {
        return principal;
    }

    /** @return the vault that refused */
    public String vaultUrl() {
        return vaultUrl;
    }
}
