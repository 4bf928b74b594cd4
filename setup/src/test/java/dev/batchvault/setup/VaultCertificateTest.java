package dev.batchvault.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import java.io.ByteArrayInputStream;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Step 1 in the vault: import or create through Key Vault's certificates API, then read as the extension reads it. */
class VaultCertificateTest {
    private final EmulatedAzure azure = new EmulatedAzure();
    private final GeneratedCertificate certificate = GeneratedCertificate.create(CertificateSpec.builder()
            .subject("CN=batchvault-pool").build());

    @AfterEach
    void close() {
        azure.close();
    }

    private BatchVaultSetup.Builder setup() {
        return azure.setup().disableChallengeResourceVerification();
    }

    /** The certificate's secret, as the Key Vault VM extension fetches it: PKCS#12 without password. */
    private X509Certificate secretCertificate(String name) throws Exception {
        KeyVaultSecret secret = azure.secrets(azure.adminCredential).getSecret(name);
        assertThat(secret.getProperties().getContentType()).isEqualTo("application/x-pkcs12");
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        p12.load(new ByteArrayInputStream(Base64.getDecoder().decode(secret.getValue())), new char[0]);
        String alias = p12.aliases().nextElement();
        assertThat(p12.isKeyEntry(alias)).isTrue();
        return (X509Certificate) p12.getCertificate(alias);
    }

    @Test
    void importThenUnchangedThenANewVersion() throws Exception {
        azure.vault.certificates().grant(azure.admin.principalObjectId(), "get", "import");
        azure.vault.grant(azure.admin.principalObjectId(), "get");
        BatchVaultSetup setup = setup().vaultCertificate(azure.vault.url(), "batchvault-pool", certificate,
                EmulatedAzure.PASSWORD).build();
        assertThat(setup.plan()).singleElement().satisfies(r -> {
            assertThat(r.step()).isEqualTo(Step.VAULT_CERTIFICATE);
            assertThat(r.outcome()).isEqualTo(Outcome.CREATED);
        });
        assertThat(azure.vault.certificates().certificate("batchvault-pool")).isNull();

        SetupReport first = setup.apply();
        assertThat(first.steps()).extracting(StepResult::outcome).containsExactly(Outcome.CREATED);
        assertThat(first.vaultCertificate()).isEqualTo(certificate.certificate());
        assertThat(secretCertificate("batchvault-pool")).isEqualTo(certificate.certificate());
        assertThat(setup.apply().steps()).extracting(StepResult::outcome).containsExactly(Outcome.UNCHANGED);

        // Rotation in the vault: another certificate under the name is a new version.
        GeneratedCertificate next = GeneratedCertificate.create(CertificateSpec.builder()
                .subject("CN=batchvault-pool").build());
        SetupReport rotated = setup().vaultCertificate(azure.vault.url(), "batchvault-pool", next,
                EmulatedAzure.PASSWORD).build().apply();
        assertThat(rotated.steps()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.UPDATED);
            assertThat(r.detail()).contains("new version").contains(certificate.thumbprint());
        });
        assertThat(secretCertificate("batchvault-pool")).isEqualTo(next.certificate());
    }

    @Test
    void createdInTheVaultKeepsTheKeyThereAndGivesThePublicPart() throws Exception {
        azure.vault.certificates().grant(azure.admin.principalObjectId(), "get", "create");
        azure.vault.grant(azure.admin.principalObjectId(), "get");
        BatchVaultSetup setup = setup().vaultCertificate(azure.vault.url(), "made-in-vault", "CN=batchvault-pool", 12)
                .build();
        assertThat(setup.plan()).extracting(StepResult::outcome).containsExactly(Outcome.CREATED);
        SetupReport report = setup.apply();
        assertThat(report.steps()).extracting(StepResult::outcome).containsExactly(Outcome.CREATED);
        X509Certificate made = report.vaultCertificate();
        assertThat(made.getSubjectX500Principal().getName()).isEqualTo("CN=batchvault-pool");
        assertThat(secretCertificate("made-in-vault")).isEqualTo(made);
        SetupReport again = setup.apply();
        assertThat(again.steps()).extracting(StepResult::outcome).containsExactly(Outcome.UNCHANGED);
        assertThat(again.vaultCertificate()).isEqualTo(made);
    }

    @Test
    void withoutCertificatePermissionsTheStepIsNamed() {
        assertThatThrownBy(() -> setup().vaultCertificate(azure.vault.url(), "batchvault-pool", certificate,
                EmulatedAzure.PASSWORD).build().apply())
                .isInstanceOfSatisfying(SetupException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.VAULT_CERTIFICATE);
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("certificates get and import");
                });
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> setup().vaultCertificate("http://v", "n", "CN=x", 12))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an https URL");
        assertThatThrownBy(() -> setup().vaultCertificate(azure.vault.url(), "bad_name", "CN=x", 12))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certificate name 'bad_name'");
        assertThatThrownBy(() -> setup().vaultCertificate(azure.vault.url(), "n", "CN=x", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("validityMonths 0");
        assertThatThrownBy(() -> setup().vaultCertificate(azure.vault.url(), "n", "pool", 12))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a distinguished name");
    }
}
