package dev.batchvault.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

class ThumbprintTest {
    private static final String HEX = "3B1EFD3A66EA28B16697394703A72CA340A05BD5";

    @Test
    void acceptsWhatPeoplePaste() {
        assertThat(Thumbprint.parse(HEX, "t").hex()).isEqualTo(HEX);
        assertThat(Thumbprint.parse(HEX.toLowerCase(), "t").hex()).isEqualTo(HEX);
        assertThat(Thumbprint.parse("3b 1e fd 3a 66 ea 28 b1 66 97 39 47 03 a7 2c a3 40 a0 5b d5", "t").hex()).isEqualTo(HEX);
        assertThat(Thumbprint.parse("3B:1E:FD:3A:66:EA:28:B1:66:97:39:47:03:A7:2C:A3:40:A0:5B:D5", "t").hex()).isEqualTo(HEX);
        // The Windows certificate dialog prepends a left-to-right mark when the thumbprint is copied.
        assertThat(Thumbprint.parse("\u200E" + HEX, "t").hex()).isEqualTo(HEX);
        assertThat(Thumbprint.parse("\uFEFF" + HEX + "\n", "t").hex()).isEqualTo(HEX);
        assertThat(Thumbprint.parse(" " + HEX + "\u00A0", "t").hex()).isEqualTo(HEX);
    }

    @Test
    void rejectsANonHexCharacterByPosition() {
        assertThatThrownBy(() -> Thumbprint.parse("3B1EFD3A66EA28B16697394703A72CA340A05BDZ", "certificate-thumbprint"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("certificate-thumbprint is not a SHA-1 thumbprint")
                .hasMessageContaining("character 'Z' (U+005A) at position 40 is not a hex digit");
    }

    @Test
    void rejectsTheWrongLength() {
        assertThatThrownBy(() -> Thumbprint.parse("3B1EFD3A", "certificate-thumbprint"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("it has 8 hex digits after removing spaces, colons and invisible characters; expected 40");
        assertThatThrownBy(() -> Thumbprint.parse(HEX + HEX.substring(0, 24), "certificate-thumbprint"))
                .hasMessageContaining("looks like a SHA-256 thumbprint");
        assertThatThrownBy(() -> Thumbprint.parse("\u200E", "certificate-thumbprint"))
                .hasMessageContaining("it has 0 hex digits");
    }

    @Test
    void equalityIsByValue() {
        assertThat(Thumbprint.parse(HEX, "a")).isEqualTo(Thumbprint.parse(HEX.toLowerCase(), "b"))
                .hasSameHashCodeAs(Thumbprint.parse(HEX, "c"));
        assertThat(Thumbprint.parse(HEX, "a")).hasToString(HEX);
    }
}
