package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.ManagedIdentityCredential;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.microsoft.aad.msal4j.ImdsEndpointOverride;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The unmodified azure-identity {@code ManagedIdentityCredential} (MSAL4J's IMDS source underneath) and
 * {@code SecretClient} against the emulated node. MSAL4J reads {@code AZURE_POD_IDENTITY_AUTHORITY_HOST};
 * in this JVM it is set through MSAL4J's own environment hook ({@link ImdsEndpointOverride}). MSAL4J keeps
 * managed-identity tokens in one process-wide cache, so every test uses identities with new client ids.
 */
class ManagedIdentityThroughClientsTest {
    private static final TokenRequestContext VAULT_SCOPE =
            new TokenRequestContext().addScopes("https://vault.azure.net/.default");

    private AzureEmulator azure;
    private ImdsEndpointOverride endpoint;
    private HttpClient http;
    private final String tenantId = UUID.randomUUID().toString();

    @BeforeEach
    void start() {
        azure = AzureEmulator.start();
        endpoint = ImdsEndpointOverride.set(azure.imds().endpoint());
        http = TestSupport.azureHttp(azure);
    }

    @AfterEach
    void stop() {
        endpoint.close();
        azure.close();
    }

    private ManagedIdentity assigned() {
        ManagedIdentity identity = azure.tenant(tenantId).userAssignedIdentity("id-" + UUID.randomUUID());
        azure.imds().assign(identity);
        return identity;
    }

    @Test
    void byClientIdReadsASecret() {
        ManagedIdentity identity = assigned();
        Vault vault = azure.createVault("mivault", tenantId);
        vault.setSecret("batchAdminPass", "from-identity");
        vault.grant(identity.principalId(), "get");
        ManagedIdentityCredential credential = new ManagedIdentityCredentialBuilder().clientId(identity.clientId())
                .httpClient(http).build();
        SecretClient secrets = TestSupport.secretClient(vault, credential, http);
        assertThat(secrets.getSecret("batchAdminPass").getValue()).isEqualTo("from-identity");
        assertThat(azure.imds().tokensIssued()).isEqualTo(1);
        assertThat(azure.tokenRequests()).isZero();
    }

    @Test
    void byResourceIdGetsATokenForTheIdentity() {
        ManagedIdentity identity = assigned();
        AccessToken token = new ManagedIdentityCredentialBuilder().resourceId(identity.resourceId()).httpClient(http)
                .build().getTokenSync(VAULT_SCOPE);
        assertThat(Jwt.parse(token.getToken()).text("oid")).isEqualTo(identity.principalId());
    }

    @Test
    void unassignedIdentityIsRefusedAsIdentityNotFound() {
        assigned();
        ManagedIdentityCredential credential = new ManagedIdentityCredentialBuilder()
                .clientId(UUID.randomUUID().toString()).httpClient(http).build();
        assertThatThrownBy(() -> credential.getTokenSync(VAULT_SCOPE))
                .hasStackTraceContaining("Identity not found")
                .hasStackTraceContaining("has not been assigned to this resource");
        assertThat(azure.imds().tokensIssued()).isZero();
    }

    @Test
    void aBrieflyUnavailableImdsIsRetriedByTheClients() {
        ManagedIdentity identity = assigned();
        azure.imds().inject(Fault.status(503).times(1));
        AccessToken token = new ManagedIdentityCredentialBuilder().clientId(identity.clientId()).httpClient(http)
                .build().getTokenSync(VAULT_SCOPE);
        assertThat(token.getToken()).isNotEmpty();
        assertThat(azure.imds().faultsServed()).isEqualTo(1);
        assertThat(azure.imds().requests()).isEqualTo(2);
    }

    @Test
    void withoutTheOverrideTheClientsGoToTheLinkLocalAddress() {
        // The test's own HTTP client has a short connect timeout, so that no test waits on 169.254.169.254.
        endpoint.close();
        HttpClient quick = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofMillis(200))).build();
        ManagedIdentityCredential credential = new ManagedIdentityCredentialBuilder()
                .clientId(UUID.randomUUID().toString()).httpClient(quick).maxRetry(0).build();
        assertThatThrownBy(() -> credential.getTokenSync(VAULT_SCOPE)).isInstanceOf(RuntimeException.class);
        assertThat(azure.imds().requests()).isZero();
        endpoint = ImdsEndpointOverride.set(azure.imds().endpoint());
    }
}
