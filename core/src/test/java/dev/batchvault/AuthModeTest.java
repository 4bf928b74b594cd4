package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@code auth-mode}: what {@code auto} chooses in each situation, and the settings each mode needs. */
class AuthModeTest {
    private static final String VAULT = "https://myvault.vault.azure.net";
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String CLIENT = "0b5c1c8a-4c5a-4b8e-9f57-1b9f5d7d3e21";
    private static final String IDENTITY = "6f1e4c2a-9b3d-4e5f-8a7b-1c2d3e4f5a6b";
    private static final String THUMBPRINT = "3B1EFD3A66EA28B16697394703A72CA340A05BD5";
    private static final String RESOURCE_ID = "/subscriptions/9f2be85c-f8ae-4569-9353-38e5e8b459ef/resourceGroups/batch"
            + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/pool-identity";

    private static Config resolve(Map<String, String> env) {
        return Config.resolve(new Settings(Map.of(), new Properties(), env), null);
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("BATCHVAULT_VAULT_URL", VAULT);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void autoUsesTheCertificateWhenAThumbprintOrPathIsConfigured() {
        Config byThumbprint = resolve(env("BATCHVAULT_TENANT_ID", TENANT, "BATCHVAULT_CLIENT_ID", CLIENT,
                "BATCHVAULT_CERTIFICATE_THUMBPRINT", THUMBPRINT, "AZURE_CLIENT_ID", IDENTITY));
        assertThat(byThumbprint.authMode).isEqualTo(AuthMode.CERTIFICATE);
        assertThat(byThumbprint.authModeReason).isEqualTo("auto: a certificate is configured");
        assertThat(byThumbprint.managedIdentityClientId).isNull();
        Config byPath = resolve(env("BATCHVAULT_TENANT_ID", TENANT, "BATCHVAULT_CLIENT_ID", CLIENT,
                "BATCHVAULT_CERTIFICATE_PATH", "/tmp/pool.pem", "BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID", IDENTITY));
        assertThat(byPath.authMode).isEqualTo(AuthMode.CERTIFICATE);
    }

    @Test
    void autoUsesTheManagedIdentityWhenOneIsConfiguredAndNoCertificate() {
        Config byClientId = resolve(env("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID", IDENTITY.toUpperCase()));
        assertThat(byClientId.authMode).isEqualTo(AuthMode.MANAGED_IDENTITY);
        assertThat(byClientId.managedIdentityClientId).isEqualTo(IDENTITY);
        assertThat(byClientId.authModeReason).contains("environment variable BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID");
        assertThat(byClientId.clientId).isNull();
        assertThat(byClientId.tenantId).isNull();
        assertThat(byClientId.principalDescription()).isEqualTo("managed identity with client id " + IDENTITY);

        Config byAzureClientId = resolve(env("AZURE_CLIENT_ID", IDENTITY));
        assertThat(byAzureClientId.authMode).isEqualTo(AuthMode.MANAGED_IDENTITY);
        assertThat(byAzureClientId.managedIdentityClientId).isEqualTo(IDENTITY);
        assertThat(byAzureClientId.managedIdentityOrigin).isEqualTo("environment variable AZURE_CLIENT_ID");

        Config byResourceId = resolve(env("BATCHVAULT_MANAGED_IDENTITY_RESOURCE_ID", RESOURCE_ID,
                "AZURE_CLIENT_ID", IDENTITY));
        assertThat(byResourceId.authMode).isEqualTo(AuthMode.MANAGED_IDENTITY);
        assertThat(byResourceId.managedIdentityResourceId).isEqualTo(RESOURCE_ID);
        assertThat(byResourceId.managedIdentityClientId).as("a configured resource id wins over AZURE_CLIENT_ID")
                .isNull();

        Config ownSettingFirst = resolve(env("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID", IDENTITY,
                "AZURE_CLIENT_ID", CLIENT));
        assertThat(ownSettingFirst.managedIdentityClientId).isEqualTo(IDENTITY);
    }

    @Test
    void autoWithNeitherExplainsBothWays() {
        assertThatThrownBy(() -> resolve(env("BATCHVAULT_TENANT_ID", TENANT, "BATCHVAULT_CLIENT_ID", CLIENT)))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("No way to authenticate is configured.")
                .hasMessageContaining("(1) the pool's managed identity: set managed-identity-client-id")
                .hasMessageContaining("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID, or AZURE_CLIENT_ID")
                .hasMessageContaining("(2) a certificate: set certificate-thumbprint")
                .hasMessageContaining("BATCHVAULT_CERTIFICATE_PATH")
                .hasMessageContaining("BATCHVAULT_AUTH_MODE")
                .extracting(e -> ((InvalidConfigurationException) e).setting()).isEqualTo("auth-mode");
    }

    @Test
    void explicitModes() {
        Config certificate = resolve(env("BATCHVAULT_AUTH_MODE", "certificate", "BATCHVAULT_TENANT_ID", TENANT,
                "BATCHVAULT_CLIENT_ID", CLIENT, "BATCHVAULT_CERTIFICATE_THUMBPRINT", THUMBPRINT));
        assertThat(certificate.authMode).isEqualTo(AuthMode.CERTIFICATE);
        assertThat(certificate.authModeReason).isEqualTo("auth-mode certificate (from environment variable "
                + "BATCHVAULT_AUTH_MODE)");
        assertThatThrownBy(() -> resolve(env("BATCHVAULT_AUTH_MODE", "certificate", "AZURE_CLIENT_ID", IDENTITY,
                "BATCHVAULT_TENANT_ID", TENANT, "BATCHVAULT_CLIENT_ID", CLIENT)))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("No certificate is configured");
        assertThatThrownBy(() -> resolve(env("BATCHVAULT_AUTH_MODE", "certificate", "BATCHVAULT_CERTIFICATE_THUMBPRINT",
                THUMBPRINT))).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("tenant-id is not set");

        // Explicitly chosen, the identity needs no id (IMDS then takes the node's only identity), no tenant and
        // no application; certificate settings are not read.
        Config identity = resolve(env("BATCHVAULT_AUTH_MODE", "Managed_Identity", "BATCHVAULT_CERTIFICATE_THUMBPRINT",
                THUMBPRINT, "BATCHVAULT_TENANT_ID", TENANT));
        assertThat(identity.authMode).isEqualTo(AuthMode.MANAGED_IDENTITY);
        assertThat(identity.managedIdentityClientId).isNull();
        assertThat(identity.thumbprint).isNull();
        assertThat(identity.tenantId).isEqualTo(TENANT);
        assertThat(identity.principalDescription()).isEqualTo("the node's managed identity");

        assertThatThrownBy(() -> resolve(env("BATCHVAULT_AUTH_MODE", "msi")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("auth-mode 'msi' (from environment variable BATCHVAULT_AUTH_MODE) is none of certificate, "
                        + "managed-identity, auto.");
    }

    @Test
    void identityIdsAreChecked() {
        assertThatThrownBy(() -> resolve(env("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID", "pool-identity")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("managed-identity-client-id 'pool-identity' (from environment variable "
                        + "BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID) is not a client id");
        assertThatThrownBy(() -> resolve(env("AZURE_CLIENT_ID", "nope")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("(from environment variable AZURE_CLIENT_ID)");
        assertThatThrownBy(() -> resolve(env("BATCHVAULT_MANAGED_IDENTITY_RESOURCE_ID", "pool-identity")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("is not a user-assigned identity's resource id");
        assertThatThrownBy(() -> resolve(env("BATCHVAULT_MANAGED_IDENTITY_RESOURCE_ID", RESOURCE_ID,
                "BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID", IDENTITY)))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("Both managed-identity-client-id "
                        + "and managed-identity-resource-id are set");
    }

    @Test
    void builderSetsAndChecksThem() {
        assertThatThrownBy(() -> BatchVault.builder().managedIdentityClientId("x"))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("(from the builder)");
        assertThatThrownBy(() -> BatchVault.builder().managedIdentityResourceId("/subscriptions/x"))
                .isInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> BatchVault.builder().authMode(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("mode == null");
        assertThat(AuthMode.MANAGED_IDENTITY).hasToString("managed-identity");
    }
}
