package dev.batchvault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.spi.PoolCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateFilesTest {
    static SelfSignedCertificate pool;
    static SelfSignedCertificate other;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() {
        pool = SelfSignedCertificate.create("CN=pool");
        other = SelfSignedCertificate.create("CN=other");
    }

    @Test
    void readsPfxWithItsPasswordFile() throws Exception {
        Path pfx = pool.writePfx(dir.resolve("sha1-x.pfx"), "p@ss".toCharArray());
        Path pw = Files.writeString(dir.resolve("sha1-x.pfx.pw"), "p@ss\r\n");
        PoolCertificate c = CertificateFiles.read(pfx, pw);
        assertThat(c.thumbprint().hex()).isEqualTo(pool.thumbprint());
        assertThat(c.privateKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(c.location()).isEqualTo(pfx.toString());
        assertThat(c.toString()).contains(pool.thumbprint(), "CN=pool").doesNotContain("PRIVATE");
    }

    @Test
    void anEmptyPasswordFileMeansNoPassword() throws Exception {
        Path pfx = pool.writePfx(dir.resolve("nopw.pfx"), new char[0]);
        Path pw = Files.writeString(dir.resolve("nopw.pfx.pw"), "");
        assertThat(CertificateFiles.read(pfx, pw).thumbprint().hex()).isEqualTo(pool.thumbprint());
        assertThat(CertificateFiles.read(pfx, null).thumbprint().hex()).isEqualTo(pool.thumbprint());
    }

    @Test
    void readsPemInPkcs8AndPkcs1Forms() throws Exception {
        Path pem = pool.writePem(dir.resolve("pool.pem"));
        assertThat(CertificateFiles.read(pem, null).thumbprint().hex()).isEqualTo(pool.thumbprint());

        String text = Files.readString(pem);
        String certBlock = text.substring(text.indexOf("-----BEGIN CERTIFICATE-----"));
        byte[] pkcs1 = pkcs1Of((RSAPrivateCrtKey) pool.privateKey());
        String rsaPem = certBlock + "\n-----BEGIN RSA PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs1)
                + "\n-----END RSA PRIVATE KEY-----\n";
        Path rsa = Files.writeString(dir.resolve("rsa.pem"), rsaPem);
        PoolCertificate c = CertificateFiles.read(rsa, null);
        assertThat(c.thumbprint().hex()).isEqualTo(pool.thumbprint());
        assertThat(c.privateKey().getEncoded()).isEqualTo(pool.privateKey().getEncoded());
    }

    @Test
    void findsTheLeafWhenTheChainComesFirst() throws Exception {
        Path pem = pool.writePem(dir.resolve("pool.pem"));
        Path issuer = other.writeCertificatePem(dir.resolve("issuer.pem"));
        Path mixed = Files.writeString(dir.resolve("mixed.pem"), Files.readString(issuer) + Files.readString(pem));
        PoolCertificate c = CertificateFiles.read(mixed, null);
        assertThat(c.thumbprint().hex()).isEqualTo(pool.thumbprint());
        assertThat(c.chain()).hasSize(2);
    }

    @Test
    void pemWithACertificateButNoKey() throws Exception {
        Path cer = pool.writeCertificatePem(dir.resolve("pool.cer.pem"));
        assertThatThrownBy(() -> CertificateFiles.read(cer, null))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("The PEM file " + cer + " holds a certificate but no private key")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.NO_PRIVATE_KEY);
    }

    @Test
    void keyOfAnotherCertificate() throws Exception {
        String keyOfOther = Files.readString(other.writePem(dir.resolve("other.pem")));
        keyOfOther = keyOfOther.substring(0, keyOfOther.indexOf("-----BEGIN CERTIFICATE-----"));
        Path mismatch = Files.writeString(dir.resolve("mismatch.pem"),
                keyOfOther + Files.readString(pool.writeCertificatePem(dir.resolve("c.pem"))));
        assertThatThrownBy(() -> CertificateFiles.read(mismatch, null))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("does not belong to its certificate (thumbprint " + pool.thumbprint() + ")")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.KEY_MISMATCH);
    }

    @Test
    void truncatedFiles() throws Exception {
        byte[] pfx = Files.readAllBytes(pool.writePfx(dir.resolve("full.pfx"), "pw".toCharArray()));
        Path half = Files.write(dir.resolve("half.pfx"), java.util.Arrays.copyOf(pfx, pfx.length / 2));
        Path pw = Files.writeString(dir.resolve("half.pfx.pw"), "pw");
        assertThatThrownBy(() -> CertificateFiles.read(half, pw))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot use " + half)
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.CORRUPT);

        String pem = Files.readString(pool.writePem(dir.resolve("full.pem")));
        Path cut = Files.writeString(dir.resolve("cut.pem"), pem.substring(0, pem.length() / 2));
        assertThatThrownBy(() -> CertificateFiles.read(cut, null))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining(cut.toString());
    }

    @Test
    void aDirectoryWhereAFileIsExpected() throws Exception {
        Path notAFile = Files.createDirectory(dir.resolve("sha1-dir.pfx"));
        assertThatThrownBy(() -> CertificateFiles.read(notAFile, null))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot read " + notAFile + ": it is a directory, not a file")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.UNREADABLE);
    }

    @Test
    void passwordFilesLoseOnlyOneTrailingNewline() throws Exception {
        assertThat(CertificateFiles.readPassword(Files.writeString(dir.resolve("a"), "pw\n"))).containsExactly('p', 'w');
        assertThat(CertificateFiles.readPassword(Files.writeString(dir.resolve("b"), "pw\r\n"))).containsExactly('p', 'w');
        assertThat(CertificateFiles.readPassword(Files.writeString(dir.resolve("c"), " pw \n\n")))
                .containsExactly(' ', 'p', 'w', ' ', '\n');
        assertThat(CertificateFiles.readPassword(Files.writeString(dir.resolve("d"), ""))).isEmpty();
    }

    /** DER of an RSAPrivateKey (PKCS#1), as openssl's traditional format writes it. */
    private static byte[] pkcs1Of(RSAPrivateCrtKey k) {
        java.math.BigInteger[] parts = {java.math.BigInteger.ZERO, k.getModulus(), k.getPublicExponent(),
            k.getPrivateExponent(), k.getPrimeP(), k.getPrimeQ(), k.getPrimeExponentP(), k.getPrimeExponentQ(),
            k.getCrtCoefficient()};
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (java.math.BigInteger p : parts) {
            byte[] v = p.toByteArray();
            body.writeBytes(header(0x02, v.length));
            body.writeBytes(v);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(header(0x30, body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] header(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        if (length < 0x100) {
            return new byte[] {(byte) tag, (byte) 0x81, (byte) length};
        }
        return new byte[] {(byte) tag, (byte) 0x82, (byte) (length >> 8), (byte) length};
    }
}
