package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.emulator.SecretAttributes;
import dev.batchvault.emulator.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every failure a user can act on, produced for real against the emulator. */
class ErrorsTest extends WithFixture {
    @BeforeAll
    static void storeTheSecret() {
        fixture.vault.setSecret("batchAdminPass", "s3cr3t-value");
    }

    @Test
    void unregisteredCertificateIsRefusedByEntraId() throws Exception {
        SelfSignedCertificate other = SelfSignedCertificate.create("CN=not-registered");
        Path pfx = other.writePfx(dir.resolve("other.pfx"), new char[0]);
        try (BatchVault vault = fixture.builder().certificatePath(pfx).certificatePasswordFile(
                Files.writeString(dir.resolve("other.pfx.pw"), "")).build()) {
            assertThatThrownBy(() -> vault.get("batchAdminPass"))
                    .isInstanceOf(AuthenticationRefusedException.class)
                    .hasMessageContaining("AADSTS700027")
                    .hasMessageContaining(Fixture.CLIENT)
                    .hasMessageContaining("az ad app credential reset --id " + Fixture.CLIENT)
                    .extracting(e -> ((AuthenticationRefusedException) e).errorCode()).isEqualTo("AADSTS700027");
        }
    }

    @Test
    void unknownApplicationIsRefused() {
        String stranger = UUID.randomUUID().toString();
        try (BatchVault vault = fixture.builder().clientId(stranger).build()) {
            assertThatThrownBy(() -> vault.get("batchAdminPass"))
                    .isInstanceOf(AuthenticationRefusedException.class)
                    .hasMessageContaining("AADSTS700016")
                    .hasMessageContaining("No application with client id " + stranger);
        }
    }

    @Test
    void wrongCertificateForTheThumbprint() {
        String wrong = "0000000000000000000000000000000000000001";
        assertThatThrownBy(() -> fixture.builder().certificateThumbprint(wrong).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("has thumbprint " + fixture.certificate.thumbprint())
                .hasMessageContaining("certificate-thumbprint is " + wrong)
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.THUMBPRINT_MISMATCH);
    }

    @Test
    void noAccessPolicyIsAccessDenied() {
        String clientId = UUID.randomUUID().toString();
        fixture.emulator.tenant(Fixture.TENANT).application(clientId)
                .registerCertificate(fixture.certificate.certificate());
        try (BatchVault vault = fixture.builder().clientId(clientId).build()) {
            assertThatThrownBy(() -> vault.get("batchAdminPass"))
                    .isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("refused application (client id) " + clientId)
                    .hasMessageContaining(fixture.vault.url())
                    .hasMessageContaining("az keyvault set-policy --name")
                    .hasMessageContaining("--spn " + clientId + " --secret-permissions get")
                    .hasMessageContaining("Key Vault Secrets User")
                    .satisfies(e -> {
                        AccessDeniedException denied = (AccessDeniedException) e;
                        assertThat(denied.principal()).isEqualTo(clientId);
                        assertThat(denied.vaultUrl()).isEqualTo(fixture.vault.url());
                    });
        }
    }

    @Test
    void missingSecret() {
        try (BatchVault vault = fixture.builder().build()) {
            assertThatThrownBy(() -> vault.get("noSuchSecret"))
                    .isInstanceOf(SecretNotFoundException.class)
                    .hasMessageContaining("has no secret 'noSuchSecret'")
                    .hasMessageContaining("SecretNotFound")
                    .extracting(e -> ((SecretNotFoundException) e).secretName()).isEqualTo("noSuchSecret");
        }
    }

    @Test
    void disabledSecret() {
        fixture.vault.setSecret("switchedOff", "unused", SecretAttributes.defaults().enabled(false));
        try (BatchVault vault = fixture.builder().build()) {
            assertThatThrownBy(() -> vault.get("switchedOff"))
                    .isInstanceOf(SecretDisabledException.class)
                    .hasMessageContaining("is disabled")
                    .hasMessageContaining("az keyvault secret set-attributes")
                    .hasMessageContaining("--name switchedOff --enabled true");
        }
    }

    @Test
    void httpVaultUrl() {
        assertThatThrownBy(() -> BatchVault.builder().vaultUrl("http://myvault.vault.azure.net"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("vault-url 'http://myvault.vault.azure.net' (from the builder) uses http; it must use https");
    }

    @Test
    void badSecretNames() {
        try (BatchVault vault = fixture.builder().build()) {
            long before = fixture.vault.requests();
            assertThatThrownBy(() -> vault.get("batch_admin_pass"))
                    .isInstanceOf(InvalidSecretNameException.class)
                    .hasMessageContaining("Secret name of 16 characters has U+005F at position 6")
                    .hasMessageNotContaining("batch_admin_pass");
            assertThatThrownBy(() -> vault.get(""))
                    .isInstanceOf(InvalidSecretNameException.class)
                    .hasMessageContaining("has 0 characters");
            assertThatThrownBy(() -> vault.get("a".repeat(128)))
                    .hasMessageContaining("has 128 characters");
            assertThatThrownBy(() -> vault.get(null))
                    .isInstanceOf(InvalidSecretNameException.class);
            assertThatThrownBy(() -> vault.get("batchAdminPass", "../x"))
                    .isInstanceOf(InvalidSecretNameException.class)
                    .hasMessageContaining("Secret version of 4 characters is malformed (U+002E at position 1)")
                    .hasMessageNotContaining("../x");
            assertThat(fixture.vault.requests()).isEqualTo(before);
        }
    }

    @Test
    void badThumbprint() {
        assertThatThrownBy(() -> BatchVault.builder().certificateThumbprint("3B1EFD3A66EA28B1669739470"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("certificate-thumbprint is not a SHA-1 thumbprint: it has 25 hex digits");
    }

    @Test
    void certificateNotFoundListsWhereItLooked() {
        assertThatThrownBy(() -> BatchVault.builder()
                .vaultUrl(fixture.vault.url()).tenantId(Fixture.TENANT).clientId(Fixture.CLIENT)
                .certificateThumbprint(fixture.certificate.thumbprint()).build())
                .isInstanceOf(CertificateNotFoundException.class)
                .hasMessageContaining("No certificate with thumbprint " + fixture.certificate.thumbprint())
                .hasMessageContaining("certificate-path: not set")
                .hasMessageContaining("batchvault-linux-store");
        Path missing = dir.resolve("missing.pfx");
        assertThatThrownBy(() -> fixture.builder().certificatePath(missing).build())
                .isInstanceOf(CertificateNotFoundException.class)
                .hasMessageContaining("The certificate file " + missing + " (from the builder) does not exist");
    }

    @Test
    void expiredAndNotYetValidCertificates() throws Exception {
        Instant now = Instant.now();
        SelfSignedCertificate expired = SelfSignedCertificate.create("CN=old", now.minus(400, ChronoUnit.DAYS),
                now.minus(35, ChronoUnit.DAYS));
        Path expiredPem = expired.writePem(dir.resolve("expired.pem"));
        assertThatThrownBy(() -> fixture.builder().certificatePath(expiredPem).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining(expiredPem.toString())
                .hasMessageContaining("expired on " + expired.certificate().getNotAfter().toInstant())
                .hasMessageContaining("valid from " + expired.certificate().getNotBefore().toInstant())
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.EXPIRED);

        SelfSignedCertificate future = SelfSignedCertificate.create("CN=future", now.plus(2, ChronoUnit.DAYS),
                now.plus(400, ChronoUnit.DAYS));
        Path futurePem = future.writePem(dir.resolve("future.pem"));
        assertThatThrownBy(() -> fixture.builder().certificatePath(futurePem).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("is not valid before " + future.certificate().getNotBefore().toInstant())
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.NOT_YET_VALID);
    }

    @Test
    void wrongPfxPassword() throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong.pw"), "not-the-password\n");
        assertThatThrownBy(() -> fixture.builder().certificatePasswordFile(wrong).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot open " + fixture.pfx + ": the password is wrong")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.WRONG_PASSWORD);
    }

    @Test
    void vaultThatCannotBeReached() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (BatchVault vault = fixture.builder().vaultUrl("https://localhost:" + closedPort)
                .callDeadline(java.time.Duration.ofSeconds(2)).build()) {
            assertThatThrownBy(() -> vault.get("batchAdminPass"))
                    .isInstanceOf(VaultUnavailableException.class)
                    .hasMessageContaining("Cannot reach the vault https://localhost:" + closedPort)
                    .hasMessageContaining("Check the node's network")
                    .hasMessageContaining("Gave up after")
                    .satisfies(e -> assertThat(((VaultUnavailableException) e).attempts()).isGreaterThan(1));
        }
    }
}
