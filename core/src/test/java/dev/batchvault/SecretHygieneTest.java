package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.OutputStreamAppender;
import com.microsoft.aad.msal4j.ImdsEndpointOverride;
import dev.batchvault.emulator.Fault;
import dev.batchvault.emulator.ManagedIdentity;
import dev.batchvault.emulator.SecretAttributes;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.spi.PoolCertificate;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A canary value in the vault, every path run with all loggers (ours, azure-core, azure-identity,
 * MSAL) at TRACE: the canary must appear in no log line, no exception text and no toString.
 */
class SecretHygieneTest {
    private static final String CANARY = "canary-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @Test
    void theCanaryAppearsNowhere() throws Exception {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level previous = root.getLevel();
        OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new OutputStreamAppender<>();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %logger %msg %mdc %ex%n");
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(logs);
        appender.start();
        root.addAppender(appender);
        root.setLevel(Level.TRACE);

        List<Object> seen = new ArrayList<>();
        try (Fixture fixture = new Fixture(dir)) {
            fixture.vault.setSecret("batchAdminPass", CANARY, SecretAttributes.defaults().contentType("text/plain"));
            String pinned = fixture.vault.setSecret("pinned", CANARY);
            fixture.vault.setSecret("disabled", CANARY, SecretAttributes.defaults().enabled(false));

            try (BatchVault vault = fixture.builder().build()) {
                Secret secret = vault.get("batchAdminPass");
                assertThat(secret.value()).isEqualTo(CANARY);
                seen.add(secret);
                seen.add(vault.get("batchAdminPass"));
                seen.add(vault.get("pinned", pinned));
                seen.add(vault);
                seen.add(attempt(() -> vault.get("disabled")));
                seen.add(attempt(() -> vault.get("missing")));
                seen.add(attempt(() -> vault.get("bad_name")));
            }
            // The resilience paths: retries, a throttled call, a stale serve, its recovery.
            FakeTime time = new FakeTime();
            try (BatchVault resilient = fixture.builder().timeSource(time).callDeadline(java.time.Duration.ofSeconds(2))
                    .build()) {
                seen.add(resilient.get("batchAdminPass"));
                fixture.vault.inject(Fault.throttleMillis(java.time.Duration.ofMillis(100)).times(1));
                seen.add(resilient.refresh("batchAdminPass"));
                fixture.vault.inject(Fault.status(503));
                time.advance(java.time.Duration.ofMinutes(11));
                seen.add(resilient.get("batchAdminPass"));
                seen.add(resilient.cacheStats());
                fixture.emulator.clearFaults();
                time.advance(java.time.Duration.ofMinutes(1));
                seen.add(resilient.get("batchAdminPass"));
            }
            // The signer path: a key that signs where it lives, the client assertion built by core.
            PoolCertificate inStore = PoolCertificate.signing(List.of(fixture.certificate.certificate()),
                    PoolCertificate.exportable(List.of(fixture.certificate.certificate()), fixture.certificate.privateKey(),
                            "memory").signer(), "test store");
            Config signing = Config.resolve(ConfigTest.settings(java.util.Map.of("vault-url", fixture.vault.url(),
                    "tenant-id", Fixture.TENANT, "client-id", Fixture.CLIENT,
                    "authority-host", fixture.emulator.authorityHost(),
                    "certificate-thumbprint", fixture.certificate.thumbprint()), new java.util.Properties(),
                    java.util.Map.of()), fixture.emulator.sslContext());
            seen.add(new VaultAccess(signing, inStore, new ProcessWide()).fetch("batchAdminPass", null));
            seen.add(inStore);
                        String stranger = UUID.randomUUID().toString();
            fixture.emulator.tenant(Fixture.TENANT).application(stranger)
                    .registerCertificate(fixture.certificate.certificate());
            try (BatchVault denied = fixture.builder().clientId(stranger).build()) {
                seen.add(attempt(() -> denied.get("batchAdminPass")));
            }
            Path other = SelfSignedCertificate.create("CN=other").writePem(dir.resolve("other.pem"));
            try (BatchVault refused = fixture.builder().certificatePath(other).build()) {
                seen.add(attempt(() -> refused.get("batchAdminPass")));
            }
            // BatchVault's own token request answered 503 once, then retried.
            fixture.emulator.injectToken(Fault.status(503).times(1));
            try (BatchVault retried = fixture.builder().build()) {
                seen.add(retried.get("batchAdminPass"));
            }
            try (BatchVault impostor = fixture.builder().vaultUrl("https://127.0.0.2:" + fixture.vault.port()).build()) {
                seen.add(attempt(() -> impostor.get("batchAdminPass")));
            }
            // The hardening paths: a redirect, an untrusted TLS certificate, a pinned version revalidated.
            try (BatchVault vault = fixture.builder().build()) {
                fixture.vault.inject(Fault.redirect(302, "https://elsewhere.example/").times(1));
                seen.add(attempt(() -> vault.get("batchAdminPass")));
            }
            try (BatchVault untrusted = fixture.builder().vaultUrl("https://127.0.0.3:" + fixture.vault.port()).build()) {
                seen.add(attempt(() -> untrusted.get("batchAdminPass")));
            }
            FakeTime later = new FakeTime();
            try (BatchVault vault = fixture.builder().timeSource(later).build()) {
                seen.add(vault.get("pinned", pinned));
                later.advance(java.time.Duration.ofMinutes(11));
                seen.add(vault.get("pinned", pinned));
            }
            // The managed-identity path: IMDS's token, a retried IMDS failure, its refusals.
            ManagedIdentity identity = fixture.emulator.tenant(Fixture.TENANT).userAssignedIdentity("id-" + UUID.randomUUID());
            ManagedIdentity unassigned = fixture.emulator.tenant(Fixture.TENANT).userAssignedIdentity("id-" + UUID.randomUUID());
            ManagedIdentity ungranted = fixture.emulator.tenant(Fixture.TENANT).userAssignedIdentity("id-" + UUID.randomUUID());
            fixture.emulator.imds().assign(identity).assign(ungranted);
            fixture.vault.grant(identity.principalId(), "get");
            fixture.vault.grant(unassigned.principalId(), "get");
            fixture.emulator.imds().inject(Fault.status(503).times(1));
            BatchVault.Builder byIdentity = BatchVault.builder().vaultUrl(fixture.vault.url())
                    .sslContext(fixture.emulator.sslContext());
            ImdsEndpointOverride imds = ImdsEndpointOverride.set(fixture.emulator.imds().endpoint());
            try {
                try (BatchVault vault = byIdentity.managedIdentityClientId(identity.clientId()).build()) {
                    Secret secret = vault.get("batchAdminPass");
                    assertThat(secret.value()).isEqualTo(CANARY);
                    seen.add(secret);
                    seen.add(vault);
                    seen.add(attempt(() -> vault.get("disabled")));
                }
                try (BatchVault vault = byIdentity.managedIdentityClientId(unassigned.clientId()).build()) {
                    seen.add(attempt(() -> vault.get("batchAdminPass")));
                }
                try (BatchVault vault = byIdentity.managedIdentityClientId(ungranted.clientId()).build()) {
                    seen.add(attempt(() -> vault.get("batchAdminPass")));
                }
            } finally {
                imds.close();
            }
        } finally {
            root.detachAppender(appender);
            root.setLevel(previous);
            appender.stop();
        }

        String logText = logs.toString(StandardCharsets.UTF_8);
        assertThat(logText).as("TRACE logging ran").isNotEmpty();
        assertThat(logText).doesNotContain(CANARY);
        assertThat(seen).hasSize(27);
        for (Object o : seen) {
            assertThat(String.valueOf(o)).doesNotContain(CANARY);
            if (o instanceof Throwable) {
                assertThat(o).isInstanceOf(BatchVaultException.class);
                StringWriter trace = new StringWriter();
                ((Throwable) o).printStackTrace(new PrintWriter(trace));
                assertThat(trace.toString()).doesNotContain(CANARY);
            }
        }
    }

    private static Throwable attempt(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }
}
