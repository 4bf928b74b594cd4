package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchvault.spi.Thumbprint;
import java.net.URI;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

class ProcessWideTest {
    @Test
    void oneBoundPerVaultWhateverItsSpellingAndSize() {
        ProcessWide process = new ProcessWide();
        Semaphore a = process.vaultBound(URI.create("https://a.vault.azure.net"), 8);
        assertThat(a).isSameAs(process.vaultBound(URI.create("https://a.vault.azure.net"), 8))
                .as("another bound size").isSameAs(process.vaultBound(URI.create("https://a.vault.azure.net"), 2))
                .as("upper case").isSameAs(process.vaultBound(URI.create("https://A.VAULT.azure.NET"), 8))
                .as("explicit port").isSameAs(process.vaultBound(URI.create("https://a.vault.azure.net:443"), 8))
                .isNotSameAs(process.vaultBound(URI.create("https://a.vault.azure.net:8443"), 8))
                .isNotSameAs(process.vaultBound(URI.create("https://b.vault.azure.net"), 8));
        assertThat(a.availablePermits()).as("the first instance's bound").isEqualTo(8);
        assertThat(process.vaultBound(URI.create("https://LOCALHOST:8443"), 25))
                .isSameAs(process.vaultBound(URI.create("https://localhost:8443"), 8));
        assertThat(new ProcessWide().vaultBound(URI.create("https://a.vault.azure.net"), 8))
                .as("a fresh instance shares nothing").isNotSameAs(a);
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
