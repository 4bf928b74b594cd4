package dev.batchvault;

import java.util.Locale;

/**
 * How BatchVault authenticates to the vault (setting {@code auth-mode}).
 */
public enum AuthMode {
    /** The pool certificate, as an Entra ID application credential: needs tenant id, client id and a certificate. */
    CERTIFICATE("certificate"),
    /** The pool's user-assigned managed identity, through the node's instance metadata service (IMDS). */
    MANAGED_IDENTITY("managed-identity"),
    /**
     * The default: the certificate when a thumbprint or path is configured; otherwise the managed identity
     * when an identity is configured ({@code managed-identity-client-id}, {@code managed-identity-resource-id}
     * or {@code AZURE_CLIENT_ID}); otherwise a configuration error that explains both.
     */
    AUTO("auto");

    private final String value;

    AuthMode(String value) {
        this.value = value;
    }

    /** @return the setting's value: {@code certificate}, {@code managed-identity} or {@code auto} */
    public String value() {
        return value;
    }

    static AuthMode parse(String key, String text, String origin) {
        String v = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (AuthMode mode : values()) {
            if (mode.value.equals(v)) {
                return mode;
            }
        }
        throw new InvalidConfigurationException(key, key + " '" + text + "' (from " + origin + ") is none of "
                + "certificate, managed-identity, auto.");
    }

    @Override
    public String toString() {
        return value;
    }
}
