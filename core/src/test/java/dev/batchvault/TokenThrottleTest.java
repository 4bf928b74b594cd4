package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.emulator.Fault;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Entra ID's 429 with {@code Retry-After} is honoured within the call deadline, as the vault's is:
 * no token request before the time it names, and none at all when that time is past the deadline.
 */
class TokenThrottleTest extends WithFixture {
    @AfterEach
    void clear() {
        fixture.emulator.clearFaults();
    }

    @Test
    void aRetryAfterPastTheDeadlineEndsTheCallAfterOneTokenRequest() {
        fixture.vault.setSecret("tokenThrottled", "v");
        fixture.emulator.injectToken(Fault.throttle(Duration.ofSeconds(60)));
        long before = fixture.emulator.tokenRequests();
        try (BatchVault vault = fixture.builder().processWide(new ProcessWide()).callDeadline(Duration.ofSeconds(5))
                .build()) {
            assertThatThrownBy(() -> vault.get("tokenThrottled")).isInstanceOf(VaultUnavailableException.class)
                    .hasMessageContaining("429")
                    .hasMessageContaining("Gave up after 1 attempt");
        }
        assertThat(fixture.emulator.tokenRequests() - before).as("token requests").isEqualTo(1);
    }

    @Test
    void aRetryAfterWithinTheDeadlineIsWaitedForThenTheReadSucceeds() {
        fixture.vault.setSecret("tokenThrottledOnce", "v");
        fixture.emulator.injectToken(Fault.throttle(Duration.ofSeconds(1)).times(1));
        long before = fixture.emulator.tokenRequests();
        try (BatchVault vault = fixture.builder().processWide(new ProcessWide()).callDeadline(Duration.ofSeconds(30))
                .build()) {
            assertThat(vault.get("tokenThrottledOnce").value()).isEqualTo("v");
        }
        assertThat(fixture.emulator.tokenRequests() - before).as("token requests").isEqualTo(2);
    }
}
