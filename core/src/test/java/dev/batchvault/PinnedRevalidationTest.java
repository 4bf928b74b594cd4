package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A pinned version's value cannot change, but access to it can: it is revalidated on the same TTL
 * as the latest version, and a 403 or 404 then reaches the caller (never masked by the cache).
 */
class PinnedRevalidationTest extends WithFixture {
    private final FakeTime time = new FakeTime();

    @Test
    void aRevokedAccessReachesTheCallerOfAPinnedVersionAfterTheTtl() {
        String version = fixture.vault.setSecret("pinnedRevoked", "v1");
        try (BatchVault vault = fixture.builder().cacheJitter(0).timeSource(time).build()) {
            assertThat(vault.get("pinnedRevoked", version).value()).isEqualTo("v1");
            fixture.vault.revoke(fixture.application.principalObjectId());
            try {
                time.advance(Duration.ofMinutes(5));
                assertThat(vault.get("pinnedRevoked", version).value()).as("fresh within the TTL").isEqualTo("v1");
                time.advance(Duration.ofMinutes(6));
                assertThatThrownBy(() -> vault.get("pinnedRevoked", version)).isInstanceOf(AccessDeniedException.class);
            } finally {
                fixture.vault.grant(fixture.application.principalObjectId(), "get");
            }
            assertThat(vault.get("pinnedRevoked", version).value()).as("dropped, so read again").isEqualTo("v1");
        }
    }

    @Test
    void aDeletedSecretReachesTheCallerOfAPinnedVersionAfterTheTtl() {
        String version = fixture.vault.setSecret("pinnedDeleted", "v1");
        try (BatchVault vault = fixture.builder().cacheJitter(0).timeSource(time).build()) {
            assertThat(vault.get("pinnedDeleted", version).value()).isEqualTo("v1");
            fixture.vault.deleteSecret("pinnedDeleted");
            time.advance(Duration.ofMinutes(11));
            assertThatThrownBy(() -> vault.get("pinnedDeleted", version)).isInstanceOf(SecretNotFoundException.class);
        }
    }
}
