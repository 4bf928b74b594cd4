package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node's IMDS token endpoint with hand-made requests over plain HTTP: answers, refusals, faults. */
class ImdsTest {
    private static final String VAULT = "https://vault.azure.net";

    private AzureEmulator azure;
    private Imds imds;
    private ManagedIdentity identity;
    private final String tenantId = UUID.randomUUID().toString();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        azure = AzureEmulator.start();
        identity = azure.tenant(tenantId).userAssignedIdentity("pool-identity");
        imds = azure.imds().assign(identity);
    }

    @AfterEach
    void stop() {
        azure.close();
    }

    private HttpResponse<String> get(String pathAndQuery, boolean metadata) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(imds.endpoint() + pathAndQuery))
                .timeout(Duration.ofSeconds(5));
        if (metadata) {
            request.header("Metadata", "true");
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token(String query) {
        return Imds.TOKEN_PATH + "?api-version=2018-02-01&resource=" + TestSupport.enc(VAULT) + query;
    }

    private static JsonNode assertImdsError(HttpResponse<String> response, int status, String error, String description)
            throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        JsonNode body = TestSupport.json(response.body());
        assertThat(body.path("error").asText()).isEqualTo(error);
        assertThat(body.path("error_description").asText()).startsWith(description);
        return body;
    }

    @Test
    void endpointIsPlainHttpOnLoopback() {
        assertThat(imds.endpoint()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(imds.tokenUrl()).isEqualTo(imds.endpoint() + "/metadata/identity/oauth2/token");
        assertThat(azure.imds()).isSameAs(imds);
    }

    @Test
    void issuesATokenTheVaultAccepts() throws Exception {
        HttpResponse<String> response = get(token("&client_id=" + identity.clientId()), true);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = TestSupport.json(response.body());
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.path("client_id").asText()).isEqualTo(identity.clientId());
        assertThat(body.path("resource").asText()).isEqualTo(VAULT);
        assertThat(body.path("expires_in").isTextual()).isTrue();
        assertThat(Long.parseLong(body.path("expires_on").asText()))
                .isGreaterThan(Long.parseLong(body.path("not_before").asText()));
        Jwt jwt = Jwt.parse(body.path("access_token").asText());
        assertThat(jwt.text("aud")).isEqualTo(VAULT);
        assertThat(jwt.text("appid")).isEqualTo(identity.clientId());
        assertThat(jwt.text("oid")).isEqualTo(identity.principalId());
        assertThat(jwt.text("tid")).isEqualTo(tenantId);
        assertThat(jwt.text("xms_mirid")).isEqualTo(identity.resourceId());
        assertThat(imds.tokensIssued()).isEqualTo(1);

        Vault vault = azure.createVault("mivault", tenantId);
        vault.setSecret("batchAdminPass", "s3cret");
        HttpRequest read = HttpRequest.newBuilder(URI.create(vault.url() + "/secrets/batchAdminPass?api-version=7.6"))
                .header("Authorization", "Bearer " + body.path("access_token").asText()).GET().build();
        HttpClient https = TestSupport.raw(azure);
        TestSupport.assertVaultError(https.send(read, HttpResponse.BodyHandlers.ofString()), 403, "Forbidden",
                "AccessDenied");
        vault.grant(identity.principalId(), "get");
        HttpResponse<String> ok = https.send(read, HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(TestSupport.json(ok.body()).path("value").asText()).isEqualTo("s3cret");
    }

    @Test
    void selectsByClientIdObjectIdOrResourceIdAndTakesTheOnlyOneWithout() throws Exception {
        for (String query : new String[] {"&client_id=" + identity.clientId().toUpperCase(),
                "&object_id=" + identity.principalId(), "&msi_res_id=" + TestSupport.enc(identity.resourceId()),
                "&mi_res_id=" + TestSupport.enc(identity.resourceId().toLowerCase()), ""}) {
            HttpResponse<String> response = get(token(query), true);
            assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(200);
            assertThat(TestSupport.json(response.body()).path("client_id").asText()).isEqualTo(identity.clientId());
        }
    }

    @Test
    void msalsDoubleSlashAndATrailingSlashReachTheTokenPath() throws Exception {
        assertThat(get("/" + token("&client_id=" + identity.clientId()), true).statusCode()).isEqualTo(200);
        assertThat(get(token("").replace("token?", "token/?"), true).statusCode()).isEqualTo(200);
    }

    @Test
    void missingOrWrongMetadataHeader() throws Exception {
        assertImdsError(get(token(""), false), 400, "invalid_request", "Required metadata header not specified");
        HttpResponse<String> upper = http.send(HttpRequest.newBuilder(URI.create(imds.endpoint() + token("")))
                .header("Metadata", "True").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertImdsError(upper, 400, "invalid_request", "Required metadata header not specified");
        assertThat(imds.tokensIssued()).isZero();
        assertThat(imds.requests()).isEqualTo(2);
    }

    @Test
    void unknownOrUnassignedIdentity() throws Exception {
        assertImdsError(get(token("&client_id=" + UUID.randomUUID()), true), 400, "invalid_request",
                "Identity not found");
        ManagedIdentity other = azure.tenant(tenantId).userAssignedIdentity("other");
        assertImdsError(get(token("&client_id=" + other.clientId()), true), 400, "invalid_request",
                "Identity not found");
        imds.unassign(identity);
        assertImdsError(get(token(""), true), 400, "invalid_request", "Identity not found");
    }

    @Test
    void severalIdentitiesNeedASelector() throws Exception {
        imds.assign(azure.tenant(tenantId).userAssignedIdentity("second"));
        assertImdsError(get(token(""), true), 400, "invalid_request",
                "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity "
                        + "in the token request");
        assertImdsError(get(token("&client_id=" + identity.clientId() + "&object_id=" + identity.principalId()), true),
                400, "invalid_request", "Only one of client_id, object_id and msi_res_id");
    }

    @Test
    void badOrMissingResourceAndApiVersion() throws Exception {
        assertImdsError(get(Imds.TOKEN_PATH + "?api-version=2018-02-01&resource=https%3A%2F%2Fexample.com", true), 400,
                "invalid_resource", "AADSTS50001: The application named https://example.com was not found in the "
                        + "tenant named " + tenantId);
        assertImdsError(get(Imds.TOKEN_PATH + "?api-version=2018-02-01", true), 400, "invalid_request",
                "Required audience parameter not specified");
        assertImdsError(get(Imds.TOKEN_PATH + "?resource=" + TestSupport.enc(VAULT), true), 400, "invalid_request",
                "Required query variable 'api-version' is missing");
    }

    @Test
    void otherRoutesAndMethods() throws Exception {
        assertThat(get("/metadata/instance?api-version=2021-02-01", true).statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(imds.endpoint() + token("")))
                .header("Metadata", "true").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertImdsError(post, 405, "invalid_request", "The token endpoint only accepts GET");
    }

    @Test
    void faultsAnswerBeforeAnyCheckThenFallAway() throws Exception {
        imds.inject(Fault.status(503).times(1));
        imds.inject(Fault.throttle(Duration.ofSeconds(1)).times(1));
        imds.inject(Fault.reset().times(1));
        assertImdsError(get(token(""), false), 503, "server_error", "The instance metadata service could not answer");
        HttpResponse<String> throttled = get(token(""), true);
        assertImdsError(throttled, 429, "too_many_requests", "Too many requests");
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("1");
        // java.net.http resends a GET once when the connection closes unanswered: the resend gets the token.
        assertThat(get(token(""), true).statusCode()).isEqualTo(200);
        assertThat(imds.faultsServed()).isEqualTo(3);
        assertThat(imds.journal().take().route()).isEqualTo("imds");
        assertThat(azure.journal().requests(r -> "imds".equals(r.route()))).hasSize((int) imds.requests());
        imds.inject(Fault.status(500));
        assertThat(get(token(""), true).statusCode()).isEqualTo(500);
        azure.clearFaults();
        assertThat(get(token(""), true).statusCode()).isEqualTo(200);
    }

    @Test
    void aHangIsCutByTheClientsTimeout() {
        imds.inject(Fault.hang().times(1));
        HttpRequest request = HttpRequest.newBuilder(URI.create(imds.tokenUrl() + "?api-version=2018-02-01&resource="
                + TestSupport.enc(VAULT))).header("Metadata", "true").timeout(Duration.ofMillis(300)).GET().build();
        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.net.http.HttpTimeoutException.class);
    }

    @Test
    void identitiesAreNamedOnceWithDistinctIds() {
        Tenant tenant = azure.tenant(tenantId);
        assertThat(tenant.userAssignedIdentity("pool-identity")).isSameAs(identity);
        assertThat(identity.resourceId()).endsWith("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/pool-identity");
        assertThat(identity.toString()).contains(identity.clientId()).contains(identity.principalId());
        assertThatThrownBy(() -> tenant.userAssignedIdentity("pool-identity", UUID.randomUUID().toString(), null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exists with other ids");
        assertThatThrownBy(() -> tenant.userAssignedIdentity("twin", identity.clientId(), null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("would share an id");
        assertThatThrownBy(() -> tenant.userAssignedIdentity(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeStopsIt() throws Exception {
        String url = imds.endpoint();
        azure.close();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(url + token(""))).header("Metadata", "true")
                .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(azure::imds).isInstanceOf(IllegalStateException.class);
    }
}
