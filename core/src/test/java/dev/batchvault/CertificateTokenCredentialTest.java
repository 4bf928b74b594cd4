package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import dev.batchvault.emulator.Fault;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.spi.PoolCertificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * BatchVault's own token request for a pool certificate, against the emulator's strict token
 * endpoint (it checks the form, the assertion's signature, x5t#S256, aud, nbf/exp and jti replay):
 * one token per lifetime, and a refusal or a throttle carried as plain values.
 */
@Isolated
class CertificateTokenCredentialTest extends WithFixture {
    private static final TokenRequestContext VAULT = new TokenRequestContext().addScopes("https://vault.azure.net/.default");
    static Config config;

    @BeforeAll
    static void setUp() {
        config = Config.resolve(ConfigTest.settings(Map.of(
                "vault-url", fixture.vault.url(),
                "tenant-id", Fixture.TENANT,
                "client-id", Fixture.CLIENT,
                "authority-host", fixture.emulator.authorityHost(),
                "certificate-thumbprint", fixture.certificate.thumbprint()), new Properties(), Map.of()),
                fixture.emulator.sslContext());
    }

    @AfterEach
    void clear() {
        fixture.emulator.clearFaults();
    }

    /** A clock the test moves. */
    private static final class MovedClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    private static CertificateTokenCredential credential(PoolCertificate certificate, Clock clock) {
        ClientAssertions assertions = new ClientAssertions(certificate, Fixture.CLIENT,
                ClientAssertions.tokenEndpoint(config.authorityHost, Fixture.TENANT), Clock.systemUTC());
        return new CertificateTokenCredential(config, assertions::next, new AzurePipeline(config), clock);
    }

    private static PoolCertificate exportable(SelfSignedCertificate certificate) {
        return PoolCertificate.exportable(List.of(certificate.certificate()), certificate.privateKey(), "memory");
    }

    @Test
    void oneTokenServesItsLifetimeThenANewOneIsAskedFor() {
        MovedClock clock = new MovedClock();
        CertificateTokenCredential credential = credential(exportable(fixture.certificate), clock);
        long before = fixture.emulator.tokenRequests();

        AccessToken first = credential.getTokenSync(VAULT);
        for (int i = 0; i < 100; i++) {
            assertThat(credential.getTokenSync(VAULT).getToken()).isEqualTo(first.getToken());
        }
        assertThat(credential.getToken(VAULT).block().getToken()).isEqualTo(first.getToken());
        assertThat(fixture.emulator.tokenRequests() - before).as("token requests").isEqualTo(1);
        assertThat(first.getExpiresAt().toInstant()).isAfter(clock.instant().plus(Duration.ofMinutes(50)));

        // Within the last five minutes of its life, a token is replaced.
        clock.now.set(first.getExpiresAt().toInstant().minus(Duration.ofMinutes(4)));
        credential.getTokenSync(VAULT);
        assertThat(fixture.emulator.tokenRequests() - before).as("token requests").isEqualTo(2);
    }

    @Test
    void aRefusalCarriesStatusCodeAndIdsButNotTheAssertion() {
        SelfSignedCertificate stranger = SelfSignedCertificate.create("CN=not-registered");
        CertificateTokenCredential credential = credential(exportable(stranger), Clock.systemUTC());

        assertThatThrownBy(() -> credential.getTokenSync(VAULT)).isInstanceOfSatisfying(TokenEndpointException.class, e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.error()).isEqualTo("invalid_client");
            assertThat(e.code()).isEqualTo("AADSTS700027");
            assertThat(e.traceId()).isNotNull();
            assertThat(e.correlationId()).isNotNull();
            assertThat(e.getMessage()).contains("HTTP 401", "AADSTS700027", e.traceId())
                    .doesNotContain("eyJ"); // no JWT (the assertion) in the message
            ServiceAnswer answer = ServiceAnswer.of(e);
            assertThat(answer.status).isEqualTo(401);
            assertThat(answer.errorCode).isEqualTo("AADSTS700027");
            assertThat(answer.requestId).isEqualTo(e.traceId());
            BatchVaultException translated = new AzureFailures(config).translate(e, "batchAdminPass", null);
            assertThat(translated).isInstanceOfSatisfying(AuthenticationRefusedException.class,
                    refused -> assertThat(refused.errorCode()).isEqualTo("AADSTS700027"));
        });
    }

    @Test
    void aThrottleCarriesItsRetryAfter() {
        fixture.emulator.injectToken(Fault.throttle(Duration.ofSeconds(7)).times(1));
        CertificateTokenCredential credential = credential(exportable(fixture.certificate), Clock.systemUTC());

        assertThatThrownBy(() -> credential.getTokenSync(VAULT)).isInstanceOfSatisfying(TokenEndpointException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(CallPolicy.retryAfter(e, Instant.now())).contains(Duration.ofSeconds(7));
            assertThat(new AzureFailures(config).translate(e, "batchAdminPass", null))
                    .isInstanceOf(VaultUnavailableException.class).hasMessageContaining("429");
        });
    }

    @Test
    void anotherTenantInTheRequestIsRefusedBeforeAnythingIsSent() {
        CertificateTokenCredential credential = credential(exportable(fixture.certificate), Clock.systemUTC());
        long before = fixture.emulator.tokenRequests();
        assertThatThrownBy(() -> credential.getTokenSync(new TokenRequestContext()
                .addScopes("https://vault.azure.net/.default").setTenantId("00000000-0000-0000-0000-00000000beef")))
                .hasMessageContaining("configured in tenant " + Fixture.TENANT);
        assertThat(fixture.emulator.tokenRequests() - before).isZero();
    }
}
