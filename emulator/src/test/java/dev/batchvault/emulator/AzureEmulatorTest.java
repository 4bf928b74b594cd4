package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.exception.ResourceNotFoundException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.ClientCertificateCredential;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unmodified Azure clients against the emulator, and the refusals they cannot produce. */
class AzureEmulatorTest {
    static final String TENANT = "11111111-2222-3333-4444-555555555555";
    static final String CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    @TempDir
    static Path dir;
    static AzureEmulator azure;
    static SelfSignedCertificate certificate;
    static Application app;
    static Vault vault;
    static HttpClient http;
    static java.net.http.HttpClient raw;

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        certificate = SelfSignedCertificate.create("CN=pool");
        app = azure.tenant(TENANT).application(CLIENT).registerCertificate(certificate.certificate());
        vault = azure.createVault("testvault", TENANT);
        vault.grant(app.principalObjectId(), "get", "list", "set");
        http = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(azure.sslContext())).build();
        raw = java.net.http.HttpClient.newBuilder().sslContext(azure.sslContext()).build();
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    private static ClientCertificateCredential credential(String clientId, SelfSignedCertificate cert) throws Exception {
        Path pfx = cert.writePfx(dir.resolve(UUID.randomUUID() + ".pfx"), "pw".toCharArray());
        return new ClientCertificateCredentialBuilder().tenantId(TENANT).clientId(clientId)
                .pfxCertificate(new ByteArrayInputStream(Files.readAllBytes(pfx))).clientCertificatePassword("pw")
                .authorityHost(azure.authorityHost()).disableInstanceDiscovery().httpClient(http).build();
    }

    private static SecretClient client(ClientCertificateCredential credential) {
        return new SecretClientBuilder().vaultUrl(vault.url()).credential(credential).httpClient(http)
                .disableChallengeResourceVerification().buildClient();
    }

    @Test
    void theUnmodifiedClientsReadAndWriteSecrets() throws Exception {
        Instant exp = Instant.now().plus(7, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        String version = vault.setSecret("batchAdminPass", "pa55", SecretAttributes.defaults().contentType("text/plain")
                .expiresOn(exp).tag("owner", "pool"));
        SecretClient client = client(credential(CLIENT, certificate));
        KeyVaultSecret secret = client.getSecret("batchAdminPass");
        assertThat(secret.getValue()).isEqualTo("pa55");
        assertThat(secret.getProperties().getVersion()).isEqualTo(version);
        assertThat(secret.getProperties().getContentType()).isEqualTo("text/plain");
        assertThat(secret.getProperties().getExpiresOn().toInstant()).isEqualTo(exp);
        assertThat(secret.getProperties().getTags()).containsEntry("owner", "pool");
        assertThat(secret.getId()).isEqualTo(vault.url() + "/secrets/batchAdminPass/" + version);

        KeyVaultSecret written = client.setSecret("written", "by the client");
        assertThat(client.getSecret("written", written.getProperties().getVersion()).getValue()).isEqualTo("by the client");
        assertThat(client.listPropertiesOfSecretVersions("batchAdminPass").stream().count()).isEqualTo(1);
    }

    @Test
    void refusalsThroughTheRealClients() throws Exception {
        vault.setSecret("there", "x");
        SecretClient unregistered = client(credential(CLIENT, SelfSignedCertificate.create("CN=stranger")));
        assertThatThrownBy(() -> unregistered.getSecret("there")).hasStackTraceContaining("AADSTS700027")
                .hasStackTraceContaining("The key was not found");

        SecretClient unknownApp = client(credential(UUID.randomUUID().toString(), certificate));
        assertThatThrownBy(() -> unknownApp.getSecret("there")).hasStackTraceContaining("AADSTS700016");

        String noPolicy = UUID.randomUUID().toString();
        azure.tenant(TENANT).application(noPolicy).registerCertificate(certificate.certificate());
        assertThatThrownBy(() -> client(credential(noPolicy, certificate)).getSecret("there"))
                .isInstanceOf(HttpResponseException.class)
                .hasMessageContaining("\"innererror\":{\"code\":\"AccessDenied\"}")
                .hasMessageContaining("does not have secrets get permission");

        SecretClient client = client(credential(CLIENT, certificate));
        assertThatThrownBy(() -> client.getSecret("missing")).isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("SecretNotFound");
        vault.setSecret("off", "x", SecretAttributes.defaults().enabled(false));
        assertThatThrownBy(() -> client.getSecret("off")).isInstanceOf(HttpResponseException.class)
                .hasMessageContaining("SecretDisabled")
                .hasMessageContaining("Operation get is not allowed on a disabled secret.");
    }

    // Hand-made client assertions, for what the real client never sends.

    private static String tokenEndpoint() {
        return azure.authorityHost() + "/" + TENANT + "/oauth2/v2.0/token";
    }

    private static ObjectNode header(SelfSignedCertificate cert) {
        ObjectNode h = Jwt.JSON.createObjectNode();
        h.put("alg", "RS256");
        h.put("typ", "JWT");
        h.put("x5t#S256", Jwt.base64Url(SelfSignedCertificate.digest("SHA-256", SelfSignedCertificate.der(cert.certificate()))));
        return h;
    }

    private static ObjectNode claims(String aud, long nbf, long exp, String jti) {
        ObjectNode c = Jwt.JSON.createObjectNode();
        c.put("aud", aud);
        c.put("iss", CLIENT);
        c.put("sub", CLIENT);
        c.put("nbf", nbf);
        c.put("exp", exp);
        c.put("jti", jti);
        return c;
    }

    private static HttpResponse<String> token(String assertion) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + CLIENT
                + "&scope=" + URLEncoder.encode("https://vault.azure.net/.default", StandardCharsets.UTF_8)
                + "&client_assertion_type=" + URLEncoder.encode(EntraId.ASSERTION_TYPE, StandardCharsets.UTF_8)
                + "&client_assertion=" + assertion;
        return raw.send(HttpRequest.newBuilder(URI.create(tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> response, int status, String code) throws Exception {
        JsonNode body = Jwt.JSON.readTree(response.body());
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(body.path("error_description").asText()).startsWith(code + ":");
        assertThat(body.path("error_codes").get(0).asInt()).isEqualTo(Integer.parseInt(code.substring(6)));
        assertThat(body.path("trace_id").asText()).isNotEmpty();
    }

    @Test
    void handMadeAssertionsAreCheckedAsEntraIdChecksThem() throws Exception {
        long now = Instant.now().getEpochSecond();
        String good = Jwt.sign(header(certificate), claims(tokenEndpoint(), now, now + 600, UUID.randomUUID().toString()),
                certificate.privateKey());
        HttpResponse<String> ok = token(good);
        assertThat(ok.statusCode()).isEqualTo(200);
        Jwt access = Jwt.parse(Jwt.JSON.readTree(ok.body()).path("access_token").asText());
        assertThat(access.text("aud")).isEqualTo("https://vault.azure.net");
        assertThat(access.text("oid")).isEqualTo(app.principalObjectId());
        assertThat(access.text("tid")).isEqualTo(TENANT);

        assertRefused(token(good), 401, "AADSTS700025");

        SelfSignedCertificate stranger = SelfSignedCertificate.create("CN=stranger");
        String badSignature = Jwt.sign(header(certificate), claims(tokenEndpoint(), now, now + 600, UUID.randomUUID().toString()),
                stranger.privateKey());
        assertRefused(token(badSignature), 401, "AADSTS700027");

        String wrongX5t = Jwt.sign(header(stranger), claims(tokenEndpoint(), now, now + 600, UUID.randomUUID().toString()),
                stranger.privateKey());
        assertRefused(token(wrongX5t), 401, "AADSTS700027");

        String wrongAud = Jwt.sign(header(certificate), claims("https://login.microsoftonline.com/" + TENANT
                + "/oauth2/v2.0/token", now, now + 600, UUID.randomUUID().toString()), certificate.privateKey());
        assertRefused(token(wrongAud), 401, "AADSTS700212");

        String expired = Jwt.sign(header(certificate), claims(tokenEndpoint(), now - 3600, now - 1200,
                UUID.randomUUID().toString()), certificate.privateKey());
        assertRefused(token(expired), 401, "AADSTS700024");

        assertRefused(token("not.a.jwt"), 401, "AADSTS50027");
    }

    @Test
    void unknownTenant() throws Exception {
        HttpResponse<String> response = raw.send(HttpRequest.newBuilder(URI.create(azure.authorityHost()
                + "/no-such-tenant/oauth2/v2.0/token")).POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertRefused(response, 400, "AADSTS90002");
    }

    private static HttpResponse<String> vaultGet(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(vault.url() + "/secrets/there?api-version=7.6"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return raw.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theVaultChallengesAndChecksTokens() throws Exception {
        vault.setSecret("there", "x");
        HttpResponse<String> challenge = vaultGet(null);
        assertThat(challenge.statusCode()).isEqualTo(401);
        assertThat(challenge.headers().firstValue("WWW-Authenticate")).hasValue("Bearer authorization=\"https://login.windows.net/"
                + TENANT + "\", resource=\"https://vault.azure.net\"");
        assertThat(challenge.headers().firstValue("x-ms-error-code")).hasValue("Unauthorized");
        assertThat(challenge.body()).contains("AKV10000: Request is missing a Bearer or PoP token.");

        long now = Instant.now().getEpochSecond();
        ObjectNode claims = Jwt.JSON.createObjectNode();
        claims.put("aud", "https://vault.azure.net");
        claims.put("tid", TENANT);
        claims.put("oid", app.principalObjectId());
        claims.put("exp", now + 600);
        ObjectNode header = Jwt.JSON.createObjectNode().put("alg", "RS256");
        String forged = Jwt.sign(header, claims, certificate.privateKey());
        assertThat(vaultGet("Bearer " + forged).body()).contains("AKV10021");

        long before = vault.requestsWithToken();
        HttpResponse<String> wrongAudience = vaultGet("Bearer " + Jwt.sign(header,
                claims.deepCopy().put("aud", "https://management.azure.com"), azureTokenKey()));
        assertThat(wrongAudience.statusCode()).isEqualTo(401);
        assertThat(wrongAudience.body()).contains("AKV10022: Invalid audience");
        assertThat(vaultGet("Bearer " + Jwt.sign(header, claims.deepCopy().put("exp", now - 10), azureTokenKey())).body())
                .contains("AKV10017");
        assertThat(vaultGet("Bearer " + Jwt.sign(header, claims.deepCopy().put("tid", "other"), azureTokenKey())).body())
                .contains("AKV10032");
        assertThat(vaultGet("Bearer " + Jwt.sign(header, claims, azureTokenKey())).statusCode()).isEqualTo(200);
        assertThat(vault.requestsWithToken()).isEqualTo(before + 4);

        HttpResponse<String> badVersion = raw.send(HttpRequest.newBuilder(URI.create(vault.url()
                + "/secrets/there?api-version=1.0")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(badVersion.statusCode()).isEqualTo(400);
        assertThat(badVersion.headers().firstValue("x-ms-error-code")).hasValue("BadParameter");
    }

    private static java.security.PrivateKey azureTokenKey() throws Exception {
        java.lang.reflect.Field f = AzureEmulator.class.getDeclaredField("tokenKeys");
        f.setAccessible(true);
        return ((java.security.KeyPair) f.get(azure)).getPrivate();
    }

    @Test
    void startsFromASeedFile() throws Exception {
        SelfSignedCertificate seeded = SelfSignedCertificate.create("CN=seeded");
        seeded.writeCertificatePem(dir.resolve("seeded.pem"));
        String tenant = UUID.randomUUID().toString();
        String client = UUID.randomUUID().toString();
        Path seed = Files.writeString(dir.resolve("seed.json"), "{\n"
                + "  \"tenants\": [{\"id\": \"" + tenant + "\", \"applications\": [\n"
                + "    {\"clientId\": \"" + client + "\", \"certificates\": [\"seeded.pem\"]}]}],\n"
                + "  \"vaults\": [{\"name\": \"seeded\", \"tenant\": \"" + tenant + "\",\n"
                + "    \"secrets\": [{\"name\": \"batchAdminPass\", \"value\": \"from-seed\", \"contentType\": \"text/plain\","
                + " \"exp\": \"2030-01-01T00:00:00Z\"}],\n"
                + "    \"accessPolicies\": [{\"clientId\": \"" + client + "\", \"secrets\": [\"get\"]}]}]\n"
                + "}\n");
        try (AzureEmulator seededAzure = AzureEmulator.start(seed)) {
            Path pfx = seeded.writePfx(dir.resolve("seeded.pfx"), "pw".toCharArray());
            HttpClient seededHttp = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                    .sslContext(seededAzure.sslContext())).build();
            SecretClient client2 = new SecretClientBuilder().vaultUrl(seededAzure.vault("seeded").url())
                    .credential(new ClientCertificateCredentialBuilder().tenantId(tenant).clientId(client)
                            .pfxCertificate(new ByteArrayInputStream(Files.readAllBytes(pfx))).clientCertificatePassword("pw")
                            .authorityHost(seededAzure.authorityHost()).disableInstanceDiscovery().httpClient(seededHttp).build())
                    .httpClient(seededHttp).disableChallengeResourceVerification().buildClient();
            KeyVaultSecret secret = client2.getSecret("batchAdminPass");
            assertThat(secret.getValue()).isEqualTo("from-seed");
            assertThat(secret.getProperties().getExpiresOn().toInstant()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
            assertThat(seededAzure.tokensIssued()).isEqualTo(1);
            assertThat(Files.exists(seededAzure.trustStore())).isTrue();
        }
    }
}
