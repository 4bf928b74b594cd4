package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vault faults as the unmodified SecretClient (with its challenge, retries and timeouts) meets them. */
class FaultsThroughClientsTest {
    static final String TENANT = "88888888-9999-aaaa-bbbb-cccccccccccc";
    static final String CLIENT = "01010101-2323-4545-6767-898989898989";

    @TempDir
    static Path dir;
    static AzureEmulator azure;
    static SelfSignedCertificate certificate;
    static Application app;
    static HttpClient http;
    static TokenCredential credential;

    @BeforeAll
    static void start() throws IOException {
        azure = AzureEmulator.start();
        certificate = SelfSignedCertificate.create("CN=pool");
        app = azure.tenant(TENANT).application(CLIENT).registerCertificate(certificate.certificate());
        // A response timeout as a safety net: a request a fault wrongly holds fails instead of hanging the build.
        http = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(azure.sslContext()))
                .responseTimeout(Duration.ofSeconds(30)).build();
        credential = TestSupport.credential(azure, http, dir, TENANT, CLIENT, certificate);
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    static Vault vault(String name) {
        Vault vault = azure.createVault(name, TENANT);
        vault.grant(app.principalObjectId(), "get");
        vault.setSecret("s", "v");
        return vault;
    }

    /** A SecretClient retrying up to {@code retries} times, 10 ms apart unless the answer says otherwise. */
    static SecretClient retrying(Vault vault, int retries, HttpClient with) {
        return new SecretClientBuilder()
                .vaultUrl(vault.url())
                .credential(credential)
                .httpClient(with)
                .retryOptions(new RetryOptions(new FixedDelayOptions(retries, Duration.ofMillis(10))))
                .disableChallengeResourceVerification()
                .buildClient();
    }

    @Test
    void retriesGetPastTwo503sAndTheChallengeIsNotConsumed() {
        Vault vault = vault("retry503");
        vault.inject(Fault.status(503).times(2));

        assertThat(retrying(vault, 3, http).getSecret("s").getValue()).isEqualTo("v");

        // The challenge (no token), two 503s, then the answer.
        assertThat(vault.requests()).isEqualTo(4);
        assertThat(vault.requestsWithToken()).isEqualTo(3);
        assertThat(vault.faultsServed()).isEqualTo(2);
    }

    @Test
    void withoutRetriesTheClientReportsStatusAndErrorCode() {
        Vault vault = vault("noretry");
        vault.inject(Fault.status(500).times(1));
        SecretClient client = TestSupport.secretClient(vault, credential, http);

        assertThatThrownBy(() -> client.getSecret("s")).isInstanceOfSatisfying(HttpResponseException.class, e -> {
            assertThat(e.getResponse().getStatusCode()).isEqualTo(500);
            assertThat(e.getResponse().getHeaders().getValue(HttpHeaderName.fromString("x-ms-error-code"))).isEqualTo("InternalServerError");
            assertThat(e.getMessage()).contains("InternalServerError");
        });
        assertThat(client.getSecret("s").getValue()).isEqualTo("v");
    }

    @Test
    void theClientHonoursRetryAfterMilliseconds() {
        Vault vault = vault("retryms");
        vault.inject(Fault.throttleMillis(Duration.ofMillis(50)).times(1));
        vault.inject(Fault.throttleWithoutRetryAfter().times(1));
        assertThat(retrying(vault, 2, http).getSecret("s").getValue()).isEqualTo("v");
        assertThat(vault.faultsServed()).isEqualTo(2);
    }

    @Test
    void aRateLimitChargesOnlyAuthenticatedRequests() {
        Vault vault = vault("ratelimited");
        vault.inject(Fault.rateLimit(1, Duration.ofMinutes(1)));
        SecretClient client = TestSupport.secretClient(vault, credential, http);

        // The challenge is not charged: the one token goes to the authenticated request.
        assertThat(client.getSecret("s").getValue()).isEqualTo("v");
        assertThatThrownBy(() -> client.getSecret("s")).isInstanceOfSatisfying(HttpResponseException.class, e -> {
            assertThat(e.getResponse().getStatusCode()).isEqualTo(429);
            assertThat(e.getResponse().getHeaders().getValue(HttpHeaderName.fromString("x-ms-error-code"))).isEqualTo("Throttled");
            assertThat(e.getResponse().getHeaders().getValue(HttpHeaderName.RETRY_AFTER)).matches("[1-9][0-9]*");
        });
        assertThat(vault.faultsServed()).isEqualTo(1);
    }

    @Test
    void aResetIsAnIoErrorAtTheClientAndARetryGetsPastIt() {
        Vault vault = vault("reset");
        vault.inject(Fault.reset());
        SecretClient client = TestSupport.secretClient(vault, credential, http);
        assertThatThrownBy(() -> client.getSecret("s")).hasRootCauseInstanceOf(IOException.class);
        assertThat(vault.faultsServed()).isPositive();

        vault.clearFaults();
        vault.inject(Fault.reset().times(1));
        assertThat(retrying(vault, 2, http).getSecret("s").getValue()).isEqualTo("v");
    }

    @Test
    void aHangIsCutByTheClientsResponseTimeoutAndRetried() {
        Vault vault = vault("hang");
        vault.inject(Fault.hang().times(1));
        HttpClient impatient = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                .sslContext(azure.sslContext())).responseTimeout(Duration.ofMillis(300)).build();

        assertThat(retrying(vault, 2, impatient).getSecret("s").getValue()).isEqualTo("v");
        assertThat(vault.faultsServed()).isEqualTo(1);
    }

    @Test
    void latencyDelaysTheClient() {
        Vault vault = vault("latency");
        SecretClient client = TestSupport.secretClient(vault, credential, http);
        client.getSecret("s");
        vault.inject(Fault.latency(Duration.ofMillis(200)).times(1));
        long start = System.nanoTime();
        assertThat(client.getSecret("s").getValue()).isEqualTo("v");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(vault.faultsServed()).isEqualTo(1);
    }
}
