package dev.batchvault.emulator;

import static dev.batchvault.emulator.TestSupport.assertVaultError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The vault's challenge, its token checks and its REST surface, with hand-made requests. */
class VaultTest {
    static final String TENANT = "44444444-5555-6666-7777-888888888888";
    static final String CLIENT = "dddddddd-eeee-ffff-0000-111111111111";

    static AzureEmulator azure;
    static Application app;
    static Vault vault;
    static java.net.http.HttpClient raw;
    static String version;

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        app = azure.tenant(TENANT).application(CLIENT);
        vault = azure.createVault("tokenvault", TENANT);
        vault.grant(app.principalObjectId(), "get", "list", "set");
        version = vault.setSecret("there", "x", SecretAttributes.defaults().contentType("text/plain"));
        raw = TestSupport.raw(azure);
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    /** A token exactly as the emulator's Entra ID issues one. */
    static String goodToken() {
        long now = Instant.now().getEpochSecond();
        return azure.accessTokens().issue(TENANT, app, "https://vault.azure.net", now, now + 3600);
    }

    static ObjectNode header(String token) {
        return Jwt.parse(token).header.deepCopy();
    }

    static ObjectNode claims(String token) {
        return Jwt.parse(token).claims.deepCopy();
    }

    /** Re-signs altered claims with the emulator's own key, so that only the altered claim is wrong. */
    static String resign(ObjectNode claims) {
        return Jwt.sign(header(goodToken()), claims, azure.accessTokens().keys().getPrivate());
    }

    static HttpResponse<String> send(String method, String pathAndQuery, String authorization, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(vault.url() + pathAndQuery));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return raw.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
        return send("GET", pathAndQuery, token == null ? null : "Bearer " + token, null);
    }

    @Test
    void withoutATokenTheVaultChallenges() throws Exception {
        HttpResponse<String> challenge = get("/secrets/there?api-version=7.6", null);
        JsonNode error = assertVaultError(challenge, 401, "Unauthorized", null);
        assertThat(error.path("message").asText()).isEqualTo("AKV10000: Request is missing a Bearer or PoP token.");
        assertThat(challenge.headers().firstValue("WWW-Authenticate")).hasValue(
                "Bearer authorization=\"https://login.windows.net/" + TENANT + "\", resource=\"https://vault.azure.net\"");
        assertThat(challenge.body()).isEqualTo("{\"error\":{\"code\":\"Unauthorized\",\"message\":"
                + "\"AKV10000: Request is missing a Bearer or PoP token.\"}}");
        assertVaultError(send("GET", "/secrets/there?api-version=7.6", "Basic dXNlcjpwYXNz", null), 401,
                "Unauthorized", null);
    }

    @Test
    void aGoodTokenReadsTheSecretBundle() throws Exception {
        HttpResponse<String> ok = get("/secrets/there/?api-version=7.6", goodToken());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode bundle = TestSupport.json(ok.body());
        assertThat(bundle.path("value").asText()).isEqualTo("x");
        assertThat(bundle.path("id").asText()).isEqualTo(vault.url() + "/secrets/there/" + version);
        assertThat(bundle.path("contentType").asText()).isEqualTo("text/plain");
        JsonNode attributes = bundle.path("attributes");
        assertThat(attributes.path("enabled").asBoolean()).isTrue();
        assertThat(attributes.path("created").isIntegralNumber()).isTrue();
        assertThat(attributes.path("updated").isIntegralNumber()).isTrue();
        assertThat(attributes.path("recoveryLevel").asText()).isEqualTo("Recoverable+Purgeable");
        assertThat(attributes.path("recoverableDays").asInt()).isEqualTo(90);
        assertThat(attributes.has("nbf")).isFalse();
        assertThat(attributes.has("exp")).isFalse();
        assertThat(bundle.has("tags")).isFalse();

        HttpResponse<String> byVersion = get("/secrets/there/" + version + "?api-version=2025-07-01", goodToken());
        assertThat(byVersion.statusCode()).isEqualTo(200);
        assertThat(get("/secrets/there?api-version=7.0", goodToken()).statusCode()).isEqualTo(200);
        String slash = resign(claims(goodToken()).put("aud", "https://vault.azure.net/"));
        assertThat(get("/secrets/there?api-version=7.6", slash).statusCode()).isEqualTo(200);
    }

    @Test
    void forgedTokensAreRefused() throws Exception {
        SelfSignedCertificate forger = SelfSignedCertificate.create("CN=forger");
        String good = goodToken();
        String sameKid = Jwt.sign(header(good), claims(good), forger.privateKey());
        JsonNode error = assertVaultError(get("/secrets/there?api-version=7.6", sameKid), 401, "Unauthorized", null);
        assertThat(error.path("message").asText()).startsWith("AKV10046: Unable to resolve the key used for signature "
                + "validation. EncodedJwtHeader: '");

        String otherKid = Jwt.sign(header(good).put("kid", "someone-elses-key"), claims(good), forger.privateKey());
        assertThat(get("/secrets/there?api-version=7.6", otherKid).body()).contains("AKV10046");

        String[] parts = good.split("\\.");
        String tampered = parts[0] + "." + Jwt.base64Url(claims(good).put("oid", "00000000-0000-0000-0000-000000000000")
                .toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
        assertThat(get("/secrets/there?api-version=7.6", tampered).body()).contains("AKV10046");

        HttpResponse<String> garbage = get("/secrets/there?api-version=7.6", "garbage");
        assertVaultError(garbage, 401, "Unauthorized", null);
        assertThat(garbage.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void wrongAudienceIssuerOrLifetimeAreRefused() throws Exception {
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = claims(goodToken());

        HttpResponse<String> audience = get("/secrets/there?api-version=7.6",
                resign(claims.deepCopy().put("aud", "https://management.azure.com/")));
        assertThat(assertVaultError(audience, 401, "Unauthorized", null).path("message").asText())
                .isEqualTo("AKV10022: Invalid audience. Expected https://vault.azure.net, found: "
                        + "https://management.azure.com/.");
        assertThat(audience.headers().firstValue("WWW-Authenticate")).isPresent();

        String otherTenant = "99999999-0000-0000-0000-000000000000";
        HttpResponse<String> issuer = get("/secrets/there?api-version=7.6", resign(claims.deepCopy()
                .put("tid", otherTenant).put("iss", "https://sts.windows.net/" + otherTenant + "/")));
        assertThat(assertVaultError(issuer, 401, "Unauthorized", null).path("message").asText())
                .startsWith("AKV10032: Invalid issuer. Expected one of https://sts.windows.net/" + TENANT + "/, found "
                        + "https://sts.windows.net/" + otherTenant + "/");

        HttpResponse<String> expired = get("/secrets/there?api-version=7.6",
                resign(claims.deepCopy().put("nbf", now - 7200).put("exp", now - 3600)));
        assertThat(assertVaultError(expired, 401, "Unauthorized", null).path("message").asText())
                .contains("TokenExpired");

        HttpResponse<String> early = get("/secrets/there?api-version=7.6",
                resign(claims.deepCopy().put("nbf", now + 3600).put("exp", now + 7200)));
        assertThat(assertVaultError(early, 401, "Unauthorized", null).path("message").asText())
                .startsWith("Token not yet valid");
    }

    @Test
    void theJournalRecordsEveryRequestWithoutItsQueryOrToken() throws Exception {
        vault.journal().clear();
        get("/secrets/there?api-version=7.6", null);
        get("/secrets/there?api-version=7.6", goodToken());
        get("/secrets/there?api-version=7.6", "forged.forged.forged");
        get("/secrets/there?api-version=0.1", null);
        assertThat(vault.journal().requests()).extracting(RecordedRequest::toString).containsExactly(
                "vault " + vault.name() + " GET /secrets/there -> 401",
                "vault " + vault.name() + " GET /secrets/there -> 200 [token]",
                "vault " + vault.name() + " GET /secrets/there -> 401 [token]",
                "vault " + vault.name() + " GET /secrets/there -> 400");
        assertThat(vault.journal().count()).isEqualTo(4);
    }

    @Test
    void apiVersionsOtherThan7xOrDatedAreBadParameters() throws Exception {
        JsonNode error = assertVaultError(get("/secrets/there?api-version=1.0", goodToken()), 400, "BadParameter", null);
        assertThat(error.path("message").asText()).isEqualTo("The specified version (1.0) is not recognized. Consider "
                + "using the latest supported version (7.6).");
        assertVaultError(get("/secrets/there", goodToken()), 400, "BadParameter", null);
        assertVaultError(get("/secrets/there?api-version=2016-10-01x", goodToken()), 400, "BadParameter", null);
    }

    @Test
    void invalidNamesUnknownRoutesAndMethods() throws Exception {
        JsonNode error = assertVaultError(get("/secrets/bad_name?api-version=7.6", goodToken()), 400, "BadParameter",
                null);
        assertThat(error.path("message").asText()).contains("bad_name");
        assertVaultError(get("/secrets/" + "a".repeat(128) + "?api-version=7.6", goodToken()), 400, "BadParameter",
                null);
        assertThat(get("/secrets/" + "a".repeat(127) + "?api-version=7.6", goodToken()).statusCode()).isEqualTo(404);
        JsonNode route = assertVaultError(get("/keys/k?api-version=7.6", goodToken()), 404, "NotFound", null);
        assertThat(route.path("message").asText()).contains("GET /keys/k");
        assertVaultError(send("DELETE", "/secrets/there?api-version=7.6", "Bearer " + goodToken(), null), 405,
                "MethodNotAllowed", null);
        JsonNode missing = assertVaultError(get("/secrets/there/0123456789abcdef0123456789abcdef?api-version=7.6",
                goodToken()), 404, "SecretNotFound", null);
        assertThat(missing.path("message").asText()).startsWith("A secret with (name/id) "
                + "there/0123456789abcdef0123456789abcdef was not found in this key vault.");
    }

    @Test
    void putStoresANewVersionAndChecksTheBody() throws Exception {
        String token = "Bearer " + goodToken();
        long exp = Instant.now().getEpochSecond() + 86400;
        HttpResponse<String> put = send("PUT", "/secrets/written?api-version=7.6", token,
                "{\"value\":\"w\",\"contentType\":\"text/plain\",\"attributes\":{\"enabled\":true,\"exp\":" + exp
                        + "},\"tags\":{\"k\":\"v\"}}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        JsonNode bundle = TestSupport.json(put.body());
        assertThat(bundle.path("value").asText()).isEqualTo("w");
        assertThat(bundle.path("attributes").path("exp").asLong()).isEqualTo(exp);
        assertThat(bundle.path("tags").path("k").asText()).isEqualTo("v");
        assertThat(bundle.path("id").asText()).matches("https://localhost:\\d+/secrets/written/[0-9a-f]{32}");

        assertVaultError(send("PUT", "/secrets/written?api-version=7.6", token, "{\"contentType\":\"x\"}"), 400,
                "BadParameter", null);
        assertVaultError(send("PUT", "/secrets/written?api-version=7.6", token, "not json"), 400, "BadParameter", null);
        assertVaultError(send("PUT", "/secrets/written?api-version=7.6", token,
                "{\"value\":\"" + "v".repeat(Vault.MAX_VALUE_BYTES + 1) + "\"}"), 400, "BadParameter", null);

        JsonNode versions = TestSupport.json(get("/secrets/written/versions?api-version=7.6", goodToken()).body());
        assertThat(versions.path("value")).hasSize(1);
        assertThat(versions.path("value").get(0).has("value")).as("lists carry no values").isFalse();
        assertThat(versions.has("nextLink")).isTrue();
        assertThat(versions.path("nextLink").isNull()).isTrue();

        JsonNode list = TestSupport.json(get("/secrets?api-version=7.6", goodToken()).body());
        assertThat(list.path("value").findValuesAsText("id")).contains(vault.url() + "/secrets/written");
    }

    @Test
    void theJavaApiRefusesWhatKeyVaultRefuses() {
        assertThatThrownBy(() -> vault.setSecret("bad_name", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> vault.setSecret("a".repeat(128), "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> vault.setSecret("big", "v".repeat(Vault.MAX_VALUE_BYTES + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> vault.setEnabled("never-set", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> azure.vault("no-such-vault")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> azure.createVault("TokenVault", TENANT)).isInstanceOf(IllegalArgumentException.class);
        assertThat(azure.vault("TOKENVAULT")).isSameAs(vault);
        assertThat(azure.vaults()).containsExactly(vault);
    }

    @Test
    void disabledAndDeniedOverHttp() throws Exception {
        Application reader = azure.tenant(TENANT).application("eeeeeeee-0000-0000-0000-000000000000");
        vault.grant(reader.principalObjectId(), "get");
        long now = Instant.now().getEpochSecond();
        String readerToken = azure.accessTokens().issue(TENANT, reader, "https://vault.azure.net", now, now + 600);
        JsonNode denied = assertVaultError(get("/secrets?api-version=7.6", readerToken), 403, "Forbidden",
                "AccessDenied");
        assertThat(denied.path("message").asText()).contains("does not have secrets list permission");

        vault.setSecret("switched", "x");
        vault.setEnabled("switched", false);
        JsonNode disabled = assertVaultError(get("/secrets/switched?api-version=7.6", readerToken), 403, "Forbidden",
                "SecretDisabled");
        assertThat(disabled.path("message").asText()).isEqualTo("Operation get is not allowed on a disabled secret.");
    }
}
