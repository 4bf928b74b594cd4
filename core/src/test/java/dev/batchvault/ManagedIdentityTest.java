package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.aad.msal4j.ImdsEndpointOverride;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.Fault;
import dev.batchvault.emulator.Imds;
import dev.batchvault.emulator.ManagedIdentity;
import dev.batchvault.emulator.Vault;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The managed-identity path end to end in this JVM: the unmodified azure-identity credential against the
 * emulated node's IMDS (reached through {@code AZURE_POD_IDENTITY_AUTHORITY_HOST}, set for MSAL4J by
 * {@link ImdsEndpointOverride}) and the emulated vault. MSAL4J caches identity tokens process-wide, so each
 * test makes identities with new ids.
 */
class ManagedIdentityTest {
    static final String TENANT = "5c2e7a91-3d4b-4f6a-8b1c-9e0d2f3a4b5c";

    static AzureEmulator azure;
    static Vault vault;
    static Imds imds;
    static ImdsEndpointOverride endpoint;

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        vault = azure.createVault("mivault", TENANT);
        vault.setSecret("batchAdminPass", "identity-read-value");
        imds = azure.imds();
        endpoint = ImdsEndpointOverride.set(imds.endpoint());
    }

    @AfterAll
    static void stop() {
        endpoint.close();
        azure.close();
    }

    @AfterEach
    void clear() {
        azure.clearFaults();
        imds.assigned().forEach(imds::unassign);
    }

    static ManagedIdentity identity(boolean assigned, boolean granted) {
        ManagedIdentity identity = azure.tenant(TENANT).userAssignedIdentity("id-" + UUID.randomUUID());
        if (assigned) {
            imds.assign(identity);
        }
        if (granted) {
            vault.grant(identity.principalId(), "get");
        }
        return identity;
    }

    static BatchVault.Builder builder() {
        return BatchVault.builder().vaultUrl(vault.url()).sslContext(azure.sslContext());
    }

    @Test
    void autoWithAnIdentityClientIdReadsAndCaches() {
        ManagedIdentity identity = identity(true, true);
        long issued = imds.tokensIssued();
        try (BatchVault bv = builder().managedIdentityClientId(identity.clientId()).build()) {
            assertThat(bv.get("batchAdminPass").value()).isEqualTo("identity-read-value");
            assertThat(bv.get("batchAdminPass").value()).isEqualTo("identity-read-value");
            assertThat(bv.cacheStats().hits()).isEqualTo(1);
            assertThat(bv.toString()).contains("managed identity with client id " + identity.clientId())
                    .doesNotContain("identity-read-value");
        }
        assertThat(imds.tokensIssued() - issued).isEqualTo(1);
        assertThat(azure.tokenRequests()).as("no Entra ID token request: IMDS issued it").isZero();
    }

    @Test
    void explicitModeByResourceId() {
        ManagedIdentity identity = identity(true, true);
        try (BatchVault bv = builder().authMode(AuthMode.MANAGED_IDENTITY)
                .managedIdentityResourceId(identity.resourceId()).build()) {
            assertThat(bv.get("batchAdminPass").value()).isEqualTo("identity-read-value");
        }
    }

    @Test
    void anIdentityNotAssignedToTheNodeIsExplained() {
        ManagedIdentity identity = identity(false, true);
        try (BatchVault bv = builder().managedIdentityClientId(identity.clientId()).build()) {
            assertThatThrownBy(() -> bv.get("batchAdminPass"))
                    .isInstanceOf(AuthenticationRefusedException.class)
                    .hasMessageContaining("answered \"Identity not found\" for managed identity with client id "
                            + identity.clientId() + " (from the builder)")
                    .hasMessageContaining("not assigned to this node's pool")
                    .hasMessageContaining("az identity show --query clientId");
        }
    }

    @Test
    void anIdentityWithoutAccessIsToldTheFixWithItsPrincipalId() {
        ManagedIdentity identity = identity(true, false);
        try (BatchVault bv = builder().managedIdentityClientId(identity.clientId()).build()) {
            assertThatThrownBy(() -> bv.get("batchAdminPass"))
                    .isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("refused the managed identity with client id " + identity.clientId()
                            + " (principal id " + identity.principalId() + ")")
                    .hasMessageContaining("az keyvault set-policy --name localhost --object-id " + identity.principalId()
                            + " --secret-permissions get")
                    .extracting(e -> ((AccessDeniedException) e).principal()).isEqualTo(identity.principalId());
        }
    }

    @Test
    void severalIdentitiesAndNoneNamed() {
        identity(true, true);
        identity(true, true);
        try (BatchVault bv = builder().authMode(AuthMode.MANAGED_IDENTITY).build()) {
            assertThatThrownBy(() -> bv.get("batchAdminPass"))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("more than one user-assigned identity")
                    .hasMessageContaining("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID");
        }
    }

    @Test
    void imdsDroppingConnectionsOnAFreshNodeIsRetriedWithinTheDeadline() {
        ManagedIdentity identity = identity(true, true);
        long served = imds.faultsServed();
        imds.inject(Fault.reset().times(4));
        try (BatchVault bv = builder().managedIdentityClientId(identity.clientId()).callDeadline(Duration.ofSeconds(30))
                .build()) {
            assertThat(bv.get("batchAdminPass").value()).isEqualTo("identity-read-value");
        }
        assertThat(imds.faultsServed() - served).isEqualTo(4);
    }

    @Test
    void imdsAnswering503BrieflyIsRetried() {
        ManagedIdentity identity = identity(true, true);
        long served = imds.faultsServed();
        imds.inject(Fault.status(503).times(2));
        try (BatchVault bv = builder().managedIdentityClientId(identity.clientId()).build()) {
            assertThat(bv.get("batchAdminPass").value()).isEqualTo("identity-read-value");
        }
        assertThat(imds.faultsServed() - served).isEqualTo(2);
    }

    @Test
    void imdsUnavailablePastTheDeadlineEndsInVaultUnavailable() {
        ManagedIdentity identity = identity(true, true);
        imds.inject(Fault.status(503));
        try (BatchVault bv = builder().managedIdentityClientId(identity.clientId()).callDeadline(Duration.ofSeconds(2))
                .build()) {
            assertThatThrownBy(() -> bv.get("batchAdminPass"))
                    .isInstanceOf(VaultUnavailableException.class)
                    .hasMessageContaining("managed identity endpoint (IMDS)")
                    .hasMessageContaining("call deadline");
        }
    }

    @Test
    void imdsHangingIsCutByTheRequestTimeoutAndTheDeadline() {
        ManagedIdentity identity = identity(true, true);
        imds.inject(Fault.hang());
        try (BatchVault bv = builder().managedIdentityClientId(identity.clientId()).callDeadline(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofMillis(500)).build()) {
            assertThatThrownBy(() -> bv.get("batchAdminPass"))
                    .isInstanceOf(VaultUnavailableException.class)
                    .hasMessageContaining("IMDS");
        }
    }
}
