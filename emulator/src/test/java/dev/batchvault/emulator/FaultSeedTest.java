package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed file's "faults": each kind, in order, on the token endpoint and on a vault; malformed ones refused. */
class FaultSeedTest {
    static final String TENANT = "99999999-aaaa-bbbb-cccc-dddddddddddd";
    static final String CLIENT = "12121212-3434-5656-7878-909090909090";

    @TempDir
    Path dir;

    @Test
    void everyKindFromTheSeedInOrder() throws Exception {
        Path seed = write("{\"tenants\": [{\"id\": \"" + TENANT + "\", \"applications\": [{\"clientId\": \"" + CLIENT
                + "\"}]}],\n"
                + " \"vaults\": [{\"name\": \"seeded\", \"tenant\": \"" + TENANT + "\",\n"
                + "   \"secrets\": [{\"name\": \"s\", \"value\": \"v\"}],\n"
                + "   \"accessPolicies\": [{\"clientId\": \"" + CLIENT + "\", \"secrets\": [\"get\", \"set\"]}]}],\n"
                + " \"faults\": [\n"
                + "   {\"route\": \"token\", \"status\": 503, \"times\": 1},\n"
                + "   {\"route\": \"vault\", \"vault\": \"seeded\", \"throttle\": \"PT2S\", \"times\": 1},\n"
                + "   {\"route\": \"vault\", \"vault\": \"seeded\", \"throttleMillis\": \"PT0.5S\", \"times\": 1},\n"
                + "   {\"route\": \"vault\", \"vault\": \"seeded\", \"throttleWithoutRetryAfter\": true, \"times\": 1},\n"
                + "   {\"route\": \"vault\", \"vault\": \"seeded\", \"status\": 500, \"times\": 1},\n"
                + "   {\"route\": \"vault\", \"vault\": \"seeded\", \"latency\": \"PT0.05S\", \"times\": 1},\n"
                + "   {\"route\": \"vault\", \"vault\": \"seeded\", \"reset\": true, \"times\": 1},\n"
                + "   {\"route\": \"vault\", \"vault\": \"seeded\", \"hang\": true, \"times\": 1},\n"
                + "   {\"route\": \"vault\", \"vault\": \"seeded\", \"rateLimit\": {\"requests\": 4000, \"per\": \"PT10S\"}}\n"
                + " ]}\n");

        try (AzureEmulator azure = AzureEmulator.start(seed)) {
            Vault vault = azure.vault("seeded");
            assertThat(vault.faults()).containsExactly(
                    Fault.throttle(Duration.ofSeconds(2)).times(1),
                    Fault.throttleMillis(Duration.ofMillis(500)).times(1),
                    Fault.throttleWithoutRetryAfter().times(1),
                    Fault.status(500).times(1),
                    Fault.latency(Duration.ofMillis(50)).times(1),
                    Fault.reset().times(1),
                    Fault.hang().times(1),
                    Fault.rateLimit(4000, Duration.ofSeconds(10)));
            assertThat(EmulatorMain.describe(azure, List.of())).contains("Token endpoint injected faults: [Fault.status(503).times(1)]")
                    .contains("injected faults: [Fault.throttle(PT2S).times(1), ");

            java.net.http.HttpClient raw = TestSupport.raw(azure);
            Application app = azure.tenant(TENANT).application(CLIENT);
            long now = Instant.now().getEpochSecond();
            HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(vault.url() + "/secrets/s?api-version=7.6"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer "
                            + azure.accessTokens().issue(TENANT, app, "https://vault.azure.net", now, now + 600));
            HttpResponse.BodyHandler<String> text = HttpResponse.BodyHandlers.ofString();

            assertThat(raw.send(get.build(), text).headers().firstValue("Retry-After")).hasValue("2");
            assertThat(raw.send(get.build(), text).headers().firstValue("retry-after-ms")).hasValue("500");
            HttpResponse<String> none = raw.send(get.build(), text);
            assertThat(none.statusCode()).isEqualTo(429);
            assertThat(none.headers().firstValue("Retry-After")).isEmpty();
            assertThat(raw.send(get.build(), text).statusCode()).isEqualTo(500);
            long start = System.nanoTime();
            assertThat(raw.send(get.build(), text).statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
            // A PUT, which the JDK client does not retry by itself (it would retry a GET into the hang).
            HttpRequest put = get.copy().header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"w\"}")).build();
            assertThatThrownBy(() -> raw.send(put, text)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> raw.send(get.timeout(Duration.ofMillis(300)).build(), text))
                    .isInstanceOf(HttpTimeoutException.class);
            assertThat(raw.send(get.timeout(Duration.ofSeconds(30)).build(), text).statusCode()).isEqualTo(200);
            assertThat(vault.faultsServed()).isEqualTo(7);
            assertThat(vault.faults()).containsExactly(Fault.rateLimit(4000, Duration.ofSeconds(10)));

            HttpResponse<String> token = raw.send(HttpRequest.newBuilder(URI.create(azure.authorityHost() + "/" + TENANT
                    + "/oauth2/v2.0/token")).POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                    .header("Content-Type", "application/x-www-form-urlencoded").build(), text);
            assertThat(token.statusCode()).isEqualTo(503);
            assertThat(azure.tokenFaultsServed()).isEqualTo(1);
        }
    }

    @Test
    void malformedFaultsStopTheStart() throws Exception {
        assertThatThrownBy(() -> AzureEmulator.start(write("{\"faults\": [{\"route\": \"token\", \"statuss\": 503}]}")))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown field 'statuss' in a fault");
        assertThatThrownBy(() -> AzureEmulator.start(write("{\"vaults\": [{\"name\": \"v\", \"tenant\": \"t\"}], "
                + "\"faults\": [{\"route\": \"vault\", \"vault\": \"nowhere\", \"status\": 503}]}")))
                .isInstanceOf(IOException.class).hasMessageContaining("vault nowhere, which the seed does not make");
        assertThatThrownBy(() -> AzureEmulator.start(write("{\"faults\": {\"route\": \"token\"}}")))
                .isInstanceOf(IOException.class).hasMessageContaining("'faults' must be an array");
    }

    @Test
    void malformedFaultsAreRefusedWithTheReason() throws Exception {
        // Parsed without an emulator each: what stops the start (above) is the same check.
        assertRefused("{\"route\": \"token\"}", "exactly one of");
        assertRefused("{\"route\": \"token\", \"status\": 503, \"reset\": true}", "exactly one of");
        assertRefused("{\"status\": 503}", "'route' is required");
        assertRefused("{\"route\": \"login\", \"status\": 503}", "\"token\", \"imds\" or \"vault\"");
        assertRefused("{\"route\": \"vault\", \"status\": 503}", "'vault' is required");
        assertRefused("{\"route\": \"token\", \"vault\": \"v\", \"status\": 503}", "names no vault");
        assertRefused("{\"route\": \"token\", \"status\": 200}", "400 to 599");
        assertRefused("{\"route\": \"token\", \"status\": \"503\"}", "'status' is a number");
        assertRefused("{\"route\": \"token\", \"throttle\": \"2s\"}", "ISO-8601 duration");
        assertRefused("{\"route\": \"token\", \"throttleMillis\": \"-PT1S\"}", "zero or more");
        assertRefused("{\"route\": \"token\", \"latency\": 200}", "ISO-8601 duration");
        assertRefused("{\"route\": \"token\", \"reset\": false}", "'reset' is true");
        assertRefused("{\"route\": \"token\", \"hang\": true, \"times\": 0}", "at least 1");
        assertRefused("{\"route\": \"token\", \"hang\": true, \"times\": \"once\"}", "'times' is a number");
        assertRefused("{\"route\": \"token\", \"rateLimit\": {\"requests\": 10}}", "'per'");
        assertRefused("{\"route\": \"token\", \"rateLimit\": {\"per\": \"PT1S\"}}", "'requests'");
        assertRefused("{\"route\": \"token\", \"rateLimit\": {\"requests\": 10, \"per\": \"PT1S\", \"burst\": 3}}",
                "unknown field 'burst'");
        assertRefused("{\"route\": \"token\", \"rateLimit\": 10}", "must be a JSON object");

        assertThat(Seed.parseFault(Jwt.JSON.readTree("{\"route\": \"token\", \"throttleWithoutRetryAfter\": true, "
                + "\"times\": 3}"))).isEqualTo(Fault.throttleWithoutRetryAfter().times(3));
    }

    private static void assertRefused(String json, String reason) {
        assertThatThrownBy(() -> Seed.parseFault(Jwt.JSON.readTree(json)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(reason);
    }

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve(UUID.randomUUID() + ".json"), json);
    }
}
