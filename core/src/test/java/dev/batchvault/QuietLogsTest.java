package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.batchvault.emulator.SelfSignedCertificate;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;

/**
 * What a host whose logging is at INFO sees: nothing from the Azure SDK on a successful read, and one
 * line from BatchVault for a failed one. The emulator's own lines (the test's stand-in for Azure) are
 * left out.
 */
@Isolated
class QuietLogsTest extends WithFixture {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private Level before;

    @BeforeAll
    static void storeTheSecret() {
        fixture.vault.setSecret("batchAdminPass", "s3cr3t-value");
    }

    @BeforeEach
    void captureAtInfo() {
        before = root.getLevel();
        root.setLevel(Level.INFO);
        captured.start();
        root.addAppender(captured);
    }

    @AfterEach
    void restore() {
        root.detachAppender(captured);
        captured.stop();
        root.setLevel(before);
    }

    /**
     * Each line logged at INFO and above as "LEVEL logger: message", except by the emulator, and except azure-core's JDK transport,
     * which logs an ERROR itself for each request that fails with an I/O error (a refused connection, a
     * pooled connection the server closed) before BatchVault sees it (core/README, "Logging").
     */
    private List<String> lines() {
        return captured.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .filter(e -> !e.getLoggerName().startsWith("dev.batchvault.emulator"))
                .filter(e -> !e.getLoggerName().equals("com.azure.core.http.jdk.httpclient.JdkHttpClient"))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage())
                .collect(Collectors.toList());
    }

    @Test
    void aSuccessfulReadLogsNothing() {
        try (BatchVault vault = fixture.builder().build()) {
            assertThat(vault.get("batchAdminPass").value()).isEqualTo("s3cr3t-value");
            assertThat(vault.refresh("batchAdminPass").value()).isEqualTo("s3cr3t-value");
        }
        assertThat(lines()).isEmpty();
    }

    @Test
    void aRefusedAuthenticationLogsOneLineFromBatchVault() throws Exception {
        SelfSignedCertificate other = SelfSignedCertificate.create("CN=not-registered");
        Path pfx = other.writePfx(dir.resolve("quiet-other.pfx"), new char[0]);
        try (BatchVault vault = fixture.builder().certificatePath(pfx).certificatePasswordFile(
                Files.writeString(dir.resolve("quiet-other.pfx.pw"), "")).build()) {
            assertThatThrownBy(() -> vault.get("batchAdminPass")).isInstanceOf(AuthenticationRefusedException.class);
        }
        // BatchVault asks the token endpoint itself for a certificate's token: no MSAL4J or azure-identity
        // line; the vault client's token cache and retry policy add none.
        assertThat(lines()).hasSize(1);
        assertThat(lines().get(0)).isEqualTo("WARN dev.batchvault.SecretCache: Reading secret batchAdminPass failed: "
                + "Entra ID refused to issue a token for application " + Fixture.CLIENT + " in tenant "
                + Fixture.TENANT + " at " + fixture.emulator.authorityHost() + " (AADSTS700027). The certificate is "
                + "not registered on the application, or its signature was refused. Register it: az ad app "
                + "credential reset --id " + Fixture.CLIENT + " --cert @pool-cert.pem --append");
    }

    @Test
    void anUnreachableVaultLogsOneLineFromBatchVault() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (BatchVault vault = fixture.builder().vaultUrl("https://localhost:" + closedPort)
                .callDeadline(Duration.ofSeconds(2)).build()) {
            assertThatThrownBy(() -> vault.get("batchAdminPass")).isInstanceOf(VaultUnavailableException.class);
        }
        assertThat(lines()).hasSize(1).allSatisfy(line -> assertThat(line)
                .startsWith("WARN dev.batchvault.SecretCache: Reading secret batchAdminPass failed: Cannot reach the "
                        + "vault https://localhost:" + closedPort));
    }
}
