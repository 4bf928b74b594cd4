package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * azure-identity's variables ({@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID},
 * {@code AZURE_CLIENT_CERTIFICATE_PATH}, {@code AZURE_AUTHORITY_HOST}) are read after BatchVault's own,
 * and every missing or malformed setting is reported in one exception.
 */
class AzureVariablesTest {
    private static final String VAULT = "https://myvault.vault.azure.net";
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String OTHER_TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT = "0b5c1c8a-4c5a-4b8e-9f57-1b9f5d7d3e21";
    private static final String IDENTITY = "6f1e4c2a-9b3d-4e5f-8a7b-1c2d3e4f5a6b";
    private static final String THUMBPRINT = "3B1EFD3A66EA28B16697394703A72CA340A05BD5";

    private static Config resolve(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return Config.resolve(new Settings(Map.of(), new Properties(), env), null);
    }

    @Test
    void azureIdentityVariablesConfigureACertificateAlone() {
        Config c = resolve("BATCHVAULT_VAULT_URL", VAULT, "AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT,
                "AZURE_CLIENT_CERTIFICATE_PATH", "/certs/pool.pem",
                "AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us/");

        assertThat(c.authMode).isEqualTo(AuthMode.CERTIFICATE);
        assertThat(c.tenantId).isEqualTo(TENANT);
        assertThat(c.clientId).as("next to a certificate AZURE_CLIENT_ID names the application").isEqualTo(CLIENT);
        assertThat(c.managedIdentityClientId).isNull();
        assertThat(c.certificatePath).isEqualTo(Path.of("/certs/pool.pem"));
        assertThat(c.authorityHost).hasToString("https://login.microsoftonline.us");
        assertThat(c.settings.origin(Settings.TENANT_ID)).isEqualTo("environment variable AZURE_TENANT_ID");
    }

    @Test
    void batchVaultsOwnVariablesWin() {
        Config c = resolve("BATCHVAULT_VAULT_URL", VAULT,
                "BATCHVAULT_TENANT_ID", TENANT, "AZURE_TENANT_ID", OTHER_TENANT,
                "BATCHVAULT_CLIENT_ID", CLIENT, "AZURE_CLIENT_ID", IDENTITY,
                "BATCHVAULT_CERTIFICATE_PATH", "/ours.pfx", "AZURE_CLIENT_CERTIFICATE_PATH", "/theirs.pem",
                "BATCHVAULT_AUTHORITY_HOST", "https://login.chinacloudapi.cn",
                "AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us");

        assertThat(c.tenantId).isEqualTo(TENANT);
        assertThat(c.clientId).isEqualTo(CLIENT);
        assertThat(c.certificatePath).isEqualTo(Path.of("/ours.pfx"));
        assertThat(c.authorityHost).hasToString("https://login.chinacloudapi.cn");
    }

    @Test
    void withoutACertificateAzureClientIdNamesTheManagedIdentity() {
        Config c = resolve("BATCHVAULT_VAULT_URL", VAULT, "AZURE_CLIENT_ID", IDENTITY, "AZURE_TENANT_ID", TENANT);

        assertThat(c.authMode).isEqualTo(AuthMode.MANAGED_IDENTITY);
        assertThat(c.managedIdentityClientId).isEqualTo(IDENTITY);
        assertThat(c.clientId).isNull();
    }

    @Test
    void anIdentityInBatchVaultsSettingsWinsOverACertificateOnlyInAzureVariables() {
        Config c = resolve("BATCHVAULT_VAULT_URL", VAULT, "BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID", IDENTITY,
                "AZURE_CLIENT_CERTIFICATE_PATH", "/theirs.pem", "AZURE_CLIENT_ID", CLIENT, "AZURE_TENANT_ID", TENANT);

        assertThat(c.authMode).isEqualTo(AuthMode.MANAGED_IDENTITY);
        assertThat(c.managedIdentityClientId).isEqualTo(IDENTITY);
        assertThat(c.authModeReason).contains("AZURE_CLIENT_CERTIFICATE_PATH");

        Config certificate = resolve("BATCHVAULT_VAULT_URL", VAULT, "BATCHVAULT_CERTIFICATE_THUMBPRINT", THUMBPRINT,
                "AZURE_CLIENT_ID", CLIENT, "AZURE_TENANT_ID", TENANT);
        assertThat(certificate.authMode).isEqualTo(AuthMode.CERTIFICATE);
        assertThat(certificate.clientId).isEqualTo(CLIENT);
    }

    @Test
    void fourMissingSettingsAreNamedInOneException() {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> resolve("BATCHVAULT_AUTH_MODE", "certificate"));

        assertThat(e.settings()).containsExactly("vault-url", "tenant-id", "client-id", "certificate-thumbprint");
        assertThat(e.setting()).isEqualTo("vault-url");
        assertThat(e.getMessage()).startsWith("4 settings are missing or invalid")
                .contains("BATCHVAULT_VAULT_URL").contains("BATCHVAULT_TENANT_ID, or AZURE_TENANT_ID")
                .contains("BATCHVAULT_CLIENT_ID, or AZURE_CLIENT_ID").contains("BATCHVAULT_CERTIFICATE_THUMBPRINT")
                .contains("AZURE_CLIENT_CERTIFICATE_PATH");
        assertThat(e.getSuppressed()).hasSize(4);
    }

    @Test
    void malformedAndMissingSettingsAreReportedTogether() {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> resolve("BATCHVAULT_TENANT_ID", TENANT,
                "AZURE_CLIENT_ID", "not-a-guid", "BATCHVAULT_CERTIFICATE_THUMBPRINT", THUMBPRINT,
                "BATCHVAULT_CACHE_TTL", "soon", "AZURE_AUTHORITY_HOST", "http://login.example"));

        assertThat(e.settings()).containsExactly("vault-url", "client-id", "authority-host", "cache-ttl");
        assertThat(e.getMessage()).contains("(from environment variable AZURE_CLIENT_ID)")
                .contains("(from environment variable AZURE_AUTHORITY_HOST)").contains("'soon'");
    }

    @Test
    void oneProblemIsReportedAsItself() {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> resolve("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID",
                IDENTITY));

        assertThat(e.settings()).containsExactly("vault-url");
        assertThat(e.getMessage()).startsWith("vault-url is not set");
    }
}
