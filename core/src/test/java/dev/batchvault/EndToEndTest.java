package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchvault.emulator.SecretAttributes;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/** The real azure-identity and SecretClient, through BatchVault, against the emulator over HTTPS. */
class EndToEndTest extends WithFixture {
    @Test
    void readsASecretWithThePoolCertificate() {
        Instant exp = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        String version = fixture.vault.setSecret("batchAdminPass", "correct horse battery staple",
                SecretAttributes.defaults().contentType("text/plain").expiresOn(exp));
        try (BatchVault vault = fixture.builder().build()) {
            Secret secret = vault.get("batchAdminPass");
            assertThat(secret.name()).isEqualTo("batchAdminPass");
            assertThat(secret.value()).isEqualTo("correct horse battery staple");
            assertThat(secret.version()).isEqualTo(version);
            assertThat(secret.contentType()).hasValue("text/plain");
            assertThat(secret.expiresOn()).hasValue(exp);
            assertThat(secret.toString()).doesNotContain("correct horse").contains("batchAdminPass", version);
        }
    }

    @Test
    void readsAPinnedVersionAndTheLatest() {
        String first = fixture.vault.setSecret("rotated", "one");
        fixture.vault.setSecret("rotated", "two");
        try (BatchVault vault = fixture.builder().build()) {
            assertThat(vault.get("rotated").value()).isEqualTo("two");
            assertThat(vault.get("rotated", first).value()).isEqualTo("one");
        }
    }

    @Test
    void cachesValuesForTheTtl() {
        fixture.vault.setSecret("cached", "v1");
        try (BatchVault vault = fixture.builder().build()) {
            assertThat(vault.get("cached").value()).isEqualTo("v1");
            long requests = fixture.vault.requests();
            fixture.vault.setSecret("cached", "v2");
            assertThat(vault.get("cached").value()).isEqualTo("v1");
            assertThat(fixture.vault.requests()).isEqualTo(requests);
        }
    }

    @Test
    void findsThePemFormToo() throws Exception {
        fixture.vault.setSecret("fromPem", "pem works");
        Path pem = fixture.certificate.writePem(dir.resolve("pool.pem"));
        try (BatchVault vault = BatchVault.builder()
                .vaultUrl(fixture.vault.url())
                .tenantId(Fixture.TENANT)
                .clientId(Fixture.CLIENT)
                .authorityHost(fixture.emulator.authorityHost())
                .sslContext(fixture.emulator.sslContext())
                .certificatePath(pem)
                .certificateThumbprint("\u200E" + fixture.certificate.thumbprint().toLowerCase())
                .build()) {
            assertThat(vault.get("fromPem").value()).isEqualTo("pem works");
        }
    }

    @Test
    void theDefaultInstanceReadsSystemProperties() {
        String[][] props = {
            {"batchvault.vault-url", fixture.vault.url()},
            {"batchvault.tenant-id", Fixture.TENANT},
            {"batchvault.client-id", Fixture.CLIENT},
            {"batchvault.authority-host", fixture.emulator.authorityHost()},
            {"batchvault.certificate-path", fixture.pfx.toString()},
            {"batchvault.certificate-password-file", fixture.passwordFile.toString()},
        };
        // Fetching through the default instance needs the JVM to trust the emulator from its start
        // (javax.net.ssl.trustStore); the examples module runs that in a fresh JVM. Here: resolution.
        for (String[] p : props) {
            System.setProperty(p[0], p[1]);
        }
        try {
            BatchVault instance = BatchVault.defaultInstance();
            assertThat(instance).isSameAs(BatchVault.defaultInstance());
            assertThat(instance.toString()).contains(fixture.vault.url(), Fixture.CLIENT);
            instance.close();
            assertThat(BatchVault.defaultInstance()).isNotSameAs(instance);
            BatchVault.defaultInstance().close();
        } finally {
            for (String[] p : props) {
                System.clearProperty(p[0]);
            }
        }
    }
}
