package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS, the trust store, closing, and the certificate helper. */
class TlsAndCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void serversAnswerOnEveryLoopbackNameTheCertificateNames() throws Exception {
        try (AzureEmulator azure = AzureEmulator.start()) {
            Vault vault = azure.createVault("tls", "t");
            java.net.http.HttpClient raw = TestSupport.raw(azure);
            for (String host : List.of("localhost", "127.0.0.1", "127.0.0.2")) {
                for (String base : List.of(azure.authorityHost(), vault.url())) {
                    URI uri = URI.create(base.replace("localhost", host) + "/unknown?api-version=7.6");
                    HttpResponse<String> response = raw.send(HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).as(uri.toString()).isIn(401, 404);
                }
            }
            X509Certificate server = serverCertificate(azure, "127.0.0.1", vault.port());
            Collection<List<?>> names = server.getSubjectAlternativeNames();
            assertThat(names).extracting(n -> n.get(1).toString())
                    .contains("localhost", "127.0.0.1", "127.0.0.2")
                    .anySatisfy(n -> assertThat(n).matches("0:0:0:0:0:0:0:1|::1"));
            server.verify(azure.caCertificate().getPublicKey());
        }
    }

    @Test
    void tls12And13AreOfferedButNotOlder() throws Exception {
        try (AzureEmulator azure = AzureEmulator.start()) {
            int port = URI.create(azure.authorityHost()).getPort();
            for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
                try (SSLSocket socket = (SSLSocket) azure.sslContext().getSocketFactory()
                        .createSocket(InetAddress.getLoopbackAddress(), port)) {
                    socket.setEnabledProtocols(new String[] {protocol});
                    socket.startHandshake();
                    assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
                }
            }
        }
    }

    @Test
    void theTrustStoreFileHoldsTheCaAndCloseDeletesItAndStopsTheServers() throws Exception {
        AzureEmulator azure = AzureEmulator.start();
        Vault vault = azure.createVault("closing", "t");
        Path trustStore = azure.trustStore();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            store.load(in, azure.trustStorePassword().toCharArray());
        }
        assertThat(azure.trustStorePassword()).isEqualTo("changeit");
        assertThat(store.getCertificate(store.aliases().nextElement())).isEqualTo(azure.caCertificate());
        assertThat(azure.caCertificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(azure.authorityHost()).matches("https://localhost:\\d+").doesNotEndWith("/");
        assertThat(vault.url()).matches("https://localhost:\\d+");

        azure.close();
        azure.close();
        assertThat(trustStore).doesNotExist();
        assertThat(trustStore.getParent()).doesNotExist();
        java.net.http.HttpClient raw = TestSupport.raw(azure);
        assertThatThrownBy(() -> raw.send(HttpRequest.newBuilder(URI.create(vault.url() + "/secrets/x")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void selfSignedCertificatesAndTheirFiles() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create("pool");
        X509Certificate x509 = certificate.certificate();
        assertThat(x509.getSubjectX500Principal().getName()).isEqualTo("CN=pool");
        assertThat(SelfSignedCertificate.create("CN=pool, O=BatchVault").certificate().getSubjectX500Principal()
                .getName()).isEqualTo("CN=pool,O=BatchVault");
        assertThat(x509.getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(((java.security.interfaces.RSAPublicKey) x509.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(x509.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(x509.getNotBefore().toInstant()).isBetween(Instant.now().minus(61, ChronoUnit.MINUTES),
                Instant.now().minus(59, ChronoUnit.MINUTES));
        assertThat(x509.getNotAfter().toInstant()).isBetween(Instant.now().plus(364, ChronoUnit.DAYS),
                Instant.now().plus(366, ChronoUnit.DAYS));
        x509.verify(x509.getPublicKey());
        assertThat(certificate.thumbprint()).matches("[0-9A-F]{40}").isEqualTo(HexFormat.of().withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-1").digest(x509.getEncoded())));
        assertThat(certificate.toString()).contains(certificate.thumbprint()).doesNotContain("PRIVATE");

        Instant from = Instant.parse("2020-01-01T00:00:00Z");
        Instant to = Instant.parse("2021-01-01T00:00:00Z");
        X509Certificate old = SelfSignedCertificate.create("old", from, to).certificate();
        assertThat(old.getNotBefore().toInstant()).isEqualTo(from);
        assertThat(old.getNotAfter().toInstant()).isEqualTo(to);

        Path pfx = certificate.writePfx(dir.resolve("sha1-" + certificate.thumbprint().toLowerCase() + ".pfx"),
                "pw".toCharArray());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pfx)) {
            store.load(in, "pw".toCharArray());
        }
        String alias = store.aliases().nextElement();
        assertThat(store.getCertificate(alias)).isEqualTo(x509);
        assertThat((PrivateKey) store.getKey(alias, "pw".toCharArray())).isEqualTo(certificate.privateKey());

        String pem = Files.readString(certificate.writePem(dir.resolve("pool.pem")), StandardCharsets.US_ASCII);
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(pem.indexOf("-----BEGIN CERTIFICATE-----")).isGreaterThan(pem.indexOf("-----END PRIVATE KEY-----"));
        String certOnly = Files.readString(certificate.writeCertificatePem(dir.resolve("pool.cer.pem")));
        assertThat(certOnly).startsWith("-----BEGIN CERTIFICATE-----\n").doesNotContain("PRIVATE KEY");
        X509Certificate parsed = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(certOnly.getBytes(StandardCharsets.US_ASCII)));
        assertThat(parsed).isEqualTo(x509);
    }

    private static X509Certificate serverCertificate(AzureEmulator azure, String host, int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) azure.sslContext().getSocketFactory().createSocket(host, port)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}
