package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.spi.PoolCertificate;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class CredentialsTest {
    private static final SelfSignedCertificate POOL = SelfSignedCertificate.create("CN=credentials-test");

    @Test
    void aKeyThatIsNotRsaIsRefusedEarly() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        PoolCertificate certificate = PoolCertificate.exportable(List.of(POOL.certificate()),
                ec.generateKeyPair().getPrivate(), "pool.pem");
        assertThatThrownBy(() -> new ClientAssertions(certificate, "client", "https://login.example/t/oauth2/v2.0/token",
                Clock.systemUTC()))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("The key of pool.pem is EC; Entra ID client assertions are signed RS256");
    }
}
