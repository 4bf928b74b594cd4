package dev.batchvault.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
                .isInstanceOf(InvalidThumbprintException.class)
                .hasMessageContaining("certificate-thumbprint is not a SHA-1 thumbprint")
                .hasMessageContaining("character 'Z' (U+005A) at position 40 is not a hex digit");
    }

    @Test
    void rejectsTheWrongLength() {
        assertThatThrownBy(() -> Thumbprint.parse("3B1EFD3A", "certificate-thumbprint"))
                .isInstanceOf(InvalidThumbprintException.class)
                .hasMessageContaining("it has 8 hex digits after removing spaces, colons and invisible characters; expected 40");
        assertThatThrownBy(() -> Thumbprint.parse(HEX + HEX.substring(0, 24), "certificate-thumbprint"))
                .hasMessageContaining("looks like a SHA-256 thumbprint");
        assertThatThrownBy(() -> Thumbprint.parse("\u200E", "certificate-thumbprint"))
                .hasMessageContaining("it has 0 hex digits");
    }

    @Test
    void onlyAsciiDigitsAndLettersAreHex() {
        // Fullwidth digits and letters, and Arabic-Indic digits, are digits to Character.digit; not to us.
        String fullwidth = "\uFF13" + HEX.substring(1);
        assertThatThrownBy(() -> Thumbprint.parse(fullwidth, "certificate-thumbprint"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("character '\uFF13' (U+FF13) at position 1 is not a hex digit");
        assertThatThrownBy(() -> Thumbprint.parse(HEX.substring(0, 39) + "\uFF21", "certificate-thumbprint"))
                .hasMessageContaining("(U+FF21) at position 40");
        assertThatThrownBy(() -> Thumbprint.parse("\u0663" + HEX.substring(1), "certificate-thumbprint"))
                .hasMessageContaining("(U+0663) at position 1");
    }

    @Test
    void replacementCharactersNextToTheDigitsAreTheMarkTheyCameFrom() {
        // A JVM without a UTF-8 locale reads the three bytes of U+200E as three U+FFFD.
        assertThat(Thumbprint.parse("\uFFFD\uFFFD\uFFFD" + HEX, "t").hex()).isEqualTo(HEX);
        assertThat(Thumbprint.parse(" \uFFFD" + HEX + "\uFFFD\uFFFD ", "t").hex()).isEqualTo(HEX);
        assertThatThrownBy(() -> Thumbprint.parse(HEX.substring(0, 20) + "\uFFFD" + HEX.substring(20), "t"))
                .as("inside the digits it is still an error").hasMessageContaining("(U+FFFD) at position 21");
    }

    @Test
    void equalityIsByValue() {
        assertThat(Thumbprint.parse(HEX, "a")).isEqualTo(Thumbprint.parse(HEX.toLowerCase(), "b"))
                .hasSameHashCodeAs(Thumbprint.parse(HEX, "c"));
        assertThat(Thumbprint.parse(HEX, "a")).hasToString(HEX);
    }
}
