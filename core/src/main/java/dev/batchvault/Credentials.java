package dev.batchvault;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.ClientCertificateCredentialBuilder;
import dev.batchvault.spi.PoolCertificate;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Builds the {@link TokenCredential} the vault client authenticates with, from the configured way of
 * authenticating. This is the one place that decides how BatchVault gets its Entra ID tokens.
 *
 * <p>The pool's managed identity ({@link ManagedIdentityCredentials}, no certificate); a pool
 * certificate whose key can only sign where it lives (a certificate store), through client assertions
 * BatchVault signs itself ({@link ClientAssertions}); or a pool certificate whose private key is in
 * memory, handed to azure-identity's {@code ClientCertificateCredential} as PEM text made in memory
 * (the key never touches disk).
 */
final class Credentials {
    /** Entra ID hosts MSAL knows; for any other, instance discovery would ask login.microsoftonline.com. */
    private static final Set<String> PUBLIC_AUTHORITIES = Set.of("login.microsoftonline.com",
            "login.chinacloudapi.cn", "login.microsoftonline.us");

    private Credentials() {
    }

    /**
     * @param config the resolved configuration (tenant, client id, authority host)
     * @param certificate the pool certificate found for it; null for the managed identity
     * @param pipeline the transport and logging options shared with the vault client
     * @return the credential
     * @throws CertificateUnusableException if the certificate cannot authenticate (not RSA, not encodable)
     */
    static TokenCredential forPool(Config config, PoolCertificate certificate, AzurePipeline pipeline) {
        // The switch point: one case per way of authenticating.
        if (config.authMode == AuthMode.MANAGED_IDENTITY) {
            return ManagedIdentityCredentials.build(config, pipeline.http, pipeline.noHttpLogs,
                    AzurePipeline.DROP_CONTENT_LENGTH);
        }
        if (!certificate.hasPrivateKey()) {
            return ClientAssertions.credential(config, certificate, pipeline); // the key signs in its store
        }
        return exportableCertificate(config, certificate, pipeline);
    }

    private static TokenCredential exportableCertificate(Config config, PoolCertificate certificate,
            AzurePipeline pipeline) {
        ClientCertificateCredentialBuilder builder = new ClientCertificateCredentialBuilder()
                .tenantId(config.tenantId)
                .clientId(config.clientId)
                .pemCertificate(new ByteArrayInputStream(pem(certificate).getBytes(StandardCharsets.US_ASCII)))
                .authorityHost(config.authorityHost.toString())
                .httpClient(pipeline.http)
                .httpLogOptions(pipeline.noHttpLogs)
                .retryPolicy(AzurePipeline.NO_SDK_RETRIES)
                .addPolicy(AzurePipeline.DROP_CONTENT_LENGTH);
        if (!isKnownAuthority(config.authorityHost)) {
            // MSAL would ask login.microsoftonline.com whether this host is an authority; it is not one it knows.
            builder.disableInstanceDiscovery();
        }
        return builder.build();
    }

    /** @return true for the Entra ID hosts of the public and sovereign clouds that MSAL knows */
    static boolean isKnownAuthority(URI authorityHost) {
        return PUBLIC_AUTHORITIES.contains(authorityHost.getHost().toLowerCase(Locale.ROOT));
    }

    /**
     * The private key (PKCS#8) followed by the chain, leaf first, as PEM text.
     *
     * @throws CertificateUnusableException if the key is not RSA (Entra ID client assertions are
     *     signed RS256) or a certificate cannot be encoded
     */
    static String pem(PoolCertificate certificate) {
        if (!"RSA".equals(certificate.privateKey().getAlgorithm())) {
            throw new CertificateUnusableException(CertificateUnusableException.Reason.CORRUPT, certificate.location(),
                    "The key of " + certificate.location() + " is " + certificate.privateKey().getAlgorithm()
                            + "; Entra ID client assertions are signed RS256, so the pool certificate needs an RSA key.",
                    null);
        }
        StringBuilder pem = new StringBuilder(4096);
        appendPem(pem, "PRIVATE KEY", certificate.privateKey().getEncoded());
        try {
            for (X509Certificate c : certificate.chain()) {
                appendPem(pem, "CERTIFICATE", c.getEncoded());
            }
        } catch (CertificateEncodingException e) {
            throw new CertificateUnusableException(CertificateUnusableException.Reason.CORRUPT, certificate.location(),
                    "The certificate in " + certificate.location() + " cannot be encoded: " + e, e);
        }
        return pem.toString();
    }

    private static void appendPem(StringBuilder pem, String type, byte[] der) {
        pem.append("-----BEGIN ").append(type).append("-----\n")
                .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der))
                .append("\n-----END ").append(type).append("-----\n");
    }
}
