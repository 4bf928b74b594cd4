package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.ClientCertificateCredential;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Clients wired to an emulator the way the brief prescribes, and hand-made requests. */
final class TestSupport {
    static final String PFX_PASSWORD = "pfx-pass";

    private TestSupport() {
    }

    /** The azure-core HTTP client the Azure clients use: the JDK client trusting the emulator's CA. */
    static HttpClient azureHttp(AzureEmulator azure) {
        return new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(azure.sslContext())).build();
    }

    /** A plain JDK client for hand-made requests. */
    static java.net.http.HttpClient raw(AzureEmulator azure) {
        return java.net.http.HttpClient.newBuilder().sslContext(azure.sslContext())
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The unmodified ClientCertificateCredential, reading the certificate from a PFX stream as Batch writes it. */
    static ClientCertificateCredential credential(AzureEmulator azure, HttpClient http, Path dir, String tenantId,
            String clientId, SelfSignedCertificate certificate) throws IOException {
        Path pfx = certificate.writePfx(dir.resolve(UUID.randomUUID() + ".pfx"), PFX_PASSWORD.toCharArray());
        return new ClientCertificateCredentialBuilder()
                .tenantId(tenantId)
                .clientId(clientId)
                .pfxCertificate(new ByteArrayInputStream(Files.readAllBytes(pfx)))
                .clientCertificatePassword(PFX_PASSWORD)
                .authorityHost(azure.authorityHost())
                .disableInstanceDiscovery()
                .httpClient(http)
                .build();
    }

    /** The unmodified SecretClient. Without retries, so that refusals are quick. */
    static SecretClient secretClient(Vault vault, TokenCredential credential, HttpClient http) {
        return new SecretClientBuilder()
                .vaultUrl(vault.url())
                .credential(credential)
                .httpClient(http)
                .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))))
                .disableChallengeResourceVerification()
                .buildClient();
    }

    /** A client assertion header naming the certificate as MSAL4J does: x5t#S256 (here in base64url). */
    static ObjectNode assertionHeader(SelfSignedCertificate certificate) {
        ObjectNode h = Jwt.JSON.createObjectNode();
        h.put("alg", "RS256");
        h.put("typ", "JWT");
        h.put("x5t#S256", Jwt.base64Url(sha256(certificate)));
        return h;
    }

    static byte[] sha256(SelfSignedCertificate certificate) {
        return SelfSignedCertificate.digest("SHA-256", SelfSignedCertificate.der(certificate.certificate()));
    }

    static byte[] sha1(SelfSignedCertificate certificate) {
        return SelfSignedCertificate.digest("SHA-1", SelfSignedCertificate.der(certificate.certificate()));
    }

    /** Claims as MSAL4J makes them: aud the token endpoint, iss = sub = client id, a new jti, 10 minutes. */
    static ObjectNode assertionClaims(String aud, String clientId) {
        long now = Instant.now().getEpochSecond();
        ObjectNode c = Jwt.JSON.createObjectNode();
        c.put("aud", aud);
        c.put("iss", clientId);
        c.put("sub", clientId);
        c.put("jti", UUID.randomUUID().toString());
        c.put("nbf", now);
        c.put("exp", now + 600);
        return c;
    }

    static HttpResponse<String> postToken(java.net.http.HttpClient raw, String tokenEndpoint, String clientId,
            String scope, String assertion) throws IOException, InterruptedException {
        StringBuilder form = new StringBuilder("grant_type=client_credentials");
        if (clientId != null) {
            form.append("&client_id=").append(enc(clientId));
        }
        form.append("&scope=").append(enc(scope));
        if (assertion != null) {
            form.append("&client_assertion_type=").append(enc(EntraId.ASSERTION_TYPE))
                    .append("&client_assertion=").append(enc(assertion));
        }
        return raw.send(HttpRequest.newBuilder(URI.create(tokenEndpoint))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static JsonNode json(String body) throws IOException {
        return Jwt.JSON.readTree(body);
    }

    /** Asserts an Entra ID error: status, the AADSTS code in error_codes and error_description, and the body's shape. */
    static JsonNode assertEntraError(HttpResponse<String> response, int status, String error, int code)
            throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        JsonNode body = json(response.body());
        assertThat(body.path("error").asText()).isEqualTo(error);
        assertThat(body.path("error_description").asText()).startsWith("AADSTS" + code + ": ")
                .contains("\r\nTrace ID: ").contains("\r\nCorrelation ID: ").contains("\r\nTimestamp: ");
        assertThat(body.path("error_codes").get(0).asInt()).isEqualTo(code);
        assertThat(body.path("trace_id").asText()).isNotEmpty();
        assertThat(body.path("correlation_id").asText()).isNotEmpty();
        assertThat(body.path("timestamp").asText()).isNotEmpty();
        return body;
    }

    /** Asserts a Key Vault error: status, x-ms-error-code, error.code and optionally innererror.code. */
    static JsonNode assertVaultError(HttpResponse<String> response, int status, String code, String innerCode)
            throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("x-ms-error-code")).hasValue(code);
        JsonNode error = json(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        if (innerCode == null) {
            assertThat(error.has("innererror")).isFalse();
        } else {
            assertThat(error.path("innererror").path("code").asText()).isEqualTo(innerCode);
        }
        return error;
    }
}
