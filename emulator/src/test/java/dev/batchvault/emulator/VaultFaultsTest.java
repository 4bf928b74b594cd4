package dev.batchvault.emulator;

import static dev.batchvault.emulator.TestSupport.assertVaultError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Faults injected into a vault, seen on the wire by hand-made requests with a valid bearer token. */
class VaultFaultsTest {
    static final String TENANT = "55555555-6666-7777-8888-999999999999";
    static final String CLIENT = "eeeeeeee-ffff-0000-1111-222222222222";
    static final String THROTTLED = "Request was not processed because too many requests were received. Reason: ";

    static AzureEmulator azure;
    static Application app;
    static java.net.http.HttpClient raw;

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        app = azure.tenant(TENANT).application(CLIENT);
        raw = TestSupport.raw(azure);
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    /** A vault of its own for each test, holding secret "s" = "v", readable by the application. */
    static Vault vault(String name) {
        Vault vault = azure.createVault(name, TENANT);
        vault.grant(app.principalObjectId(), "get", "set");
        vault.setSecret("s", "v");
        return vault;
    }

    static String token() {
        long now = Instant.now().getEpochSecond();
        return azure.accessTokens().issue(TENANT, app, "https://vault.azure.net", now, now + 3600);
    }

    static HttpRequest.Builder request(Vault vault, String secret, boolean withToken) {
        // A timeout as a safety net: a request a fault wrongly holds fails instead of hanging the build.
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(vault.url() + "/secrets/" + secret
                + "?api-version=7.6")).timeout(Duration.ofSeconds(30));
        if (withToken) {
            request.header("Authorization", "Bearer " + token());
        }
        return request;
    }

    static HttpResponse<String> get(Vault vault) throws Exception {
        return raw.send(request(vault, "s", true).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the vault holds the next {@code n} requests it receives (sent asynchronously). */
    static void awaitHeld(Vault vault, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            // The timeout is a safety net only: the journal wakes the test as each request arrives.
            assertThat(vault.journal().take(Duration.ofSeconds(30)).outcome()).isEqualTo(Outcome.held());
        }
    }

    static void assertServed(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(TestSupport.json(response.body()).path("value").asText()).isEqualTo("v");
    }

    @Test
    void statusAnswersWithKeyVaultsErrorBodyAndCode() throws Exception {
        Vault vault = vault("status");
        vault.inject(Fault.status(500).times(1));
        vault.inject(Fault.status(503).times(1));
        vault.inject(Fault.status(502).times(1));
        vault.inject(Fault.status(401).times(1));

        HttpResponse<String> internal = get(vault);
        JsonNode error = assertVaultError(internal, 500, "InternalServerError", null);
        assertThat(error.path("message").asText()).contains("injected");
        assertThat(internal.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        assertThat(internal.headers().firstValue("x-ms-request-id")).isPresent();
        assertVaultError(get(vault), 503, "ServiceUnavailable", null);
        assertVaultError(get(vault), 502, "BadGateway", null);
        HttpResponse<String> unauthorized = get(vault);
        assertVaultError(unauthorized, 401, "Unauthorized", null);
        assertThat(unauthorized.headers().firstValue("WWW-Authenticate")).hasValue("Bearer authorization="
                + "\"https://login.windows.net/" + TENANT + "\", resource=\"https://vault.azure.net\"");
        assertServed(get(vault));

        assertThat(vault.faultsServed()).isEqualTo(4);
        assertThat(vault.requests()).isEqualTo(5);
        assertThat(vault.requestsWithToken()).isEqualTo(5);
    }

    @Test
    void timesAppliesToTheNextRequestsOnlyAndWithoutItAFaultLastsUntilCleared() throws Exception {
        Vault vault = vault("times");
        vault.inject(Fault.status(503).times(2));
        assertThat(get(vault).statusCode()).isEqualTo(503);
        assertThat(get(vault).statusCode()).isEqualTo(503);
        assertServed(get(vault));
        assertServed(get(vault));
        assertThat(vault.faultsServed()).isEqualTo(2);

        vault.inject(Fault.status(500));
        for (int i = 0; i < 5; i++) {
            assertThat(get(vault).statusCode()).isEqualTo(500);
        }
        vault.clearFaults();
        assertServed(get(vault));
        assertThat(vault.faultsServed()).isEqualTo(7);
        assertThat(vault.requests()).isEqualTo(10);
    }

    @Test
    void theChallengeRequestIsNeverTakenByAFault() throws Exception {
        Vault vault = vault("challenge");
        vault.inject(Fault.status(503).times(1));

        HttpResponse<String> challenge = raw.send(request(vault, "s", false).build(),
                HttpResponse.BodyHandlers.ofString());
        assertVaultError(challenge, 401, "Unauthorized", null);
        assertThat(challenge.body()).contains("AKV10000");
        assertThat(vault.faultsServed()).isZero();

        assertThat(get(vault).statusCode()).isEqualTo(503);
        assertServed(get(vault));
        assertThat(vault.requests()).isEqualTo(3);
        assertThat(vault.requestsWithToken()).isEqualTo(2);
        assertThat(vault.faultsServed()).isEqualTo(1);
    }

    @Test
    void aFaultAnswersBeforeAnyCheck() throws Exception {
        Vault vault = vault("beforechecks");
        vault.inject(Fault.status(503).times(2));
        // A bearer that is no token at all, and a missing secret: the fault answers first.
        HttpResponse<String> garbage = raw.send(request(vault, "s", false).header("Authorization", "Bearer x").build(),
                HttpResponse.BodyHandlers.ofString());
        assertVaultError(garbage, 503, "ServiceUnavailable", null);
        assertVaultError(raw.send(request(vault, "missing", true).build(), HttpResponse.BodyHandlers.ofString()), 503,
                "ServiceUnavailable", null);
        assertVaultError(raw.send(request(vault, "missing", true).build(), HttpResponse.BodyHandlers.ofString()), 404,
                "SecretNotFound", null);
    }

    @Test
    void throttleSendsRetryAfterInWholeSecondsRoundedUp() throws Exception {
        Vault vault = vault("throttle");
        vault.inject(Fault.throttle(Duration.ofMillis(1200)).times(1));
        vault.inject(Fault.throttle(Duration.ofSeconds(3)).times(1));
        vault.inject(Fault.throttle(Duration.ZERO).times(1));

        HttpResponse<String> throttled = get(vault);
        assertVaultError(throttled, 429, "Throttled", null);
        assertThat(throttled.body()).isEqualTo("{\"error\":{\"code\":\"Throttled\",\"message\":\"" + THROTTLED
                + "VaultOperationLimitReached\"}}");
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(throttled.headers().firstValue("retry-after-ms")).isEmpty();
        assertThat(throttled.headers().firstValue("x-ms-retry-after-ms")).isEmpty();
        assertThat(get(vault).headers().firstValue("Retry-After")).hasValue("3");
        assertThat(get(vault).headers().firstValue("Retry-After")).hasValue("0");
        assertServed(get(vault));
        assertThat(vault.faultsServed()).isEqualTo(3);
    }

    @Test
    void throttleMillisSendsTheMillisecondHeadersOnly() throws Exception {
        Vault vault = vault("throttlems");
        vault.inject(Fault.throttleMillis(Duration.ofMillis(500)).times(1));
        vault.inject(Fault.throttleMillis(Duration.ofNanos(1_500_000)).times(1));

        HttpResponse<String> throttled = get(vault);
        JsonNode error = assertVaultError(throttled, 429, "Throttled", null);
        assertThat(error.path("message").asText()).startsWith(THROTTLED);
        assertThat(throttled.headers().firstValue("retry-after-ms")).hasValue("500");
        assertThat(throttled.headers().firstValue("x-ms-retry-after-ms")).hasValue("500");
        assertThat(throttled.headers().firstValue("Retry-After")).isEmpty();
        assertThat(get(vault).headers().firstValue("retry-after-ms")).as("rounded up").hasValue("2");
        assertServed(get(vault));
    }

    @Test
    void throttleWithoutRetryAfterSendsNoRetryHeader() throws Exception {
        Vault vault = vault("throttlenone");
        vault.inject(Fault.throttleWithoutRetryAfter().times(1));
        vault.inject(Fault.status(429).times(1));
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> throttled = get(vault);
            assertVaultError(throttled, 429, "Throttled", null);
            assertThat(throttled.headers().map().keySet()).noneSatisfy(
                    h -> assertThat(h.toLowerCase(java.util.Locale.ROOT)).contains("retry-after"));
        }
        assertServed(get(vault));
    }

    @Test
    void resetClosesTheConnectionWithoutAnAnswer() throws Exception {
        Vault vault = vault("reset");
        vault.inject(Fault.reset().times(1));
        // A PUT: the JDK client retries an idempotent request (GET) once by itself when the connection
        // closes before any answer, which would let the next request's answer hide the reset.
        HttpRequest put = request(vault, "s", true).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"w\"}")).build();
        assertThatThrownBy(() -> raw.send(put, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        assertThat(vault.faultsServed()).isEqualTo(1);
        assertThat(vault.requests()).isEqualTo(1);
        // The dropped request was not carried out: the value is unchanged.
        assertServed(get(vault));
    }

    @Test
    void resetUntilClearedFailsEveryAttempt() throws Exception {
        Vault vault = vault("resetall");
        vault.inject(Fault.reset());
        for (int i = 0; i < 3; i++) {
            // The JDK client's own retry of the GET meets the reset too.
            assertThatThrownBy(() -> get(vault)).isInstanceOf(IOException.class);
        }
        assertThat(vault.faultsServed()).isGreaterThanOrEqualTo(3);
        vault.clearFaults();
        assertServed(get(vault));
    }

    @Test
    void aHeldRequestWaitsUntilTheClientGivesUp() throws Exception {
        Vault vault = vault("hang");
        vault.inject(Fault.hang().times(1));
        // No client timeout racing the connection's set-up: wait until the vault holds the request.
        CompletableFuture<HttpResponse<String>> pending = raw.sendAsync(request(vault, "s", true).build(),
                HttpResponse.BodyHandlers.ofString());
        RecordedRequest held = vault.journal().take(Duration.ofSeconds(30));
        assertThat(held.outcome()).isEqualTo(Outcome.held());
        assertThat(held.fault()).hasValue(Fault.hang().times(1));
        assertThat(pending).isNotDone();
        pending.cancel(true);
        // java.net.http's future may end in its own CancellationException rather than as cancelled: either way it ended.
        assertThat(pending).isCompletedExceptionally();
        assertServed(get(vault));
    }

    @Test
    void hungRequestsTakeNoThread() throws Exception {
        Vault vault = vault("hangmany");
        vault.inject(Fault.hang().times(12));
        // More hung requests than the emulator has threads (8): the vault still answers.
        java.util.List<CompletableFuture<HttpResponse<String>>> hung = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            hung.add(raw.sendAsync(request(vault, "s", true).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        awaitHeld(vault, 12);
        assertServed(get(vault));
        assertThat(hung).noneMatch(CompletableFuture::isDone);
        hung.forEach(f -> f.cancel(true));
    }

    @Test
    @Timeout(30) // a safety net should close() wait for held requests; never reached when it does not
    void hangDoesNotBlockCloseAndCloseReleasesTheClient() throws Exception {
        CompletableFuture<HttpResponse<String>> hung;
        try (AzureEmulator own = AzureEmulator.start()) {
            Application ownApp = own.tenant(TENANT).application(CLIENT);
            Vault vault = own.createVault("hangclose", TENANT);
            vault.grant(ownApp.principalObjectId(), "get");
            vault.inject(Fault.hang());
            long now = Instant.now().getEpochSecond();
            String token = own.accessTokens().issue(TENANT, ownApp, "https://vault.azure.net", now, now + 3600);
            hung = TestSupport.raw(own).sendAsync(HttpRequest.newBuilder(URI.create(vault.url()
                    + "/secrets/s?api-version=7.6")).header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofString());
            awaitHeld(vault, 1);
            assertThat(hung).isNotDone();
        }
        // Closing dropped the connection: the client fails with an I/O error, long before its own timeout.
        assertThatThrownBy(hung::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getCause()).isNotInstanceOf(HttpTimeoutException.class));
    }

    @Test
    void latencyDelaysThenAnswersNormally() throws Exception {
        Vault vault = vault("latency");
        vault.inject(Fault.latency(Duration.ofMillis(200)).times(2));
        long start = System.nanoTime();
        assertServed(get(vault));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        // The request still goes through every check: a missing secret is still 404.
        start = System.nanoTime();
        assertVaultError(raw.send(request(vault, "missing", true).build(), HttpResponse.BodyHandlers.ofString()), 404,
                "SecretNotFound", null);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertServed(get(vault));
        assertThat(vault.faultsServed()).isEqualTo(2);
    }

    @Test
    void rateLimitAnswers429BeyondTheBucketAndRecovers() throws Exception {
        Vault vault = vault("ratelimit");
        // 2 per second: a full bucket of 2, then a token every 500 ms.
        vault.inject(Fault.rateLimit(2, Duration.ofSeconds(1)));
        int admitted = 0;
        HttpResponse<String> response = get(vault);
        while (response.statusCode() == 200 && admitted < 50) {
            admitted++;
            response = get(vault);
        }
        assertThat(admitted).as("the bucket lets at least its size through").isGreaterThanOrEqualTo(2);
        JsonNode error = assertVaultError(response, 429, "Throttled", null);
        assertThat(error.path("message").asText()).isEqualTo(THROTTLED + "VaultRequestTypeLimitReached");
        assertThat(response.headers().firstValue("Retry-After")).as("whole seconds, at least 1").hasValue("1");

        // After a token's time the next request passes.
        Thread.sleep(600);
        assertServed(get(vault));
        // It never expires: a burst meets it again.
        HttpResponse<String> again = get(vault);
        for (int i = 0; i < 50 && again.statusCode() == 200; i++) {
            again = get(vault);
        }
        assertThat(again.statusCode()).isEqualTo(429);
        assertThat(vault.faultsServed()).as("only the 429s are served by the rate limit").isEqualTo(2);
    }

    @Test
    void rateLimitWithTimesFallsAwayAfterAnsweringThatMany() throws Exception {
        Vault vault = vault("ratelimittimes");
        vault.inject(Fault.rateLimit(1, Duration.ofMinutes(10)).times(2));
        assertServed(get(vault));
        HttpResponse<String> throttled = get(vault);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(590L, 600L);
        assertThat(get(vault).statusCode()).isEqualTo(429);
        assertServed(get(vault));
        assertServed(get(vault));
        assertThat(vault.faultsServed()).isEqualTo(2);
    }

    @Test
    void faultsAreSeparatePerVault() throws Exception {
        Vault faulty = vault("faulty");
        Vault healthy = vault("healthy");
        faulty.inject(Fault.status(500));
        assertThat(get(faulty).statusCode()).isEqualTo(500);
        assertServed(get(healthy));
        assertThat(healthy.faultsServed()).isZero();
        azure.clearFaults();
        assertServed(get(faulty));
    }
}
