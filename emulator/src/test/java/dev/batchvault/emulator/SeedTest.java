package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpClient;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting from a seed file, and refusing malformed ones. */
class SeedTest {
    @TempDir
    Path dir;

    @Test
    void startsFromASeedFileAndTheRealClientsReadIt() throws Exception {
        SelfSignedCertificate byPath = SelfSignedCertificate.create("CN=by-path");
        SelfSignedCertificate inline = SelfSignedCertificate.create("CN=inline");
        // A PEM with the key first, as the Key Vault VM extension writes it: the seed takes its certificate.
        byPath.writePem(dir.resolve("pool.pem"));
        Path inlinePem = inline.writeCertificatePem(dir.resolve("inline.pem"));
        String tenant = UUID.randomUUID().toString();
        String client = UUID.randomUUID().toString();
        String other = UUID.randomUUID().toString();
        String fixedOid = UUID.randomUUID().toString();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path seed = Files.writeString(dir.resolve("seed.json"), "{\n"
                + "  \"tenants\": [{\"id\": \"" + tenant + "\", \"applications\": [\n"
                + "    {\"clientId\": \"" + client + "\", \"certificates\": [\"pool.pem\", "
                + Jwt.JSON.writeValueAsString(Files.readString(inlinePem)) + "]},\n"
                + "    {\"clientId\": \"" + other + "\", \"objectId\": \"" + fixedOid + "\"}]}],\n"
                + "  \"vaults\": [{\"name\": \"seeded\", \"tenant\": \"" + tenant + "\", \"port\": " + port + ",\n"
                + "    \"secrets\": [\n"
                + "      {\"name\": \"batchAdminPass\", \"value\": \"from-seed\", \"contentType\": \"text/plain\",\n"
                + "       \"exp\": \"2030-01-01T00:00:00Z\", \"nbf\": 1700000000, \"tags\": {\"env\": \"test\"}},\n"
                + "      {\"name\": \"off\", \"value\": \"x\", \"enabled\": false}],\n"
                + "    \"accessPolicies\": [{\"clientId\": \"" + client + "\", \"secrets\": [\"get\", \"list\"]},\n"
                + "                       {\"objectId\": \"" + fixedOid + "\", \"secrets\": [\"get\"]}]}]\n"
                + "}\n");

        try (AzureEmulator azure = AzureEmulator.start(seed)) {
            Vault vault = azure.vault("seeded");
            assertThat(vault.port()).isEqualTo(port);
            assertThat(vault.tenantId()).isEqualTo(tenant);
            assertThat(azure.tenant(tenant).application(other).principalObjectId()).isEqualTo(fixedOid);
            assertThat(vault.hasPolicy(fixedOid)).isTrue();

            HttpClient http = TestSupport.azureHttp(azure);
            for (SelfSignedCertificate certificate : List.of(byPath, inline)) {
                SecretClient secrets = TestSupport.secretClient(vault,
                        TestSupport.credential(azure, http, dir, tenant, client, certificate), http);
                KeyVaultSecret secret = secrets.getSecret("batchAdminPass");
                assertThat(secret.getValue()).isEqualTo("from-seed");
                assertThat(secret.getProperties().getContentType()).isEqualTo("text/plain");
                assertThat(secret.getProperties().getExpiresOn().toInstant())
                        .isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
                assertThat(secret.getProperties().getNotBefore().toInstant()).isEqualTo(Instant.ofEpochSecond(1700000000));
                assertThat(secret.getProperties().getTags()).containsEntry("env", "test");
                assertThat(secret.getProperties().isEnabled()).isTrue();
            }
            assertThat(azure.tokensIssued()).isEqualTo(2);

            String printed = EmulatorMain.describe(azure, List.of(new Seed.Grant("seeded", client)));
            assertThat(printed)
                    .contains("Entra ID authority host: " + azure.authorityHost())
                    .contains("Vault seeded: " + vault.url())
                    .contains("BATCHVAULT_VAULT_URL=" + vault.url())
                    .contains("BATCHVAULT_TENANT_ID=" + tenant)
                    .contains("BATCHVAULT_CLIENT_ID=" + client)
                    .contains("BATCHVAULT_AUTHORITY_HOST=" + azure.authorityHost())
                    .contains("-Djavax.net.ssl.trustStore=" + azure.trustStore())
                    .contains("-Djavax.net.ssl.trustStorePassword=" + azure.trustStorePassword())
                    .contains("batchAdminPass")
                    .doesNotContain("from-seed");
        }
    }

    @Test
    void malformedSeedsAreRefusedWithTheReason() throws Exception {
        assertRefused("{\"tenants\": [{\"id\": \"t\", \"aplications\": []}]}", "unknown field 'aplications'");
        assertRefused("{\"vaults\": [{\"name\": \"v\"}]}", "'tenant' is required");
        assertRefused("{\"tenants\": [{\"id\": \"t\", \"applications\": [{\"clientId\": \"c\", "
                + "\"certificates\": [\"missing.pem\"]}]}]}", "missing.pem");
        assertRefused("{\"vaults\": [{\"name\": \"v\", \"tenant\": \"t\", \"accessPolicies\": "
                + "[{\"clientId\": \"nobody\", \"secrets\": [\"get\"]}]}]}", "client id nobody");
        assertRefused("{\"vaults\": [{\"name\": \"v\", \"tenant\": \"t\", \"secrets\": "
                + "[{\"name\": \"s\", \"value\": \"hidden-value\", \"exp\": \"next year\"}]}]}", "next year");
        assertRefused("{\"vaults\": [{\"name\": \"v\", \"tenant\": \"t\", \"secrets\": "
                + "[{\"name\": \"bad_name\", \"value\": \"hidden-value\"}]}]}", "bad_name");
        assertRefused("[1, 2]", "must be a JSON object");
        assertRefused("{not json", "not valid JSON");
        assertThatThrownBy(() -> AzureEmulator.start(write("{\"vaults\": [{\"name\": \"v\", \"tenant\": \"t\", "
                + "\"secrets\": [{\"name\": \"s\"}]}]}")))
                .hasMessageContaining("'value' is required");
        assertThatThrownBy(() -> AzureEmulator.start(write("{\"vaults\": [{\"tenant\": \"t\", "
                + "\"secrets\": [{\"name\": \"s\", \"value\": \"hidden-value\"}]}]}")))
                .hasMessageContaining("'name' is required");
    }

    private void assertRefused(String json, String reason) {
        assertThatThrownBy(() -> AzureEmulator.start(write(json)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(reason)
                .hasMessageNotContaining("hidden-value");
    }

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve(UUID.randomUUID() + ".json"), json);
    }
}
