package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * {@code build()} accepts exactly the vault URLs the Azure clients can use and refuses the rest,
 * naming the setting; an accepted URL then works against the emulator.
 */
class VaultUrlTest extends WithFixture {

    @Test
    void anIpv6LoopbackVaultWorks() {
        fixture.vault.setSecret("ipv6", "over-ipv6");
        try (BatchVault vault = fixture.builder().vaultUrl("https://[::1]:" + fixture.vault.port()).build()) {
            assertThat(vault.get("ipv6").value()).isEqualTo("over-ipv6");
        }
    }

    @Test
    void anIpv4LoopbackVaultWorks() {
        fixture.vault.setSecret("ipv4", "over-ipv4");
        try (BatchVault vault = fixture.builder().vaultUrl("https://127.0.0.1:" + fixture.vault.port()).build()) {
            assertThat(vault.get("ipv4").value()).isEqualTo("over-ipv4");
        }
    }

    @Test
    void aPortOutOfRangeIsRefused() {
        for (String url : new String[] {"https://localhost:99999", "https://localhost:65536", "https://localhost:0"}) {
            assertThatThrownBy(() -> fixture.builder().vaultUrl(url).build())
                    .as(url)
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("vault-url")
                    .hasMessageContaining("port")
                    .extracting(e -> ((InvalidConfigurationException) e).setting()).isEqualTo("vault-url");
        }
    }

    @Test
    void aHostEndingInADotIsRefused() {
        assertThatThrownBy(() -> fixture.builder().vaultUrl("https://localhost.:443").build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("ends with a dot");
        assertThatThrownBy(() -> fixture.builder().vaultUrl("https://myvault.vault.azure.net.").build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("ends with a dot");
    }

    @Test
    void hostsTheClientsCannotUseAreRefused() {
        for (String url : new String[] {"https://[::1", "https://[fe80::1%25eth0]:443", "https://:443", "https://my_vault.vault.azure.net",
            "https://-vault.vault.azure.net", "https://vault..azure.net"}) {
            assertThatThrownBy(() -> fixture.builder().vaultUrl(url).build())
                    .as(url)
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("vault-url");
        }
    }

    @Test
    void ordinaryVaultUrlsAreAccepted() {
        for (String url : new String[] {"https://myvault.vault.azure.net", "https://MyVault.Vault.Azure.Net:443/",
            "https://myvault.vault.azure.cn", "https://10.0.0.4:8443", "https://[2001:db8::1]:8443"}) {
            assertThat(Config.httpsUrl(Config.VAULT_URL, url, "the test")).as(url).isNotNull();
        }
    }

    @Test
    void userInformationIsNeverEchoed() {
        assertThatThrownBy(() -> fixture.builder().vaultUrl("https://admin:hunter2@myvault.vault.azure.net").build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("user")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("admin:");
        assertThatThrownBy(() -> fixture.builder().vaultUrl("http://admin:hunter2@myvault.vault.azure.net").build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> fixture.builder().vaultUrl("https://admin:hunter2@myvault.vault.azure.net/path?x").build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> fixture.builder().authorityHost("https://u:hunter2@login.example.com").build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> fixture.builder().vaultUrl("https://admin:hunter2@my vault").build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageNotContaining("hunter2");
    }
}
