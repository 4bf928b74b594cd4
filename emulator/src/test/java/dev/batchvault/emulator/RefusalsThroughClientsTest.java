package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.exception.ResourceNotFoundException;
import com.azure.core.http.HttpClient;
import com.azure.identity.ClientCertificateCredential;
import com.azure.security.keyvault.secrets.SecretClient;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each refusal produced for real, through the unmodified clients. */
class RefusalsThroughClientsTest {
    static final String TENANT = "22222222-3333-4444-5555-666666666666";
    static final String CLIENT = "bbbbbbbb-cccc-dddd-eeee-ffffffffffff";

    @TempDir
    static Path dir;
    static AzureEmulator azure;
    static SelfSignedCertificate certificate;
    static Application app;
    static Vault vault;
    static HttpClient http;

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        certificate = SelfSignedCertificate.create("CN=pool");
        app = azure.tenant(TENANT).application(CLIENT).registerCertificate(certificate.certificate());
        vault = azure.createVault("refusals", TENANT);
        vault.grant(app.principalObjectId(), "get");
        vault.setSecret("there", "x");
        http = TestSupport.azureHttp(azure);
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    private static SecretClient client(String tenantId, String clientId, SelfSignedCertificate cert) throws Exception {
        return TestSupport.secretClient(vault, credential(tenantId, clientId, cert), http);
    }

    private static ClientCertificateCredential credential(String tenantId, String clientId, SelfSignedCertificate cert)
            throws Exception {
        return TestSupport.credential(azure, http, dir, tenantId, clientId, cert);
    }

    @Test
    void unregisteredCertificate() throws Exception {
        SecretClient client = client(TENANT, CLIENT, SelfSignedCertificate.create("CN=stranger"));
        azure.loginJournal().clear();
        assertThatThrownBy(() -> client.getSecret("there"))
                .hasStackTraceContaining("AADSTS700027")
                .hasStackTraceContaining("Client assertion contains an invalid signature")
                .hasStackTraceContaining("The key was not found");
        assertThat(azure.loginJournal().requests()).isNotEmpty().allSatisfy(r -> assertThat(r.status()).isEqualTo(401));
    }

    @Test
    void removedCertificate() throws Exception {
        String clientId = UUID.randomUUID().toString();
        SelfSignedCertificate rotated = SelfSignedCertificate.create("CN=rotated");
        Application other = azure.tenant(TENANT).application(clientId).registerCertificate(rotated.certificate());
        vault.grant(other.principalObjectId(), "get");
        assertThat(client(TENANT, clientId, rotated).getSecret("there").getValue()).isEqualTo("x");

        other.removeCertificate(rotated.certificate());
        assertThatThrownBy(() -> client(TENANT, clientId, rotated).getSecret("there"))
                .hasStackTraceContaining("AADSTS700027");
    }

    @Test
    void expiredRegisteredCertificate() throws Exception {
        String clientId = UUID.randomUUID().toString();
        java.time.Instant now = java.time.Instant.now();
        SelfSignedCertificate old = SelfSignedCertificate.create("CN=old", now.minus(java.time.Duration.ofDays(400)),
                now.minus(java.time.Duration.ofDays(35)));
        Application expired = azure.tenant(TENANT).application(clientId).registerCertificate(old.certificate());
        vault.grant(expired.principalObjectId(), "get");
        assertThatThrownBy(() -> client(TENANT, clientId, old).getSecret("there"))
                .hasStackTraceContaining("AADSTS700027")
                .hasStackTraceContaining("[Reason - The key used is expired., Thumbprint of key used by client: '"
                        + old.thumbprint() + "'");
    }

    @Test
    void unknownApplication() throws Exception {
        String stranger = UUID.randomUUID().toString();
        assertThatThrownBy(() -> client(TENANT, stranger, certificate).getSecret("there"))
                .hasStackTraceContaining("AADSTS700016")
                .hasStackTraceContaining("Application with identifier '" + stranger + "' was not found in the "
                        + "directory '" + TENANT + "'");
    }

    @Test
    void unknownTenant() throws Exception {
        // The SecretClient takes its tenant from the vault's challenge, so the credential is asked directly.
        String tenant = UUID.randomUUID().toString();
        ClientCertificateCredential credential = credential(tenant, CLIENT, certificate);
        assertThatThrownBy(() -> credential.getTokenSync(new TokenRequestContext()
                .addScopes("https://vault.azure.net/.default")))
                .hasStackTraceContaining("AADSTS90002")
                .hasStackTraceContaining("Tenant '" + tenant + "' not found");
    }

    @Test
    void noAccessPolicy() throws Exception {
        String clientId = UUID.randomUUID().toString();
        Application unauthorised = azure.tenant(TENANT).application(clientId)
                .registerCertificate(certificate.certificate());
        assertThatThrownBy(() -> client(TENANT, clientId, certificate).getSecret("there"))
                .isInstanceOfSatisfying(HttpResponseException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(403))
                .hasMessageContaining("\"code\":\"Forbidden\"")
                .hasMessageContaining("\"innererror\":{\"code\":\"AccessDenied\"}")
                .hasMessageContaining("The user, group or application 'appid=" + clientId + ";oid="
                        + unauthorised.principalObjectId() + ";iss=https://sts.windows.net/" + TENANT + "/' does not "
                        + "have secrets get permission on key vault 'refusals;location=");
    }

    @Test
    void revokedAccessPolicy() throws Exception {
        String clientId = UUID.randomUUID().toString();
        Application revoked = azure.tenant(TENANT).application(clientId).registerCertificate(certificate.certificate());
        vault.grant(revoked.principalObjectId(), "get");
        SecretClient client = client(TENANT, clientId, certificate);
        assertThat(client.getSecret("there").getValue()).isEqualTo("x");
        vault.revoke(revoked.principalObjectId());
        assertThatThrownBy(() -> client.getSecret("there")).hasMessageContaining("AccessDenied");
    }

    @Test
    void setNeedsTheSetPermission() throws Exception {
        assertThatThrownBy(() -> client(TENANT, CLIENT, certificate).setSecret("new", "value"))
                .hasMessageContaining("does not have secrets set permission");
    }

    @Test
    void missingSecret() throws Exception {
        assertThatThrownBy(() -> client(TENANT, CLIENT, certificate).getSecret("missing"))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("\"code\":\"SecretNotFound\"")
                .hasMessageContaining("A secret with (name/id) missing was not found in this key vault.");
    }

    @Test
    void disabledSecret() throws Exception {
        vault.setSecret("off", "x");
        vault.setEnabled("off", false);
        SecretClient client = client(TENANT, CLIENT, certificate);
        assertThatThrownBy(() -> client.getSecret("off"))
                .isInstanceOfSatisfying(HttpResponseException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(403))
                .hasMessageContaining("\"code\":\"Forbidden\"")
                .hasMessageContaining("\"innererror\":{\"code\":\"SecretDisabled\"}")
                .hasMessageContaining("Operation get is not allowed on a disabled secret.");
        vault.setEnabled("off", true);
        assertThat(client.getSecret("off").getValue()).isEqualTo("x");
    }
}
