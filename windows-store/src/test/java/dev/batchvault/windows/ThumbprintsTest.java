package dev.batchvault.windows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchvault.spi.Thumbprint;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThumbprintsTest {
    @Test
    void theHashBlobIsTheTwentyBytesInDigitOrder() {
        Thumbprint t = Thumbprint.parse("3b:1e 00 7F ff 80 01 23 45 67 89 ab cd ef 10 32 54 76 98 0a", "t");
        assertThat(Thumbprints.sha1Bytes(t)).containsExactly(0x3B, 0x1E, 0x00, 0x7F, 0xFF, 0x80, 0x01, 0x23, 0x45, 0x67,
                0x89, 0xAB, 0xCD, 0xEF, 0x10, 0x32, 0x54, 0x76, 0x98, 0x0A);
    }

    @Test
    void theHashBlobIsTheCertificatesSha1() throws Exception {
        byte[] der = dev.batchvault.emulator.SelfSignedCertificate.create("CN=blob").certificate().getEncoded();
        Thumbprint t = Thumbprint.parse(hex(java.security.MessageDigest.getInstance("SHA-1").digest(der)), "t");
        assertThat(Thumbprints.sha1Bytes(t)).isEqualTo(java.security.MessageDigest.getInstance("SHA-1").digest(der));
    }

    @Test
    void closestFirstByDigitsThatDiffer() {
        Thumbprint wanted = Thumbprint.parse("0123456789ABCDEF0123456789ABCDEF01234567", "t");
        Thumbprint oneOff = Thumbprint.parse("0123456789ABCDEF0123456789ABCDEF01234568", "t");
        Thumbprint swapped = Thumbprint.parse("1023456789ABCDEF0123456789ABCDEF01234567", "t");
        Thumbprint far = Thumbprint.parse("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "t");
        assertThat(Thumbprints.closest(wanted, List.of(far, swapped, oneOff, wanted), 2)).containsExactly(
                oneOff + " (1 digit differs)", swapped + " (2 digits differ)");
        assertThat(Thumbprints.closest(wanted, List.of(), 3)).isEmpty();
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02X", b));
        }
        return sb.toString();
    }
}
