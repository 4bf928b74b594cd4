package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NameAndVersionTest {
    @Test
    void versionsAreAsciiHex() {
        assertThatCode(() -> BatchVault.checkVersion("0123456789abcdef0123456789ABCDEF")).doesNotThrowAnyException();
        assertThatThrownBy(() -> BatchVault.checkVersion("\uFF10123456789abcdef0123456789abcdef"))
                .isInstanceOf(InvalidSecretNameException.class).hasMessageContaining("is malformed");
        assertThatThrownBy(() -> BatchVault.checkVersion("\u0663123456789abcdef0123456789abcdef"))
                .isInstanceOf(InvalidSecretNameException.class);
        assertThatThrownBy(() -> BatchVault.checkVersion("\u00e9123456789abcdef0123456789abcdef"))
                .isInstanceOf(InvalidSecretNameException.class);
    }

    @Test
    void namesAreAsciiLettersDigitsAndHyphens() {
        assertThatCode(() -> BatchVault.checkName("batch-Admin-Pass-1")).doesNotThrowAnyException();
        assertThatThrownBy(() -> BatchVault.checkName("\uFF21dmin")).isInstanceOf(InvalidSecretNameException.class);
        assertThatThrownBy(() -> BatchVault.checkName(null)).isInstanceOf(InvalidSecretNameException.class);
    }
}
