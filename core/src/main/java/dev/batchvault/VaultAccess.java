package dev.batchvault;

import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import dev.batchvault.spi.PoolCertificate;
import java.time.Instant;

/**
 * Reads secrets from one vault: the Key Vault {@link SecretClient} on the shared
 * {@link AzurePipeline}, authenticated by the credential {@link Credentials} builds, each read
 * made under the {@link CallPolicy} and its failures translated by {@link AzureFailures}.
 */
final class VaultAccess {
    private final SecretClient client;
    private final CallPolicy policy;
    private final AzureFailures failures;
    private final java.time.Duration callDeadline;

    VaultAccess(Config config, PoolCertificate certificate, ProcessWide process) {
        String vaultUrl = config.vaultUrl.toString();
        this.policy = CallPolicy.system(config.callDeadline,
                process.vaultBound(vaultUrl, config.maxConcurrentRequests), vaultUrl);
        this.failures = new AzureFailures(config);
        this.callDeadline = config.callDeadline;
        AzurePipeline pipeline = new AzurePipeline(config);
        SecretClientBuilder builder = new SecretClientBuilder()
                .vaultUrl(vaultUrl)
                .credential(TokenFailures.quiet(Credentials.forPool(config, certificate, pipeline)))
                .httpClient(pipeline.http)
                .httpLogOptions(pipeline.noHttpLogs)
                .addPolicy(AzurePipeline.DROP_CONTENT_LENGTH)
                .addPolicy(TokenFailures.RETHROW)
                .retryPolicy(AzurePipeline.NO_SDK_RETRIES);
        if (Config.isLoopback(config.vaultUrl)) {
            // Only a vault on this machine (the emulator) may answer with a challenge for another host.
            builder.disableChallengeResourceVerification();
        }
        this.client = builder.buildClient();
    }

    /**
     * Reads one secret under the call policy.
     *
     * @param name the secret's name
     * @param version the version, or null for the latest
     * @return the secret
     * @throws BatchVaultException (a subtype) as {@link AzureFailures} translates the failure;
     *     {@link VaultUnavailableException} at the deadline, with the last cause and the number of attempts
     */
    Secret fetch(String name, String version) {
        // A managed identity's token request waits no longer than this call's deadline (ManagedIdentityCredentials).
        long deadline = System.nanoTime() + callDeadline.toNanos();
        return policy.call("secret '" + name + "'",
                () -> ManagedIdentityCredentials.withDeadline(deadline, () -> fetchOnce(name, version)),
                e -> failures.translate(e, name, version));
    }

    private Secret fetchOnce(String name, String version) {
        KeyVaultSecret secret = client.getSecret(name, version);
        Instant expiresOn = secret.getProperties().getExpiresOn() == null ? null
                : secret.getProperties().getExpiresOn().toInstant();
        return new Secret(secret.getName(), secret.getProperties().getVersion(), secret.getValue(),
                secret.getProperties().getContentType(), expiresOn);
    }
}
