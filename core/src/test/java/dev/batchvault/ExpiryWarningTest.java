package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.batchvault.emulator.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The WARN for a certificate close to expiry comes once per process: per {@link ProcessWide}. */
class ExpiryWarningTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(CertificateLocator.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @AfterEach
    void detach() {
        logger.detachAppender(logs);
    }

    @Test
    void oncePerProcessAndCertificate(@TempDir Path dir) throws Exception {
        Instant now = Instant.now();
        SelfSignedCertificate expiring = SelfSignedCertificate.create("CN=expiring", now.minus(Duration.ofDays(300)),
                now.plus(Duration.ofDays(10)));
        Path pem = expiring.writePem(dir.resolve("expiring.pem"));
        Config config = Config.resolve(ConfigTest.settings(Map.of(
                "vault-url", "https://myvault.vault.azure.net",
                "tenant-id", "72f988bf-86f1-41af-91ab-2d7cd011db47",
                "client-id", "0b5c1c8a-4c5a-4b8e-9f57-1b9f5d7d3e21",
                "certificate-path", pem.toString()), new Properties(), Map.of()), null);
        logs.start();
        logger.addAppender(logs);

        ProcessWide process = new ProcessWide();
        CertificateLocator locator = new CertificateLocator(List.of(), Clock.systemUTC(), process);
        locator.locate(config);
        locator.locate(config);
        new CertificateLocator(List.of(), Clock.systemUTC(), process).locate(config);
        assertThat(warnings()).as("one process: one warning").hasSize(1);
        assertThat(warnings().get(0)).contains("The certificate " + expiring.thumbprint()).contains("renew it");

        new CertificateLocator(List.of(), Clock.systemUTC(), new ProcessWide()).locate(config);
        assertThat(warnings()).as("a fresh process warns again").hasSize(2);
    }

    private List<String> warnings() {
        return logs.list.stream().filter(e -> e.getLevel().toString().equals("WARN"))
                .map(ILoggingEvent::getFormattedMessage).collect(java.util.stream.Collectors.toList());
    }
}
