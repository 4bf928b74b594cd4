package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.http.HttpClient;
import com.azure.identity.ClientCertificateCredential;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.azure.security.keyvault.secrets.models.SecretProperties;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unmodified ClientCertificateCredential and SecretClient against the emulator: what works. */
class ClientsEndToEndTest {
    static final String TENANT = "11111111-2222-3333-4444-555555555555";
    static final String CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    @TempDir
    static Path dir;
    static AzureEmulator azure;
    static SelfSignedCertificate certificate;
    static Application app;
    static HttpClient http;

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        certificate = SelfSignedCertificate.create("CN=pool");
        app = azure.tenant(TENANT).application(CLIENT).registerCertificate(certificate.certificate());
        http = TestSupport.azureHttp(azure);
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    private static ClientCertificateCredential credential() throws Exception {
        return TestSupport.credential(azure, http, dir, TENANT, CLIENT, certificate);
    }

    @Test
    void getSecretReturnsValueVersionContentTypeExpiryAndTags() throws Exception {
        Vault vault = azure.createVault("readvault", TENANT);
        vault.grant(app.principalObjectId(), "get");
        Instant exp = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        String version = vault.setSecret("batchAdminPass", "s3cr3t-Value", SecretAttributes.defaults()
                .contentType("text/plain").expiresOn(exp).tag("owner", "pool"));
        assertThat(version).matches("[0-9a-f]{32}");

        KeyVaultSecret secret = TestSupport.secretClient(vault, credential(), http).getSecret("batchAdminPass");

        assertThat(secret.getValue()).isEqualTo("s3cr3t-Value");
        assertThat(secret.getName()).isEqualTo("batchAdminPass");
        SecretProperties p = secret.getProperties();
        assertThat(p.getVersion()).isEqualTo(version);
        assertThat(p.getContentType()).isEqualTo("text/plain");
        assertThat(p.getExpiresOn().toInstant()).isEqualTo(exp);
        assertThat(p.isEnabled()).isTrue();
        assertThat(p.getTags()).containsEntry("owner", "pool");
        assertThat(p.getRecoveryLevel()).isEqualTo("Recoverable+Purgeable");
        assertThat(p.getRecoverableDays()).isEqualTo(90);
        assertThat(p.getCreatedOn()).isNotNull();
        assertThat(secret.getId()).isEqualTo(vault.url() + "/secrets/batchAdminPass/" + version);
    }

    @Test
    void aDeletedSecretIsNotFound() throws Exception {
        Vault vault = azure.createVault("deletevault", TENANT);
        vault.grant(app.principalObjectId(), "get");
        vault.setSecret("shortLived", "v1");
        var client = TestSupport.secretClient(vault, credential(), http);
        assertThat(client.getSecret("shortLived").getValue()).isEqualTo("v1");
        vault.deleteSecret("shortLived");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.getSecret("shortLived"))
                .isInstanceOf(com.azure.core.exception.ResourceNotFoundException.class)
                .hasMessageContaining("SecretNotFound");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> vault.deleteSecret("shortLived"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countersFollowTheChallengeAndTheTokenCache() throws Exception {
        Vault vault = azure.createVault("countvault", TENANT);
        vault.grant(app.principalObjectId(), "get");
        vault.setSecret("one", "1");
        azure.journal().clear();

        SecretClient client = TestSupport.secretClient(vault, credential(), http);
        assertThat(client.getSecret("one").getValue()).isEqualTo("1");
        // The first request goes without a token and is challenged; the retry carries one.
        assertThat(azure.journal().requests()).extracting(RecordedRequest::toString).containsExactly(
                "vault countvault GET /secrets/one/ -> 401",
                "login POST /" + TENANT + "/oauth2/v2.0/token -> 200",
                "vault countvault GET /secrets/one/ -> 200 [token]");
        assertThat(vault.requests()).isEqualTo(2);
        assertThat(vault.requestsWithToken()).isEqualTo(1);

        assertThat(client.getSecret("one").getValue()).isEqualTo("1");
        assertThat(azure.journal().requests()).as("the client caches its token").hasSize(4)
                .last().hasToString("vault countvault GET /secrets/one/ -> 200 [token]");
    }

    @Test
    void versionsAndWritesThroughTheClient() throws Exception {
        Vault vault = azure.createVault("writevault", TENANT);
        vault.grant(app.principalObjectId(), "get", "list", "set");
        String first = vault.setSecret("rotated", "v1");
        SecretClient client = TestSupport.secretClient(vault, credential(), http);

        KeyVaultSecret written = client.setSecret(new KeyVaultSecret("rotated", "v2")
                .setProperties(new SecretProperties().setContentType("text/plain")));
        assertThat(written.getValue()).isEqualTo("v2");
        assertThat(written.getProperties().getVersion()).matches("[0-9a-f]{32}").isNotEqualTo(first);
        assertThat(client.getSecret("rotated").getValue()).isEqualTo("v2");
        assertThat(client.getSecret("rotated", first).getValue()).isEqualTo("v1");

        List<String> versions = client.listPropertiesOfSecretVersions("rotated").stream()
                .map(SecretProperties::getVersion).collect(Collectors.toList());
        assertThat(versions).containsExactlyInAnyOrder(first, written.getProperties().getVersion());
        assertThat(client.listPropertiesOfSecrets().stream().map(SecretProperties::getName))
                .containsExactly("rotated");
    }

    @Test
    void notBeforeAndExpiryDoNotBlockGetAsInKeyVault() throws Exception {
        Vault vault = azure.createVault("datevault", TENANT);
        vault.grant(app.principalObjectId(), "get");
        Instant past = Instant.now().minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Instant future = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        vault.setSecret("expired", "old", SecretAttributes.defaults().expiresOn(past));
        vault.setSecret("early", "new", SecretAttributes.defaults().notBefore(future));
        SecretClient client = TestSupport.secretClient(vault, credential(), http);

        KeyVaultSecret expired = client.getSecret("expired");
        assertThat(expired.getValue()).isEqualTo("old");
        assertThat(expired.getProperties().getExpiresOn().toInstant()).isEqualTo(past);
        KeyVaultSecret early = client.getSecret("early");
        assertThat(early.getValue()).isEqualTo("new");
        assertThat(early.getProperties().getNotBefore().toInstant()).isEqualTo(future);
    }

    @Test
    void secretNamesAreCaseInsensitive() throws Exception {
        Vault vault = azure.createVault("casevault", TENANT);
        vault.grant(app.principalObjectId(), "get");
        vault.setSecret("MixedCase", "x");
        assertThat(TestSupport.secretClient(vault, credential(), http).getSecret("mixedcase").getValue())
                .isEqualTo("x");
    }
}
