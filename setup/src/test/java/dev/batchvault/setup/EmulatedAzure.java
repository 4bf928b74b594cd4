package dev.batchvault.setup;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.management.AzureEnvironment;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import dev.batchvault.emulator.Application;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.ResourceManager;
import dev.batchvault.emulator.Vault;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The emulator set up as an Azure subscription looks before the seed's steps: a tenant, an
 * administrator application (the caller) with the rights it needs, a vault with {@code batchAdminPass},
 * and an {@link AzureEnvironment} whose endpoints point at the emulator.
 */
final class EmulatedAzure implements AutoCloseable {
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String SUBSCRIPTION = "5d2b8b1e-7c55-4f7e-9a54-2b1a0c7d1e11";
    static final String GROUP = "batch-rg";
    static final String VAULT = "seedvault";
    static final char[] PASSWORD = "pfx-password".toCharArray();

    final AzureEmulator azure = AzureEmulator.start();
    final HttpClient http = new JdkHttpClientBuilder(
            java.net.http.HttpClient.newBuilder().sslContext(azure.sslContext())).build();
    final Vault vault = azure.createVault(VAULT, TENANT);
    final ResourceManager arm = azure.resourceManager();
    final String vaultId;
    final Application admin;
    final TokenCredential adminCredential;
    final AzureEnvironment environment;

    EmulatedAzure() {
        vault.setSecret("batchAdminPass", "seed-admin-pass-value");
        GeneratedCertificate adminCertificate = GeneratedCertificate.create(CertificateSpec.builder()
                .subject("CN=setup-admin").build());
        admin = azure.tenant(TENANT).application(UUID.randomUUID().toString())
                .registerCertificate(adminCertificate.certificate());
        adminCredential = credential(admin.clientId(), adminCertificate);
        arm.addSubscription(SUBSCRIPTION, TENANT);
        vaultId = arm.addVault(SUBSCRIPTION, GROUP, vault);
        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", arm.url() + "/");
        endpoints.put("microsoftGraphResourceId", azure.graph().url() + "/");
        endpoints.put("activeDirectoryEndpointUrl", azure.authorityHost() + "/");
        endpoints.put("managementEndpointUrl", "https://management.azure.com/");
        environment = new AzureEnvironment(endpoints);
    }

    /** The rights a real set-up caller has: Graph Application.ReadWrite.All and Owner on the subscription. */
    EmulatedAzure withAdminRights() {
        azure.graph().grantApplicationReadWriteAll(admin.principalObjectId());
        arm.assignRole(admin.principalObjectId(), ResourceManager.OWNER, "/subscriptions/" + SUBSCRIPTION);
        return this;
    }

    BatchVaultSetup.Builder setup() {
        return BatchVaultSetup.builder()
                .credential(adminCredential)
                .environment(environment)
                .tenantId(TENANT)
                .subscriptionId(SUBSCRIPTION)
                .httpClient(http)
                .retry(3, Duration.ofSeconds(20), Duration.ofMillis(5));
    }

    TokenCredential credential(String clientId, GeneratedCertificate certificate) {
        return new ClientCertificateCredentialBuilder()
                .tenantId(TENANT)
                .clientId(clientId)
                .pfxCertificate(new ByteArrayInputStream(certificate.pfx(PASSWORD)))
                .clientCertificatePassword(new String(PASSWORD))
                .authorityHost(azure.authorityHost())
                .disableInstanceDiscovery()
                .httpClient(http)
                .build();
    }

    SecretClient secrets(TokenCredential credential) {
        return new SecretClientBuilder()
                .vaultUrl(vault.url())
                .credential(credential)
                .httpClient(http)
                .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))))
                .disableChallengeResourceVerification()
                .buildClient();
    }

    @Override
    public void close() {
        azure.close();
    }
}
