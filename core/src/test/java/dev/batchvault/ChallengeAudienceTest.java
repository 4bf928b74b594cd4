package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whoever listens at the vault URL does not choose the token's audience. A listener on the
 * loopback (where the host check is relaxed for the emulator) that answers with a challenge for
 * another Azure resource gets no token: the call fails with a typed error before any token is
 * requested.
 */
class ChallengeAudienceTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"https://storage.azure.com", "https://management.azure.com", "https://graph.microsoft.com",
        "https://managedhsm.azure.net", "https://vault.azure.net.evil.example", "https://vault.azure.net/x"})
    void aChallengeForAnotherResourceGetsNoToken(String resource) {
        try (Fixture fixture = new Fixture(dir)) {
            fixture.vault.setSecret("batchAdminPass", "must-not-leave");
            fixture.vault.challengeResource(resource);
            try (BatchVault vault = fixture.builder().build()) {
                assertThatThrownBy(() -> vault.get("batchAdminPass"))
                        .isInstanceOf(InvalidConfigurationException.class)
                        .hasMessageContaining("asked for a token for '" + resource + "/.default', which is not a Key "
                                + "Vault resource, so no token was requested")
                        .hasMessageContaining(fixture.vault.url())
                        .extracting(e -> ((InvalidConfigurationException) e).setting()).isEqualTo("vault-url");
            }
            assertThat(fixture.vault.requests()).as("the challenge was asked for, once: no retry").isEqualTo(1);
            assertThat(fixture.emulator.tokenRequests()).isZero();
            assertThat(fixture.vault.requestsWithToken()).isZero();
        }
    }

    @Test
    void aKeyVaultChallengeStillGetsItsToken() {
        try (Fixture fixture = new Fixture(dir)) {
            fixture.vault.setSecret("batchAdminPass", "fine");
            try (BatchVault vault = fixture.builder().build()) {
                assertThat(vault.get("batchAdminPass").value()).isEqualTo("fine");
            }
            assertThat(fixture.emulator.tokenRequests()).isPositive();
        }
    }

    @Test
    void theScopeIsReadAsTheKeyVaultClientReadsIt() {
        assertThat(KeyVaultAudiencePolicy.requestedScope("Bearer authorization=\"https://login.windows.net/t\", "
                + "resource=\"https://vault.azure.net\"")).isEqualTo("https://vault.azure.net/.default");
        assertThat(KeyVaultAudiencePolicy.requestedScope("Bearer authorization=\"https://login.windows.net/t\", "
                + "scope=\"https://storage.azure.com/.default\"")).isEqualTo("https://storage.azure.com/.default");
        assertThat(KeyVaultAudiencePolicy.requestedScope("Basic realm=\"x\"")).isNull();
        assertThat(KeyVaultAudiencePolicy.requestedScope(null)).isNull();
        for (String audience : new String[] {"https://vault.azure.net", "https://vault.azure.cn",
            "https://vault.usgovcloudapi.net", "https://vault.microsoftazure.de", "https://VAULT.azure.net"}) {
            assertThat(KeyVaultAudiencePolicy.isKeyVaultScope(audience + "/.default")).as(audience).isTrue();
        }
        for (String scope : new String[] {"https://storage.azure.com/.default", "https://vault.azure.net",
            "https://vault.azure.net//.default", "https://managedhsm.azure.net/.default",
            "https://evil.example/https://vault.azure.net/.default"}) {
            assertThat(KeyVaultAudiencePolicy.isKeyVaultScope(scope)).as(scope).isFalse();
        }
    }
}
