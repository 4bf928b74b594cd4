package dev.batchvault;

import com.azure.core.credential.TokenCredential;
import dev.batchvault.spi.PoolCertificate;

/**
 * Builds the {@link TokenCredential} the vault client authenticates with, from the configured way of
 * authenticating. This is the one place that decides how BatchVault gets its Entra ID tokens.
 *
 * <p>The pool's managed identity ({@link ManagedIdentityCredentials}, azure-identity's credential, no
 * certificate); or a pool certificate, whether its key can only sign where it lives (a certificate
 * store) or is in memory: BatchVault signs the client assertion itself ({@link ClientAssertions}) and
 * asks the token endpoint for the token itself ({@link CertificateTokenCredential}), with no
 * azure-identity or MSAL4J in between (the key never leaves memory, and a refusal is logged once).
 */
final class Credentials {
    private Credentials() {
    }

    /**
     * @param config the resolved configuration (tenant, client id, authority host)
     * @param certificate the pool certificate found for it; null for the managed identity
     * @param pipeline the transport and logging options shared with the vault client
     * @return the credential
     * @throws CertificateUnusableException if the certificate cannot authenticate (not RSA, not encodable)
     */
    static TokenCredential forPool(Config config, PoolCertificate certificate, AzurePipeline pipeline) {
        // The switch point: one case per way of authenticating.
        if (config.authMode == AuthMode.MANAGED_IDENTITY) {
            return ManagedIdentityCredentials.build(config, pipeline.http, pipeline.noHttpLogs,
                    AzurePipeline.DROP_CONTENT_LENGTH);
        }
        // Either kind of key: the store's signer, or a signer over the key in memory.
        return ClientAssertions.credential(config, certificate, pipeline);
    }
}
