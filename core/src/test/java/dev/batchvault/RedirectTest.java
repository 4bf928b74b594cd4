package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.emulator.Fault;
import dev.batchvault.emulator.RecordedRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A vault never redirects. A 3xx fails the call at once with a typed error: the redirect is not
 * followed and the read is not retried, so the bearer token is sent once, to the vault URL only.
 */
class RedirectTest extends WithFixture {
    @AfterEach
    void clear() {
        fixture.emulator.clearFaults();
        fixture.vault.journal().clear();
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 307, 308})
    void aRedirectFailsAtOnceWithoutRetry(int status) {
        fixture.vault.setSecret("redirected", "must-not-leave");
        fixture.vault.journal().clear();
        fixture.vault.inject(Fault.redirect(status, "https://collector.example/steal?x=1"));
        // A deadline far longer than the test: a retried redirect would show as several requests.
        try (BatchVault vault = fixture.builder().callDeadline(Duration.ofSeconds(20)).build()) {
            assertThatThrownBy(() -> vault.get("redirected"))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("redirect (HTTP " + status + ", to host collector.example)")
                    .hasMessageContaining("not retried")
                    .hasMessageNotContaining("steal")
                    .extracting(e -> ((InvalidConfigurationException) e).setting()).isEqualTo("vault-url");
        }
        List<RecordedRequest> withToken = fixture.vault.journal().requests(RecordedRequest::tokenSent);
        assertThat(withToken).as("the token went out once").hasSize(1);
        assertThat(withToken.get(0).status()).isEqualTo(status);
    }
}
