package dev.batchvault;

import com.azure.core.credential.TokenCredential;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.spi.PoolCertificate;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

/**
 * Entra ID client assertions signed by a {@link PoolCertificate}'s signer (the store's own, or one
 * over the key in memory), for {@link CertificateTokenCredential}: a new assertion for every token
 * request. The JWT is the one MSAL4J's {@code JwtHelper} makes for a
 * certificate: header {@code alg} RS256, {@code typ} JWT, {@code x5t#S256} (base64url SHA-256 of the
 * certificate's DER); claims {@code aud} = the token endpoint, {@code iss} = {@code sub} = the client
 * id, a random {@code jti}, {@code nbf} = now and {@code exp} = now + 10 minutes, in epoch seconds.
 */
final class ClientAssertions {
    /** MSAL4J's {@code Constants.AAD_JWT_TOKEN_LIFETIME_SECONDS}. */
    static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final PoolCertificate certificate;
    private final String clientId;
    private final String audience;
    private final Clock clock;
    private final String header;

    /**
     * @param certificate the certificate whose signer signs
     * @param clientId the application (client) id: {@code iss} and {@code sub}
     * @param audience the token endpoint URL: {@code aud}
     * @param clock the time {@code nbf} and {@code exp} count from
     * @throws CertificateUnusableException if the certificate's key is not RSA or it cannot be encoded
     */
    ClientAssertions(PoolCertificate certificate, String clientId, String audience, Clock clock) {
        String algorithm = certificate.hasPrivateKey() && !"RSA".equals(certificate.privateKey().getAlgorithm())
                ? certificate.privateKey().getAlgorithm() : certificate.certificate().getPublicKey().getAlgorithm();
        if (!"RSA".equals(algorithm)) {
            throw new CertificateUnusableException(Reason.CORRUPT, certificate.location(), "The key of "
                    + certificate.location() + " is " + algorithm + "; Entra ID client assertions are signed RS256, so "
                    + "the pool certificate needs an RSA key.", null);
        }
        this.certificate = certificate;
        this.clientId = clientId;
        this.audience = audience;
        this.clock = clock;
        this.header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t#S256\":\"" + BASE64URL.encodeToString(sha256Der())
                + "\"}";
    }

    /**
     * @param authorityHost the Entra ID host, such as {@code https://login.microsoftonline.com}
     * @param tenantId the tenant
     * @return {@code {authorityHost}/{tenant}/oauth2/v2.0/token}, the assertion's audience
     */
    static String tokenEndpoint(URI authorityHost, String tenantId) {
        String host = authorityHost.toString();
        while (host.endsWith("/")) {
            host = host.substring(0, host.length() - 1);
        }
        return host + "/" + tenantId + "/oauth2/v2.0/token";
    }

    /**
     * The credential for a pool certificate, either kind: the key signs where it lives (a store's
     * signer) or in memory.
     *
     * @param config tenant, client id and authority host
     * @param certificate the certificate
     * @param pipeline the transport shared with the vault client
     * @return a {@link CertificateTokenCredential} signing a new assertion for each token request
     * @throws CertificateUnusableException if the certificate's key is not RSA or it cannot be encoded
     */
    static TokenCredential credential(Config config, PoolCertificate certificate, AzurePipeline pipeline) {
        return credential(config, new ClientAssertions(certificate, config.clientId,
                tokenEndpoint(config.authorityHost, config.tenantId), Clock.systemUTC()), pipeline);
    }

    static TokenCredential credential(Config config, ClientAssertions assertions, AzurePipeline pipeline) {
        return new CertificateTokenCredential(config, assertions::next, pipeline, Clock.systemUTC());
    }

    /**
     * @return a new signed assertion: header.claims.signature, each base64url without padding
     * @throws CertificateUnusableException if the signer cannot sign (its message says why)
     */
    String next() {
        long now = clock.instant().getEpochSecond();
        String claims = "{\"aud\":" + json(audience) + ",\"iss\":" + json(clientId) + ",\"sub\":" + json(clientId)
                + ",\"jti\":\"" + UUID.randomUUID() + "\",\"nbf\":" + now + ",\"exp\":" + (now + LIFETIME.getSeconds())
                + "}";
        String signingInput = BASE64URL.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + BASE64URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        byte[] signature = certificate.signer().signSha256WithRsa(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + BASE64URL.encodeToString(signature);
    }

    private byte[] sha256Der() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.certificate().getEncoded());
        } catch (CertificateEncodingException e) {
            throw new CertificateUnusableException(Reason.CORRUPT, certificate.location(), "The certificate in "
                    + certificate.location() + " cannot be encoded: " + e, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String json(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
