package dev.batchvault.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.emulator.SelfSignedCertificate;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolCertificateTest {
    private static final SelfSignedCertificate POOL = SelfSignedCertificate.create("CN=pool-certificate-test");

    @Test
    void aKeyInMemorySignsRs256ThroughItsSigner() throws Exception {
        PoolCertificate certificate = PoolCertificate.exportable(List.of(POOL.certificate()), POOL.privateKey(), "file");
        byte[] data = "header.claims".getBytes(StandardCharsets.US_ASCII);
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(POOL.certificate().getPublicKey());
        verifier.update(data);
        assertThat(certificate.hasPrivateKey()).isTrue();
        assertThat(verifier.verify(certificate.signer().signSha256WithRsa(data))).isTrue();
        assertThat(certificate.toString()).contains("key=in memory");
    }

    @Test
    void aKeyThatSignsInItsStoreIsNeverAskedFor() {
        CertificateSigner signer = data -> new byte[256];
        PoolCertificate certificate = PoolCertificate.signing(List.of(POOL.certificate()), signer, "LocalMachine\\My");
        assertThat(certificate.hasPrivateKey()).isFalse();
        assertThat(certificate.signer()).isSameAs(signer);
        assertThat(certificate.thumbprint()).isEqualTo(Thumbprint.of(POOL.certificate()));
        assertThat(certificate.toString()).contains("key=signs in its store", "location=LocalMachine\\My");
        assertThatThrownBy(certificate::privateKey).isInstanceOf(IllegalStateException.class)
                .hasMessage("the private key of the certificate in LocalMachine\\My stays in its store; sign with signer()");
    }

    @Test
    void signingChecksItsArguments() {
        assertThatThrownBy(() -> PoolCertificate.signing(List.of(), data -> data, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("chain is empty");
        assertThatThrownBy(() -> PoolCertificate.signing(List.of(POOL.certificate()), null, "x"))
                .isInstanceOf(NullPointerException.class).hasMessage("signer == null");
    }
}
