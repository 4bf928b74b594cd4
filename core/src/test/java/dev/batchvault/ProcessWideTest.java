package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchvault.spi.Thumbprint;
import org.junit.jupiter.api.Test;

class ProcessWideTest {
    @Test
    void oneBoundPerVaultAndSize() {
        ProcessWide process = new ProcessWide();
        assertThat(process.vaultBound("https://a.vault.azure.net", 8)).isSameAs(process.vaultBound("https://a.vault.azure.net", 8))
                .isNotSameAs(process.vaultBound("https://a.vault.azure.net", 2))
                .isNotSameAs(process.vaultBound("https://b.vault.azure.net", 8));
        assertThat(process.vaultBound("https://a.vault.azure.net", 2).availablePermits()).isEqualTo(2);
        assertThat(new ProcessWide().vaultBound("https://a.vault.azure.net", 8))
                .as("a fresh instance shares nothing").isNotSameAs(process.vaultBound("https://a.vault.azure.net", 8));
    }

    @Test
    void theExpiryWarningComesOncePerCertificate() {
        ProcessWide process = new ProcessWide();
        Thumbprint t = Thumbprint.parse("3B1EFD3A66EA28B16697394703A72CA340A05BD5", "x");
        assertThat(process.firstExpiryWarning(t)).isTrue();
        assertThat(process.firstExpiryWarning(t)).isFalse();
        assertThat(new ProcessWide().firstExpiryWarning(t)).isTrue();
    }
}
