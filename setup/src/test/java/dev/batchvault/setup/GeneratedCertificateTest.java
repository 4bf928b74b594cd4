package dev.batchvault.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedCertificateTest {
    private static final Instant START = Instant.parse("2026-03-01T10:15:30Z");

    @Test
    void selfSignedRsa2048Sha256WithTheSubjectAndDates() throws Exception {
        CertificateSpec spec = CertificateSpec.builder().subject("CN=batchvault-pool,O=Contoso")
                .validFrom(START).validUntil(Instant.parse("2027-03-01T10:15:30Z")).build();
        GeneratedCertificate made = GeneratedCertificate.create(spec);
        X509Certificate c = made.certificate();

        assertThat(c.getVersion()).isEqualTo(3);
        assertThat(c.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(((RSAPublicKey) c.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=batchvault-pool,O=Contoso");
        assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
        assertThat(c.getNotBefore().toInstant()).isEqualTo(START);
        assertThat(c.getNotAfter().toInstant()).isEqualTo(Instant.parse("2027-03-01T10:15:30Z"));
        assertThat(c.getKeyUsage()).startsWith(true, false, true); // digitalSignature, keyEncipherment
        assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertThat(c.getCriticalExtensionOIDs()).contains("2.5.29.15", "2.5.29.19");
        c.verify(c.getPublicKey());
        assertThat(made.warnings()).isEmpty();

        // the key signs what the certificate's key verifies
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(made.privateKey());
        signer.update(new byte[] {1, 2, 3});
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(c);
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signer.sign())).isTrue();
    }

    @Test
    void thumbprintIsUpperCaseSha1OfTheDerAsBatchShowsIt() throws Exception {
        GeneratedCertificate made = GeneratedCertificate.create(CertificateSpec.builder().build());
        String expected = HexFormat.of().withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-1").digest(made.certificate().getEncoded()));
        assertThat(made.thumbprint()).isEqualTo(expected).hasSize(40).matches("[0-9A-F]{40}");
        assertThat(made.toString()).contains(expected).doesNotContain("PRIVATE");
    }

    @Test
    void largerKeysAndNoOtherSizes() {
        GeneratedCertificate made = GeneratedCertificate.create(CertificateSpec.builder().keySize(3072).build());
        assertThat(((RSAPublicKey) made.certificate().getPublicKey()).getModulus().bitLength()).isEqualTo(3072);
        assertThatThrownBy(() -> CertificateSpec.builder().keySize(1024))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keySize 1024 is not allowed; use 2048, 3072 or 4096");
    }

    @Test
    void defaultValidityIsOneYearFromTheClock() {
        CertificateSpec spec = CertificateSpec.builder().clock(Clock.fixed(START, ZoneOffset.UTC)).build();
        assertThat(spec.validFrom()).isEqualTo(START);
        assertThat(spec.validUntil()).isEqualTo(Instant.parse("2027-03-01T10:15:30Z"));
        assertThat(spec.subject().getName()).isEqualTo("CN=batchvault");
    }

    @Test
    void refusesAnEndNotAfterTheStart() {
        assertThatThrownBy(() -> CertificateSpec.builder().validFrom(START).validUntil(START).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("validUntil 2026-03-01T10:15:30Z is not after validFrom 2026-03-01T10:15:30Z; "
                        + "give an end after the start (default: one year after it)");
        assertThatThrownBy(() -> CertificateSpec.builder().validFrom(START).validUntil(START.minusSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CertificateSpec.builder().validFor(Duration.ZERO))
                .hasMessage("validFor PT0S is not positive");
    }

    @Test
    void warnsUnderThirtyDays() {
        GeneratedCertificate shortLived = GeneratedCertificate.create(
                CertificateSpec.builder().validFrom(START).validFor(Duration.ofDays(29)).build());
        assertThat(shortLived.warnings()).singleElement().asString()
                .contains("valid for less than 30 days").contains("2026-03-30T10:15:30Z");
        GeneratedCertificate thirty = GeneratedCertificate.create(
                CertificateSpec.builder().validFrom(START).validFor(Duration.ofDays(30)).build());
        assertThat(thirty.warnings()).isEmpty();
    }

    @Test
    void datesFrom2050AreGeneralizedTime() {
        Instant start = Instant.parse("2049-12-01T00:00:00Z");
        X509Certificate c = GeneratedCertificate.create(CertificateSpec.builder().validFrom(start)
                .validUntil(Instant.parse("2051-01-01T00:00:00Z")).build()).certificate();
        assertThat(c.getNotBefore().toInstant()).isEqualTo(start);
        assertThat(c.getNotAfter().toInstant()).isEqualTo(Instant.parse("2051-01-01T00:00:00Z"));
    }

    @Test
    void badSubjectNamesTheInput() {
        assertThatThrownBy(() -> CertificateSpec.builder().subject("not a name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("subject 'not a name' is not a distinguished name");
    }

    @Test
    void writesAPasswordProtectedPfxAndACer(@TempDir Path dir) throws Exception {
        GeneratedCertificate made = GeneratedCertificate.create(CertificateSpec.builder().build());
        char[] password = "pfx-password".toCharArray();
        List<Path> files = made.write(dir, "batchvault-pool", password);
        assertThat(files).containsExactly(dir.resolve("batchvault-pool.pfx"), dir.resolve("batchvault-pool.cer"));

        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(Files.newInputStream(files.get(0)), password);
        assertThat(store.getCertificate("batchvault")).isEqualTo(made.certificate());
        assertThat(store.getKey("batchvault", password)).isEqualTo(made.privateKey());
        assertThatThrownBy(() -> KeyStore.getInstance("PKCS12").load(Files.newInputStream(files.get(0)),
                "wrong".toCharArray())).isInstanceOf(java.io.IOException.class);

        X509Certificate cer = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(files.get(1))));
        assertThat(cer).isEqualTo(made.certificate());
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(files.get(0)))).isEqualTo("rw-------");
        }
        GeneratedCertificate back = GeneratedCertificate.fromPfx(Files.readAllBytes(files.get(0)), password);
        assertThat(back.thumbprint()).isEqualTo(made.thumbprint());
        assertThatThrownBy(() -> made.pfx(new char[0])).hasMessageContaining("password is empty");
    }
}
