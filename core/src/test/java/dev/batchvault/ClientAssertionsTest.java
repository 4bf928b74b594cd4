package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.spi.CertificateSigner;
import dev.batchvault.spi.PoolCertificate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The path for keys that sign in their store, run here with a software signer over an ordinary
 * key: core builds the client assertion, the emulator's token endpoint checks it as Entra ID does.
 */
class ClientAssertionsTest extends WithFixture {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SIGNATURES = new AtomicInteger();
    static Config config;
    static SelfSignedCertificate stranger;

    @BeforeAll
    static void setUp() {
        fixture.vault.setSecret("batchAdminPass", "signed-in-the-store");
        stranger = SelfSignedCertificate.create("CN=not-registered");
        config = Config.resolve(ConfigTest.settings(Map.of(
                "vault-url", fixture.vault.url(),
                "tenant-id", Fixture.TENANT,
                "client-id", Fixture.CLIENT,
                "authority-host", fixture.emulator.authorityHost(),
                "certificate-thumbprint", fixture.certificate.thumbprint()), new Properties(), Map.of()),
                fixture.emulator.sslContext());
    }

    /** A signer as a store gives one: no key to read, only "sign these bytes". */
    private static CertificateSigner softwareSigner(PrivateKey key) {
        return data -> {
            try {
                SIGNATURES.incrementAndGet();
                Signature s = Signature.getInstance("SHA256withRSA");
                s.initSign(key);
                s.update(data);
                return s.sign();
            } catch (java.security.GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        };
    }

    private static PoolCertificate inStore(SelfSignedCertificate certificate, PrivateKey signingKey) {
        return PoolCertificate.signing(List.of(certificate.certificate()), softwareSigner(signingKey), "test store");
    }

    private static String tokenEndpoint() {
        return ClientAssertions.tokenEndpoint(config.authorityHost, Fixture.TENANT);
    }

    @Test
    void theVaultIsReadWithAnAssertionSignedByTheSigner() {
        int before = SIGNATURES.get();
        VaultAccess access = new VaultAccess(config, inStore(fixture.certificate, fixture.certificate.privateKey()),
                new ProcessWide());

        assertThat(access.fetch("batchAdminPass", null).value()).isEqualTo("signed-in-the-store");
        // One assertion, for the one token request.
        assertThat(SIGNATURES.get() - before).isEqualTo(1);
    }

    @Test
    void eachTokenRequestGetsANewAssertion() {
        PoolCertificate certificate = inStore(fixture.certificate, fixture.certificate.privateKey());
        ClientAssertions assertions = new ClientAssertions(certificate, Fixture.CLIENT, tokenEndpoint(), Clock.systemUTC());
        TokenCredential credential = ClientAssertions.credential(config, assertions, new AzurePipeline(config));
        TokenRequestContext vault = new TokenRequestContext().addScopes("https://vault.azure.net/.default");
        credential.getTokenSync(vault);
        int before = SIGNATURES.get();
        // Claims skip the credential's token cache: a second token request, which the emulator refuses if the jti repeats.
        TokenRequestContext again = new TokenRequestContext().addScopes("https://vault.azure.net/.default")
                .setClaims("{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1\"}}}");
        assertThat(credential.getTokenSync(again).getToken()).isNotEmpty();
        assertThat(SIGNATURES.get() - before).isEqualTo(1);
    }

    @Test
    void theAssertionHasMsalsHeaderAndClaims() throws Exception {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        ClientAssertions assertions = new ClientAssertions(inStore(fixture.certificate, fixture.certificate.privateKey()),
                Fixture.CLIENT, tokenEndpoint(), Clock.fixed(now, ZoneOffset.UTC));
        String first = assertions.next();
        String[] parts = first.split("\\.");
        assertThat(parts).hasSize(3);
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(fixture.certificate.certificate().getEncoded());

        assertThat(header.get("alg").asText()).isEqualTo("RS256");
        assertThat(header.get("typ").asText()).isEqualTo("JWT");
        assertThat(header.get("x5t#S256").asText()).isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(sha256));
        assertThat(claims.get("aud").asText()).isEqualTo(fixture.emulator.authorityHost() + "/" + Fixture.TENANT
                + "/oauth2/v2.0/token");
        assertThat(claims.get("iss").asText()).isEqualTo(Fixture.CLIENT);
        assertThat(claims.get("sub").asText()).isEqualTo(Fixture.CLIENT);
        assertThat(claims.get("nbf").asLong()).isEqualTo(now.getEpochSecond());
        assertThat(claims.get("exp").asLong()).isEqualTo(now.getEpochSecond() + 600);
        assertThat(JSON.readTree(Base64.getUrlDecoder().decode(assertions.next().split("\\.")[1])).get("jti").asText())
                .isNotEqualTo(claims.get("jti").asText());
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(fixture.certificate.certificate().getPublicKey());
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(verifier.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
    }

    @Test
    void aTrailingSlashOnTheAuthorityHostIsNotDoubled() {
        assertThat(ClientAssertions.tokenEndpoint(java.net.URI.create("https://login.microsoftonline.com/"), "t"))
                .isEqualTo("https://login.microsoftonline.com/t/oauth2/v2.0/token");
    }

    @Test
    void aSignatureByAnotherKeyIsRefused() {
        VaultAccess access = new VaultAccess(config, inStore(fixture.certificate, stranger.privateKey()), new ProcessWide());
        assertThatThrownBy(() -> access.fetch("batchAdminPass", null))
                .isInstanceOfSatisfying(AuthenticationRefusedException.class,
                        e -> assertThat(e.errorCode()).isEqualTo("AADSTS700027"))
                .hasMessageContaining("The certificate is not registered on the application, or its signature was refused");
    }

    @Test
    void anX5tOfAnotherCertificateIsRefused() {
        // Signed by the registered key, but the header names a certificate the application does not have.
        VaultAccess access = new VaultAccess(config, inStore(stranger, fixture.certificate.privateKey()), new ProcessWide());
        assertThatThrownBy(() -> access.fetch("batchAdminPass", null))
                .isInstanceOfSatisfying(AuthenticationRefusedException.class,
                        e -> assertThat(e.errorCode()).isEqualTo("AADSTS700027"));
    }

    @Test
    void anAudienceOtherThanTheTokenEndpointIsRefused() {
        ClientAssertions assertions = new ClientAssertions(inStore(fixture.certificate, fixture.certificate.privateKey()),
                Fixture.CLIENT, "https://login.microsoftonline.com/" + Fixture.TENANT + "/oauth2/v2.0/token",
                Clock.systemUTC());
        assertThat(refusal(assertions).errorCode()).isEqualTo("AADSTS700023");
    }

    @Test
    void anExpiredAssertionIsRefused() {
        Clock anHourAgo = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
        ClientAssertions assertions = new ClientAssertions(inStore(fixture.certificate, fixture.certificate.privateKey()),
                Fixture.CLIENT, tokenEndpoint(), anHourAgo);
        AuthenticationRefusedException refused = refusal(assertions);
        assertThat(refused.errorCode()).isEqualTo("AADSTS700024");
        assertThat(refused).hasMessageContaining("check the node's clock");
    }

    /** The token request as VaultAccess makes it, translated as VaultAccess translates it. */
    private static AuthenticationRefusedException refusal(ClientAssertions assertions) {
        TokenCredential credential = ClientAssertions.credential(config, assertions, new AzurePipeline(config));
        try {
            credential.getTokenSync(new TokenRequestContext().addScopes("https://vault.azure.net/.default"));
        } catch (RuntimeException e) {
            BatchVaultException translated = new AzureFailures(config).translate(e, "batchAdminPass", null);
            assertThat(translated).isInstanceOf(AuthenticationRefusedException.class);
            return (AuthenticationRefusedException) translated;
        }
        throw new AssertionError("the token endpoint accepted the assertion");
    }
}
