package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A TLS trust failure (unknown issuer, as behind a TLS-inspecting proxy; a name that does not
 * match) is not transient: the call fails at once with {@link UntrustedServerException}, naming the
 * host and the issuer of the certificate it presented, and saying how to trust a corporate CA. The
 * deadline is long: a retried failure would end in {@link VaultUnavailableException} instead.
 */
class TlsTrustTest extends WithFixture {
    private static final Duration LONG_DEADLINE = Duration.ofSeconds(20);

    private static String emulatorCa() {
        return fixture.emulator.caCertificate().getSubjectX500Principal().getName();
    }

    @Test
    void anUnknownIssuerAtTheVaultIsNamedAndNotRetried() {
        fixture.vault.setSecret("tlsUnknownIssuer", "v");
        long requests = fixture.vault.requests();
        // No sslContext: the JVM's own trust store, which does not hold the emulator's CA.
        try (BatchVault vault = BatchVault.builder().vaultUrl(fixture.vault.url()).tenantId(Fixture.TENANT)
                .clientId(Fixture.CLIENT).authorityHost(fixture.emulator.authorityHost())
                .certificatePath(fixture.pfx).certificatePasswordFile(fixture.passwordFile)
                .callDeadline(LONG_DEADLINE).build()) {
            UntrustedServerException e = catchThrowableOfType(UntrustedServerException.class,
                    () -> vault.get("tlsUnknownIssuer"));
            // The vault's or the token endpoint's, whichever the client reaches first (the Key Vault client
            // remembers a vault's challenge process-wide, so for a vault it saw before it asks for a token first).
            String where = e.host();
            assertThat(where).isIn("localhost:" + URI.create(fixture.vault.url()).getPort(),
                    "localhost:" + URI.create(fixture.emulator.authorityHost()).getPort());
            assertThat(e.issuer()).isEqualTo(emulatorCa());
            assertThat(e).hasMessageContaining("presented by " + where)
                    .hasMessageContaining("its issuer is not a trusted CA")
                    .hasMessageContaining("issued by '" + emulatorCa() + "'")
                    .hasMessageContaining("-Djavax.net.ssl.trustStore=")
                    .hasMessageContaining("keytool -importcert -cacerts");
        }
        assertThat(fixture.vault.requests()).as("no request reached the vault").isEqualTo(requests);
    }

    @Test
    void aNameMismatchAtTheVaultIsNamedAndNotRetried() {
        int port = URI.create(fixture.vault.url()).getPort();
        // 127.0.0.3 reaches the emulator (the whole 127/8 is loopback on Linux) but is not in its certificate.
        try (BatchVault vault = fixture.builder().vaultUrl("https://127.0.0.3:" + port).callDeadline(LONG_DEADLINE)
                .build()) {
            UntrustedServerException e = catchThrowableOfType(UntrustedServerException.class, () -> vault.get("any"));
            assertThat(e.host()).isEqualTo("127.0.0.3:" + port);
            assertThat(e.issuer()).isEqualTo(emulatorCa());
            assertThat(e).hasMessageContaining("its names do not include 127.0.0.3")
                    .hasMessageContaining("check vault-url");
        }
    }

    @Test
    void aNameMismatchAtTheTokenEndpointNamesThatHost() {
        fixture.vault.setSecret("tlsTokenEndpoint", "v");
        int port = URI.create(fixture.emulator.authorityHost()).getPort();
        try (BatchVault vault = fixture.builder().authorityHost("https://127.0.0.3:" + port)
                .callDeadline(LONG_DEADLINE).build()) {
            UntrustedServerException e = catchThrowableOfType(UntrustedServerException.class,
                    () -> vault.get("tlsTokenEndpoint"));
            assertThat(e.host()).isEqualTo("127.0.0.3:" + port);
            assertThat(e.issuer()).isEqualTo(emulatorCa());
        }
    }
}
