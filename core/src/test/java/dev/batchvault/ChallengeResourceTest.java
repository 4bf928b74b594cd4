package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens go only where they belong. A host that is neither a Key Vault domain nor the loopback
 * names the emulator uses (127.0.0.2 reaches the emulator, but is not on the allow list) answers
 * with a Key Vault-looking challenge; the client must refuse it before asking for a token.
 */
class ChallengeResourceTest {
    @TempDir
    Path dir;

    @Test
    void aNonVaultHostNeverReceivesAToken() {
        try (Fixture fixture = new Fixture(dir)) {
            fixture.vault.setSecret("batchAdminPass", "must-not-leave");
            String impostor = "https://127.0.0.2:" + fixture.vault.port();
            try (BatchVault vault = fixture.builder().vaultUrl(impostor).build()) {
                assertThatThrownBy(() -> vault.get("batchAdminPass"))
                        .isInstanceOf(InvalidConfigurationException.class)
                        .hasMessageContaining("answered with a challenge for another service's host, so no token was sent")
                        .hasMessageContaining(impostor);
            }
            assertThat(fixture.vault.requests()).as("the challenge was asked for").isPositive();
            assertThat(fixture.vault.requestsWithToken()).isZero();
            assertThat(fixture.emulator.tokenRequests()).isZero();
        }
    }

    @Test
    void theSameVaultOnLocalhostIsTrusted() {
        try (Fixture fixture = new Fixture(dir)) {
            fixture.vault.setSecret("batchAdminPass", "fine");
            try (BatchVault vault = fixture.builder().build()) {
                assertThat(vault.get("batchAdminPass").value()).isEqualTo("fine");
            }
            assertThat(fixture.vault.requestsWithToken()).isPositive();
        }
    }
}
