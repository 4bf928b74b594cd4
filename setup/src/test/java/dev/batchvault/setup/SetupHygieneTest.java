package dev.batchvault.setup;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.OutputStreamAppender;
import dev.batchvault.emulator.Fault;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * With every logger at TRACE, a set-up run (plan, apply, rerun, a failure) never shows the private
 * key, the .pfx password or the vault's secret in a log line, an exception or a toString.
 */
class SetupHygieneTest {
    @TempDir
    Path dir;

    @Test
    void keysAndPasswordsAppearNowhere() throws Exception {
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

        String password = "pfx-canary-" + UUID.randomUUID();
        List<Object> seen = new ArrayList<>();
        GeneratedCertificate certificate;
        try (EmulatedAzure azure = new EmulatedAzure().withAdminRights()) {
            certificate = GeneratedCertificate.create(CertificateSpec.builder().subject("CN=hygiene")
                    .validFor(Duration.ofDays(10)).build());
            seen.add(certificate);
            seen.add(certificate.warnings());
            seen.addAll(certificate.write(dir, "hygiene", password.toCharArray()));
            String account = azure.arm.addBatchAccount(EmulatedAzure.SUBSCRIPTION, "batch-rg", "hygienebatch");
            String pool = azure.arm.addPool(account, "hygienepool");
            BatchVaultSetup setup = azure.setup().application("hygiene", certificate.certificate())
                    .vaultAccess(EmulatedAzure.GROUP, EmulatedAzure.VAULT, PermissionModel.FOLLOW_VAULT)
                    .poolCertificate("batch-rg", "hygienebatch", "hygienepool", certificate, password.toCharArray(),
                            com.azure.resourcemanager.batch.models.CertificateVisibility.TASK)
                    .build();
            seen.add(setup);
            seen.addAll(setup.plan());
            SetupReport report = setup.apply();
            seen.add(report);
            seen.add(report.taskSettings(certificate.thumbprint()));
            seen.add(setup.apply());
            seen.add(azure.arm.layOutNode(pool, dir.resolve("node")));
            azure.arm.inject(Fault.throttleMillis(Duration.ofMillis(1)));
            try {
                setup.apply();
            } catch (SetupException e) {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                seen.add(trace);
            }
        } finally {
            root.setLevel(previous);
            root.detachAppender(appender);
        }
        String everything = logs.toString(StandardCharsets.UTF_8) + seen;
        assertThat(everything).contains(certificate.thumbprint()); // the checks below look at real text
        assertThat(everything).doesNotContain(password)
                .doesNotContain("seed-admin-pass-value")
                .doesNotContain(Base64.getEncoder().encodeToString(certificate.privateKey().getEncoded()).substring(0, 64))
                .doesNotContain("PRIVATE KEY");
    }
}
