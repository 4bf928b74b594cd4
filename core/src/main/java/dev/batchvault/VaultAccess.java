package dev.batchvault;

import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import dev.batchvault.spi.PoolCertificate;
import com.azure.core.util.Context;
import java.time.Duration;
import java.time.Instant;

/**
 * Reads secrets from one vault: the Key Vault {@link SecretClient} on the shared
 * {@link AzurePipeline}, authenticated by the credential {@link Credentials} builds, each read
 * made under the {@link CallPolicy} and its failures translated by {@link AzureFailures}.
 */
final class VaultAccess {
    /** The context key azure-core's HTTP clients read a per-request response timeout from. */
    private static final String RESPONSE_TIMEOUT = "azure-response-timeout";
    private final SecretClient client;
    private final CallPolicy policy;
    private final AzureFailures failures;
    private final Duration callDeadline;
    private final Duration requestTimeout;

    VaultAccess(Config config, PoolCertificate certificate, ProcessWide process) {
        String vaultUrl = config.vaultUrl.toString();
        this.policy = CallPolicy.system(config.callDeadline,
                process.vaultBound(config.vaultUrl, config.maxConcurrentRequests), vaultUrl);
        this.failures = new AzureFailures(config);
        this.callDeadline = config.callDeadline;
        this.requestTimeout = config.requestTimeout;
        AzurePipeline pipeline = new AzurePipeline(config, process);
        SecretClientBuilder builder = new SecretClientBuilder()
                .vaultUrl(Ipv6VaultHost.clientUrl(config.vaultUrl))
                .credential(TokenFailures.quiet(Credentials.forPool(config, certificate, pipeline)))
                .httpClient(pipeline.http)
                .httpLogOptions(pipeline.noHttpLogs)
                .addPolicy(AzurePipeline.DROP_CONTENT_LENGTH)
                .addPolicy(new KeyVaultAudiencePolicy(vaultUrl, config.settings.origin(Config.VAULT_URL)))
                .addPolicy(TokenFailures.RETHROW)
                .retryPolicy(AzurePipeline.NO_SDK_RETRIES);
        if (Ipv6VaultHost.isIpv6Literal(config.vaultUrl)) {
            builder.addPolicy(Ipv6VaultHost.restoring(config.vaultUrl));
        }
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
                timeLeft -> ManagedIdentityCredentials.withDeadline(deadline, () -> fetchOnce(name, version, timeLeft)),
                e -> failures.translate(e, name, version));
    }

    /** One attempt; each of its requests to the vault waits for an answer no longer than the call has left. */
    private Secret fetchOnce(String name, String version, Duration timeLeft) {
        Duration timeout = timeLeft.compareTo(requestTimeout) < 0 ? timeLeft : requestTimeout;
        KeyVaultSecret secret = client.getSecretWithResponse(name, version, new Context(RESPONSE_TIMEOUT, timeout))
                .getValue();
        Instant expiresOn = secret.getProperties().getExpiresOn() == null ? null
                : secret.getProperties().getExpiresOn().toInstant();
        return new Secret(secret.getName(), secret.getProperties().getVersion(), secret.getValue(),
                secret.getProperties().getContentType(), expiresOn);
    }
}
