package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.http.HttpClient;
import com.azure.security.keyvault.secrets.SecretClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulator logs each request at DEBUG (method, path, status) and never a secret value or a
 * token. The test logger writes to target/emulator-tests.log (see simplelogger.properties).
 */
class LogHygieneTest {
    @TempDir
    Path dir;

    @Test
    void requestsAreLoggedWithoutValuesOrTokens() throws Exception {
        String value = "canary-" + UUID.randomUUID();
        String tenant = UUID.randomUUID().toString();
        String clientId = UUID.randomUUID().toString();
        SelfSignedCertificate certificate = SelfSignedCertificate.create("CN=hygiene");
        String accessToken;
        try (AzureEmulator azure = AzureEmulator.start()) {
            Application app = azure.tenant(tenant).application(clientId).registerCertificate(certificate.certificate());
            Vault vault = azure.createVault("hygiene", tenant);
            vault.grant(app.principalObjectId(), "get", "set");
            vault.setSecret("canary", value);
            HttpClient http = TestSupport.azureHttp(azure);
            SecretClient client = TestSupport.secretClient(vault,
                    TestSupport.credential(azure, http, dir, tenant, clientId, certificate), http);
            assertThat(client.getSecret("canary").getValue()).isEqualTo(value);
            client.setSecret("written", value);
            long now = java.time.Instant.now().getEpochSecond();
            accessToken = azure.accessTokens().issue(tenant, app, "https://vault.azure.net", now, now + 60);
        }

        Path log = Path.of("target", "emulator-tests.log");
        assertThat(log).exists();
        List<String> emulatorLines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(line -> line.contains("dev.batchvault.emulator")).collect(Collectors.toList());
        assertThat(emulatorLines).anySatisfy(line -> assertThat(line).contains("DEBUG")
                .contains("vault hygiene GET /secrets/canary/ -> 200"));
        assertThat(emulatorLines).anySatisfy(line -> assertThat(line)
                .contains("login POST /" + tenant + "/oauth2/v2.0/token -> 200"));
        assertThat(String.join("\n", emulatorLines)).doesNotContain(value)
                .doesNotContain(accessToken.substring(0, accessToken.indexOf('.') + 20))
                .doesNotContain("client_assertion=");
    }
}
