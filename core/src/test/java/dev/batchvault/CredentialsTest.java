package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.spi.PoolCertificate;
import java.net.URI;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class CredentialsTest {
    private static final SelfSignedCertificate POOL = SelfSignedCertificate.create("CN=credentials-test");

    @Test
    void pemHoldsTheKeyThenTheChain() throws Exception {
        PoolCertificate certificate = PoolCertificate.exportable(List.of(POOL.certificate()), POOL.privateKey(), "memory");
        String pem = Credentials.pem(certificate);
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").contains("-----BEGIN CERTIFICATE-----\n")
                .endsWith("-----END CERTIFICATE-----\n");
        String key = pem.substring(pem.indexOf('\n') + 1, pem.indexOf("\n-----END PRIVATE KEY-----"));
        assertThat(Base64.getMimeDecoder().decode(key)).isEqualTo(POOL.privateKey().getEncoded());
    }

    @Test
    void aKeyThatIsNotRsaIsRefusedEarly() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        PoolCertificate certificate = PoolCertificate.exportable(List.of(POOL.certificate()),
                ec.generateKeyPair().getPrivate(), "pool.pem");
        assertThatThrownBy(() -> Credentials.pem(certificate))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("The key of pool.pem is EC; Entra ID client assertions are signed RS256");
    }

    @Test
    void instanceDiscoveryOnlyForAuthoritiesMsalKnows() {
        assertThat(Credentials.isKnownAuthority(URI.create("https://login.microsoftonline.com"))).isTrue();
        assertThat(Credentials.isKnownAuthority(URI.create("https://LOGIN.microsoftonline.us"))).isTrue();
        assertThat(Credentials.isKnownAuthority(URI.create("https://localhost:8443"))).isFalse();
    }
}
