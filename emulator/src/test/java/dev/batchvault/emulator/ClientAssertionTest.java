package dev.batchvault.emulator;

import static dev.batchvault.emulator.TestSupport.assertEntraError;
import static dev.batchvault.emulator.TestSupport.assertionClaims;
import static dev.batchvault.emulator.TestSupport.assertionHeader;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hand-made client assertions, for the refusals the real client never provokes. */
class ClientAssertionTest {
    static final String TENANT = "33333333-4444-5555-6666-777777777777";
    static final String CLIENT = "cccccccc-dddd-eeee-ffff-000000000000";
    static final String SCOPE = "https://vault.azure.net/.default";

    static AzureEmulator azure;
    static SelfSignedCertificate certificate;
    static Application app;
    static java.net.http.HttpClient raw;

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        certificate = SelfSignedCertificate.create("CN=pool");
        app = azure.tenant(TENANT).application(CLIENT).registerCertificate(certificate.certificate());
        raw = TestSupport.raw(azure);
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    static String endpoint() {
        return azure.authorityHost() + "/" + TENANT + "/oauth2/v2.0/token";
    }

    static ObjectNode claims() {
        return assertionClaims(endpoint(), CLIENT);
    }

    static String sign(ObjectNode header, ObjectNode claims) {
        return Jwt.sign(header, claims, certificate.privateKey());
    }

    static HttpResponse<String> token(String assertion) throws Exception {
        return TestSupport.postToken(raw, endpoint(), CLIENT, SCOPE, assertion);
    }

    @Test
    void aGoodAssertionGetsAnAccessTokenForTheResource() throws Exception {
        long before = Instant.now().getEpochSecond();
        HttpResponse<String> response = token(sign(assertionHeader(certificate), claims()));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = TestSupport.json(response.body());
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asInt()).isEqualTo(3599);
        assertThat(body.path("ext_expires_in").asInt()).isEqualTo(3599);

        Jwt access = Jwt.parse(body.path("access_token").asText());
        assertThat(access.header.path("alg").asText()).isEqualTo("RS256");
        assertThat(access.text("aud")).isEqualTo("https://vault.azure.net");
        assertThat(access.text("iss")).isEqualTo("https://sts.windows.net/" + TENANT + "/");
        assertThat(access.text("tid")).isEqualTo(TENANT);
        assertThat(access.text("oid")).isEqualTo(app.principalObjectId());
        assertThat(access.text("appid")).isEqualTo(CLIENT);
        assertThat(access.seconds("iat")).isBetween(before - 1, before + 5);
        assertThat(access.seconds("nbf")).isEqualTo(access.seconds("iat"));
        assertThat(access.seconds("exp") - access.seconds("iat")).isEqualTo(3600);
    }

    @Test
    void plainBase64AndSha1ThumbprintsAreAcceptedAsMsal4jSendsThem() throws Exception {
        ObjectNode plain = assertionHeader(certificate)
                .put("x5t#S256", Base64.getEncoder().encodeToString(TestSupport.sha256(certificate)));
        assertThat(token(sign(plain, claims())).statusCode()).isEqualTo(200);

        ObjectNode sha1 = assertionHeader(certificate);
        sha1.remove("x5t#S256");
        sha1.put("x5t", Base64.getEncoder().encodeToString(TestSupport.sha1(certificate)));
        assertThat(token(sign(sha1, claims())).statusCode()).isEqualTo(200);
    }

    @Test
    void replayedJti() throws Exception {
        String assertion = sign(assertionHeader(certificate), claims());
        assertThat(token(assertion).statusCode()).isEqualTo(200);
        azure.loginJournal().clear();
        JsonNode body = assertEntraError(token(assertion), 401, "invalid_client", 50013);
        assertThat(body.path("error_description").asText()).contains("has already been used");
        assertThat(azure.loginJournal().requests()).extracting(RecordedRequest::status).containsExactly(401);
    }

    @Test
    void badSignature() throws Exception {
        SelfSignedCertificate stranger = SelfSignedCertificate.create("CN=stranger");
        String assertion = Jwt.sign(assertionHeader(certificate), claims(), stranger.privateKey());
        JsonNode body = assertEntraError(token(assertion), 401, "invalid_client", 700027);
        assertThat(body.path("error_description").asText())
                .contains("Client assertion contains an invalid signature.")
                .contains("The provided signature value did not match the expected signature value.")
                .contains(certificate.thumbprint());
    }

    @Test
    void wrongThumbprint() throws Exception {
        SelfSignedCertificate stranger = SelfSignedCertificate.create("CN=stranger");
        ObjectNode header = assertionHeader(stranger);
        header.put("x5t", Jwt.base64Url(TestSupport.sha1(stranger)));
        String assertion = Jwt.sign(header, claims(), stranger.privateKey());
        JsonNode body = assertEntraError(token(assertion), 401, "invalid_client", 700027);
        assertThat(body.path("error_description").asText())
                .contains("[Reason - The key was not found., Thumbprint of key used by client: '"
                        + stranger.thumbprint() + "'")
                .contains("app Id '" + CLIENT + "'");
        assertThat(stranger.thumbprint()).isEqualTo(HexFormat.of().withUpperCase().formatHex(TestSupport.sha1(stranger)));
    }

    @Test
    void wrongAudience() throws Exception {
        String assertion = sign(assertionHeader(certificate), claims()
                .put("aud", "https://login.microsoftonline.com/" + TENANT + "/oauth2/v2.0/token"));
        JsonNode body = assertEntraError(token(assertion), 401, "invalid_client", 700023);
        assertThat(body.path("error_description").asText())
                .contains("Client assertion audience claim does not match Realm issuer");
    }

    @Test
    void theAudienceMayNameTheHostTheClientCalled() throws Exception {
        String viaIp = azure.authorityHost().replace("localhost", "127.0.0.1") + "/" + TENANT + "/oauth2/v2.0/token";
        HttpResponse<String> ok = TestSupport.postToken(raw, viaIp, CLIENT, SCOPE,
                sign(assertionHeader(certificate), assertionClaims(viaIp, CLIENT)));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    }

    @Test
    void issuerOrSubjectNotTheClient() throws Exception {
        assertEntraError(token(sign(assertionHeader(certificate), claims().put("iss", "someone-else")
                .put("sub", "someone-else"))), 401, "invalid_client", 700021);
        assertEntraError(token(sign(assertionHeader(certificate), claims().put("sub", "someone-else"))), 401,
                "invalid_client", 50048);
        assertEntraError(token(sign(assertionHeader(certificate), claims().put("iss", "someone-else"))), 401,
                "invalid_client", 50048);
    }

    @Test
    void expiredOrNotYetValid() throws Exception {
        long now = Instant.now().getEpochSecond();
        JsonNode expired = assertEntraError(token(sign(assertionHeader(certificate),
                claims().put("nbf", now - 3600).put("exp", now - 600))), 401, "invalid_client", 700024);
        assertThat(expired.path("error_description").asText())
                .contains("Client assertion is not within its valid time range.");
        assertEntraError(token(sign(assertionHeader(certificate),
                claims().put("nbf", now + 900).put("exp", now + 1500))), 401, "invalid_client", 700024);
        assertEntraError(token(sign(assertionHeader(certificate), (ObjectNode) claims().without("exp"))), 401,
                "invalid_client", 700024);
        // Five minutes of skew either way.
        assertThat(token(sign(assertionHeader(certificate), claims().put("nbf", now - 900).put("exp", now - 120)))
                .statusCode()).isEqualTo(200);
        assertThat(token(sign(assertionHeader(certificate), claims().put("nbf", now + 120).put("exp", now + 600)))
                .statusCode()).isEqualTo(200);
    }

    @Test
    void malformedOrNotRs256() throws Exception {
        assertEntraError(token("not.a.jwt"), 401, "invalid_client", 50027);
        assertEntraError(token("onlyonepart"), 401, "invalid_client", 50027);
        ObjectNode hs256 = assertionHeader(certificate).put("alg", "HS256");
        assertEntraError(token(sign(hs256, claims())), 401, "invalid_client", 50027);
        ObjectNode none = assertionHeader(certificate).put("alg", "none");
        assertEntraError(token(sign(none, claims())), 401, "invalid_client", 50027);
        assertEntraError(token(sign(assertionHeader(certificate), (ObjectNode) claims().without("jti"))), 401,
                "invalid_client", 50027);
    }

    @Test
    void requestProblems() throws Exception {
        assertEntraError(TestSupport.postToken(raw, endpoint(), CLIENT, SCOPE, null), 401, "invalid_client", 7000216);
        assertEntraError(TestSupport.postToken(raw, endpoint(), CLIENT, "https://vault.azure.net/secrets.read",
                sign(assertionHeader(certificate), claims())), 400, "invalid_scope", 70011);
        assertEntraError(TestSupport.postToken(raw, endpoint(), UUID.randomUUID().toString(), SCOPE,
                sign(assertionHeader(certificate), claims())), 400, "unauthorized_client", 700016);
        String unknownTenant = azure.authorityHost() + "/" + UUID.randomUUID() + "/oauth2/v2.0/token";
        JsonNode body = assertEntraError(TestSupport.postToken(raw, unknownTenant, CLIENT, SCOPE, null), 400,
                "invalid_request", 90002);
        assertThat(body.path("error_description").asText()).contains("not found");
        HttpResponse<String> get = raw.send(HttpRequest.newBuilder(URI.create(endpoint())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEntraError(get, 400, "invalid_request", 900561);
    }

    @Test
    void theJournalHoldsEveryTokenRequestAndTheIssuedCounterOnlySuccesses() throws Exception {
        azure.loginJournal().clear();
        long issued = azure.tokensIssued();
        token(sign(assertionHeader(certificate), claims()));
        token("garbage.garbage.garbage");
        RecordedRequest ok = azure.loginJournal().take();
        assertThat(ok.method()).isEqualTo("POST");
        assertThat(ok.path()).isEqualTo("/" + TENANT + "/oauth2/v2.0/token");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.tokenSent()).isFalse();
        assertThat(ok.fault()).isEmpty();
        assertThat(azure.loginJournal().take().status()).isEqualTo(401);
        assertThat(azure.tokensIssued()).isEqualTo(issued + 1);
    }

    @Test
    void metadataDiscoveryKeysAndUnknownRoutes() throws Exception {
        JsonNode metadata = get("/" + TENANT + "/v2.0/.well-known/openid-configuration", 200);
        assertThat(metadata.path("token_endpoint").asText()).isEqualTo(endpoint());
        assertThat(metadata.path("issuer").asText()).isEqualTo(azure.authorityHost() + "/" + TENANT + "/v2.0");

        JsonNode discovery = get("/common/discovery/instance?api-version=1.1&authorization_endpoint=x", 200);
        assertThat(discovery.path("tenant_discovery_endpoint").asText()).startsWith(azure.authorityHost());
        assertThat(discovery.path("metadata").get(0).path("aliases").get(0).asText())
                .isEqualTo(URI.create(azure.authorityHost()).getAuthority());

        JsonNode keys = get("/" + TENANT + "/discovery/v2.0/keys", 200);
        JsonNode key = keys.path("keys").get(0);
        String accessToken = TestSupport.json(token(sign(assertionHeader(certificate), claims())).body())
                .path("access_token").asText();
        assertThat(key.path("kid").asText()).isEqualTo(Jwt.parse(accessToken).header.path("kid").asText());
        assertThat(key.path("kty").asText()).isEqualTo("RSA");

        JsonNode unknown = get("/no/such/route", 404);
        assertThat(unknown.path("error_description").asText()).contains("GET /no/such/route");
    }

    private static JsonNode get(String pathAndQuery, int status) throws Exception {
        HttpResponse<String> response = raw.send(HttpRequest.newBuilder(URI.create(azure.authorityHost() + pathAndQuery))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return TestSupport.json(response.body());
    }
}
