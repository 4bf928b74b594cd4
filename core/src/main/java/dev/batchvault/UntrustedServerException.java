package dev.batchvault;

/**
 * The vault or the token endpoint presented a TLS certificate this JVM does not trust: its issuer is
 * unknown (as behind a TLS-inspecting proxy that signs with a corporate CA), or its names do not
 * include the host. This is not transient, so it is never retried; the message names the host, the
 * issuer of the certificate it presented, and how to trust a corporate CA in the JVM.
 */
public final class UntrustedServerException extends BatchVaultException {
    private static final long serialVersionUID = 1L;
    /** The host whose certificate was not trusted. */
    private final String host;
    /** The issuer of the certificate it presented, or null if it could not be read. */
    private final String issuer;

    /**
     * @param host the host (and port) whose certificate was refused
     * @param issuer the issuer of the certificate it presented, or {@code null} when it could not be read
     * @param message what happened and what to do
     * @param cause the TLS failure
     */
    UntrustedServerException(String host, String issuer, String message, Throwable cause) {
        super(message, cause);
        this.host = host;
        this.issuer = issuer;
    }

    /** @return the host and port whose certificate was refused, such as {@code myvault.vault.azure.net:443} */
    public String host() {
        return host;
    }

    /** @return the issuer (distinguished name) of the certificate the host presented, or {@code null} if unknown */
    public String issuer() {
        return issuer;
    }
}
