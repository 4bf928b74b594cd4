package dev.batchvault.emulator;

import static dev.batchvault.emulator.TestSupport.assertEntraError;
import static dev.batchvault.emulator.TestSupport.assertionClaims;
import static dev.batchvault.emulator.TestSupport.assertionHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.ClientCertificateCredential;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults injected into the token endpoint: on the wire, and as the unmodified credential meets them. */
class TokenFaultsTest {
    static final String TENANT = "66666666-7777-8888-9999-aaaaaaaaaaaa";
    static final String OTHER_TENANT = "77777777-8888-9999-aaaa-bbbbbbbbbbbb";
    static final String CLIENT = "ffffffff-0000-1111-2222-333333333333";
    static final String SCOPE = "https://vault.azure.net/.default";

    @TempDir
    static Path dir;
    static AzureEmulator azure;
    static SelfSignedCertificate certificate;
    static Application app;
    static java.net.http.HttpClient raw;
    static HttpClient http;

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        certificate = SelfSignedCertificate.create("CN=pool");
        app = azure.tenant(TENANT).application(CLIENT).registerCertificate(certificate.certificate());
        azure.tenant(OTHER_TENANT).application(CLIENT).registerCertificate(certificate.certificate());
        raw = TestSupport.raw(azure);
        http = TestSupport.azureHttp(azure);
    }

    @BeforeEach
    void clearJournal() {
        azure.loginJournal().clear();
    }

    @AfterEach
    void clear() {
        azure.clearFaults();
    }

    /** The token requests so far, as the journal tells them: {@code 503 Fault.status(503).times(1)}, {@code 200}. */
    static List<String> tokenRequests() {
        return azure.loginJournal().requests().stream()
                .map(r -> r.outcome() + r.fault().map(f -> " " + f).orElse("")).collect(Collectors.toList());
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    static String endpoint(String tenant) {
        return azure.authorityHost() + "/" + tenant + "/oauth2/v2.0/token";
    }

    static HttpRequest.Builder tokenRequest(String tenant) {
        String assertion = Jwt.sign(assertionHeader(certificate), assertionClaims(endpoint(tenant), CLIENT),
                certificate.privateKey());
        String form = "grant_type=client_credentials&client_id=" + CLIENT + "&scope=" + TestSupport.enc(SCOPE)
                + "&client_assertion_type=" + TestSupport.enc(EntraId.ASSERTION_TYPE)
                + "&client_assertion=" + TestSupport.enc(assertion);
        return HttpRequest.newBuilder(URI.create(endpoint(tenant))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
    }

    static HttpResponse<String> token(String tenant) throws Exception {
        return raw.send(tokenRequest(tenant).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertIssued(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(TestSupport.json(response.body()).path("access_token").asText()).isNotEmpty();
    }

    /** The unmodified credential, with quick retries of its own pipeline (azure-core retries 5xx and 429). */
    static ClientCertificateCredential credential(int retries) throws IOException {
        Path pfx = certificate.writePfx(dir.resolve(UUID.randomUUID() + ".pfx"),
                TestSupport.PFX_PASSWORD.toCharArray());
        return new ClientCertificateCredentialBuilder()
                .tenantId(TENANT)
                .clientId(CLIENT)
                .pfxCertificate(new ByteArrayInputStream(Files.readAllBytes(pfx)))
                .clientCertificatePassword(TestSupport.PFX_PASSWORD)
                .authorityHost(azure.authorityHost())
                .disableInstanceDiscovery()
                .httpClient(http)
                .retryOptions(new RetryOptions(new FixedDelayOptions(retries, Duration.ofMillis(10))))
                .build();
    }

    static AccessToken vaultToken(ClientCertificateCredential credential) {
        return credential.getTokenSync(new TokenRequestContext().addScopes(SCOPE));
    }

    @Test
    void statusAnswersWithEntraIdsErrorBodyForEveryTenant() throws Exception {
        azure.injectToken(Fault.status(503).times(1));
        azure.injectToken(Fault.status(500).times(1));
        azure.injectToken(Fault.status(400).times(1));

        HttpResponse<String> unavailable = token(TENANT);
        assertEntraError(unavailable, 503, "temporarily_unavailable", 90033);
        assertThat(TestSupport.json(unavailable.body()).path("error_description").asText()).contains("injected");
        assertEntraError(token(OTHER_TENANT), 500, "server_error", 50000);
        assertEntraError(token(TENANT), 400, "invalid_request", 90023);
        assertIssued(token(OTHER_TENANT));

        assertThat(tokenRequests()).containsExactly("503 Fault.status(503).times(1)", "500 Fault.status(500).times(1)",
                "400 Fault.status(400).times(1)", "200");
        assertThat(azure.loginJournal().requests()).extracting(RecordedRequest::path).containsExactly(
                "/" + TENANT + "/oauth2/v2.0/token", "/" + OTHER_TENANT + "/oauth2/v2.0/token",
                "/" + TENANT + "/oauth2/v2.0/token", "/" + OTHER_TENANT + "/oauth2/v2.0/token");
    }

    @Test
    void throttlesSendTheirRetryHeaders() throws Exception {
        azure.injectToken(Fault.throttle(Duration.ofSeconds(2)).times(1));
        azure.injectToken(Fault.throttleMillis(Duration.ofMillis(250)).times(1));
        azure.injectToken(Fault.throttleWithoutRetryAfter().times(1));

        HttpResponse<String> seconds = token(TENANT);
        assertEntraError(seconds, 429, "temporarily_unavailable", 90055);
        assertThat(seconds.headers().firstValue("Retry-After")).hasValue("2");
        HttpResponse<String> millis = token(TENANT);
        assertEntraError(millis, 429, "temporarily_unavailable", 90055);
        assertThat(millis.headers().firstValue("retry-after-ms")).hasValue("250");
        assertThat(millis.headers().firstValue("x-ms-retry-after-ms")).hasValue("250");
        assertThat(millis.headers().firstValue("Retry-After")).isEmpty();
        HttpResponse<String> none = token(TENANT);
        assertEntraError(none, 429, "temporarily_unavailable", 90055);
        assertThat(none.headers().map().keySet()).noneSatisfy(
                h -> assertThat(h.toLowerCase(java.util.Locale.ROOT)).contains("retry-after"));
        assertIssued(token(TENANT));
    }

    @Test
    void resetHangAndLatency() throws Exception {
        azure.injectToken(Fault.reset().times(1));
        // A POST: the JDK client does not retry it by itself.
        assertThatThrownBy(() -> raw.send(tokenRequest(TENANT).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);

        azure.injectToken(Fault.hang().times(1));
        // Wait until the endpoint holds the request (a short client timeout could fire before the
        // request even arrived, leaving the hang queued for the next one), then give up on it.
        CompletableFuture<HttpResponse<String>> pending = raw.sendAsync(tokenRequest(TENANT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(azure.loginJournal().take().outcome()).as("the reset").isEqualTo(Outcome.closed());
        RecordedRequest held = azure.loginJournal().take(Duration.ofSeconds(30));
        assertThat(held.outcome()).isEqualTo(Outcome.held());
        assertThat(pending).isNotDone();
        pending.cancel(true);

        azure.injectToken(Fault.latency(Duration.ofMillis(150)).times(1));
        long start = System.nanoTime();
        assertIssued(token(TENANT));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(tokenRequests()).containsExactly("connection closed Fault.reset().times(1)",
                "held unanswered Fault.hang().times(1)", "200 Fault.latency(PT0.15S).times(1)");
    }

    @Test
    void rateLimitOnTheTokenEndpoint() throws Exception {
        azure.injectToken(Fault.rateLimit(1, Duration.ofMinutes(1)));
        assertIssued(token(TENANT));
        HttpResponse<String> throttled = token(OTHER_TENANT);
        assertEntraError(throttled, 429, "temporarily_unavailable", 90055);
        assertThat(Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
    }

    @Test
    void onlyTheTokenEndpointMeetsTokenFaults() throws Exception {
        azure.injectToken(Fault.status(503));
        HttpResponse<String> metadata = raw.send(HttpRequest.newBuilder(URI.create(azure.authorityHost() + "/" + TENANT
                + "/v2.0/.well-known/openid-configuration")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metadata.statusCode()).isEqualTo(200);
        Vault vault = azure.createVault("tokenfaultsonly", TENANT);
        vault.grant(app.principalObjectId(), "get");
        vault.setSecret("s", "v");
        long now = java.time.Instant.now().getEpochSecond();
        HttpResponse<String> secret = raw.send(HttpRequest.newBuilder(URI.create(vault.url()
                + "/secrets/s?api-version=7.6")).header("Authorization", "Bearer "
                + azure.accessTokens().issue(TENANT, app, "https://vault.azure.net", now, now + 60)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(secret.statusCode()).isEqualTo(200);
        assertThat(token(TENANT).statusCode()).isEqualTo(503);
    }

    @Test
    void theCredentialGetsItsTokenAfterA503() throws Exception {
        azure.injectToken(Fault.status(503).times(1));

        AccessToken token = vaultToken(credential(2));

        assertThat(token.getToken()).isNotEmpty();
        // azure-identity retries the 503 by itself (its pipeline, or MSAL's own single retry of a 5xx).
        assertThat(tokenRequests()).containsExactly("503 Fault.status(503).times(1)", "200");
    }

    @Test
    void theCredentialGetsItsTokenAfterAReset() throws Exception {
        azure.injectToken(Fault.reset().times(1));
        assertThat(vaultToken(credential(2)).getToken()).isNotEmpty();
        assertThat(tokenRequests()).containsExactly("connection closed Fault.reset().times(1)", "200");
    }

    @Test
    void theCredentialFailsWhileTheEndpointKeepsThrottling() throws Exception {
        // 429 rather than 5xx, which MSAL would retry once more by itself after a second.
        azure.injectToken(Fault.throttleMillis(Duration.ofMillis(10)));
        // azure-identity's synchronous path reports MSAL's failure wrapped in a RuntimeException.
        assertThatThrownBy(() -> vaultToken(credential(1))).isInstanceOf(RuntimeException.class)
                .hasMessageContaining("AADSTS90055");
        assertThat(tokenRequests()).as("tried, and retried").hasSizeGreaterThanOrEqualTo(2)
                .containsOnly("429 Fault.throttleMillis(PT0.01S)");
        azure.clearFaults();
        assertThat(vaultToken(credential(0)).getToken()).isNotEmpty();
    }

    @Test
    void aSecretClientReadsThroughATokenEndpointThatFailedOnce() throws Exception {
        Vault vault = azure.createVault("aftertokenfault", TENANT);
        vault.grant(app.principalObjectId(), "get");
        vault.setSecret("s", "v");
        azure.injectToken(Fault.status(503).times(1));
        SecretClient client = TestSupport.secretClient(vault, credential(2), http);
        assertThat(client.getSecret("s").getValue()).isEqualTo("v");
        assertThat(tokenRequests()).containsExactly("503 Fault.status(503).times(1)", "200");
        assertThat(vault.journal().requests()).extracting(RecordedRequest::toString).containsExactly(
                "vault aftertokenfault GET /secrets/s/ -> 401", "vault aftertokenfault GET /secrets/s/ -> 200 [token]");
    }
}
