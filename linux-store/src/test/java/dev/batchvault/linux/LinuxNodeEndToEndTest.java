package dev.batchvault.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.batchvault.BatchVault;
import dev.batchvault.CertificateNotFoundException;
import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.emulator.Application;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.emulator.Vault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Only vault, tenant, client id and thumbprint configured: the certificate is found on the "node". */
@EnabledOnOs({OS.LINUX, OS.MAC})
class LinuxNodeEndToEndTest {
    static final String TENANT = UUID.randomUUID().toString();
    static final String CLIENT = UUID.randomUUID().toString();

    static AzureEmulator azure;
    static Vault vault;
    static Application app;
    static SelfSignedCertificate pool;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        pool = SelfSignedCertificate.create("CN=pool");
        app = azure.tenant(TENANT).application(CLIENT).registerCertificate(pool.certificate());
        vault = azure.createVault("nodevault", TENANT);
        vault.grant(app.principalObjectId(), "get");
        vault.setSecret("batchAdminPass", "found-on-the-node");
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @AfterEach
    void clearProperties() {
        System.clearProperty("batchvault.certificate-dirs");
    }

    private static BatchVault.Builder configured(SelfSignedCertificate cert) {
        return BatchVault.builder().vaultUrl(vault.url()).tenantId(TENANT).clientId(CLIENT)
                .authorityHost(azure.authorityHost()).sslContext(azure.sslContext())
                .certificateThumbprint(cert.thumbprint());
    }

    @Test
    void extensionFilesCopiedByAStartTask() throws Exception {
        Layouts.extension(dir.resolve("copied-store"), "nodevault", "poolcert", "3f2a", pool, null);
        System.setProperty("batchvault.certificate-dirs", dir.resolve("copied-store").toString());
        try (BatchVault batchVault = configured(pool).build()) {
            assertThat(batchVault.get("batchAdminPass").value()).isEqualTo("found-on-the-node");
        }
    }

    @Test
    void batchCertificateDirectoryInATaskJvm() throws Exception {
        Path certs = dir.resolve("wd/certs");
        Layouts.batch(certs, pool, "batch-generated");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavax.net.ssl.trustStore=" + azure.trustStore(),
                "-Djavax.net.ssl.trustStorePassword=" + azure.trustStorePassword(),
                "-cp", System.getProperty("java.class.path"), FetchSecret.class.getName(), "batchAdminPass"));
        ProcessBuilder task = new ProcessBuilder(command).redirectErrorStream(false);
        task.environment().keySet().removeIf(k -> k.startsWith("BATCHVAULT_"));
        task.environment().put("AZ_BATCH_CERTIFICATES_DIR", certs.toString());
        task.environment().put("BATCHVAULT_VAULT_URL", vault.url());
        task.environment().put("BATCHVAULT_TENANT_ID", TENANT);
        task.environment().put("BATCHVAULT_CLIENT_ID", CLIENT);
        task.environment().put("BATCHVAULT_AUTHORITY_HOST", azure.authorityHost());
        task.environment().put("BATCHVAULT_CERTIFICATE_THUMBPRINT", pool.thumbprint());
        Process process = task.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(err).isZero();
        assertThat(out.strip().lines().reduce((a, b) -> b)).hasValue("found-on-the-node");
    }

    @Test
    void expiredCertificateNamesItsDatesAndFile() throws Exception {
        Instant now = Instant.now();
        SelfSignedCertificate old = SelfSignedCertificate.create("CN=old", now.minus(400, ChronoUnit.DAYS),
                now.minus(3, ChronoUnit.DAYS));
        Path link = Layouts.extension(dir.resolve("store"), "nodevault", "old", "1", old, null);
        System.setProperty("batchvault.certificate-dirs", dir.resolve("store").toString());
        assertThatThrownBy(() -> configured(old).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("expired on " + old.certificate().getNotAfter().toInstant())
                .hasMessageContaining("valid from " + old.certificate().getNotBefore().toInstant())
                .hasMessageContaining(dir.resolve("store").toString())
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.EXPIRED);
        assertThat(link).exists();
    }

    @Test
    void soonToExpireWarnsOncePerProcess() throws Exception {
        Instant now = Instant.now();
        SelfSignedCertificate soon = SelfSignedCertificate.create("CN=soon", now.minus(300, ChronoUnit.DAYS),
                now.plus(10, ChronoUnit.DAYS));
        azure.tenant(TENANT).application(CLIENT).registerCertificate(soon.certificate());
        Layouts.extension(dir.resolve("store"), "nodevault", "soon", "1", soon, null);
        System.setProperty("batchvault.certificate-dirs", dir.resolve("store").toString());
        Logger logger = (Logger) LoggerFactory.getLogger("dev.batchvault.CertificateLocator");
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            configured(soon).build().close();
            configured(soon).build().close();
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().contains("expires on "
                + soon.certificate().getNotAfter().toInstant())).hasSize(1);
    }

    @Test
    void notFoundListsEveryLocationSearched() {
        SelfSignedCertificate absent = SelfSignedCertificate.create("CN=absent");
        System.setProperty("batchvault.certificate-dirs", dir.resolve("nothing-here").toString());
        assertThatThrownBy(() -> configured(absent).build())
                .isInstanceOf(CertificateNotFoundException.class)
                .hasMessageContaining("No certificate with thumbprint " + absent.thumbprint())
                .hasMessageContaining("Batch certificate directory")
                .hasMessageContaining("Key Vault VM extension store: /var/lib/waagent/Microsoft.Azure.KeyVault.Store")
                .hasMessageContaining("/var/lib/waagent/Microsoft.Azure.KeyVault")
                .hasMessageContaining("configured directories: " + dir.resolve("nothing-here") + ": no such directory");
    }
}
