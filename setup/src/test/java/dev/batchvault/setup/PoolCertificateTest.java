package dev.batchvault.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.azure.resourcemanager.batch.models.CertificateVisibility;
import dev.batchvault.emulator.ResourceManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Step 4, the seed's way: account certificate and pool reference through the Batch management library. */
class PoolCertificateTest {
    private final EmulatedAzure azure = new EmulatedAzure();
    private final String accountId = azure.arm.addBatchAccount(EmulatedAzure.SUBSCRIPTION, "batch-rg", "seedbatch");
    private final String poolId = azure.arm.addPool(accountId, "seedpool");
    private final GeneratedCertificate certificate = GeneratedCertificate.create(
            CertificateSpec.builder().subject("CN=batchvault-pool").build());
    private final char[] password = "pool-pfx-password".toCharArray();

    @TempDir
    Path node;

    @AfterEach
    void close() {
        azure.close();
    }

    private BatchVaultSetup setup(CertificateVisibility... visibility) {
        return azure.setup().poolCertificate("batch-rg", "seedbatch", "seedpool", certificate, password, visibility)
                .build();
    }

    @Test
    void uploadsReferencesLaysOutTheNodeAndRerunsUnchanged() throws Exception {
        azure.withAdminRights();
        Logger logger = (Logger) LoggerFactory.getLogger(PoolCertificateStep.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        PoolCertificateStep.forgetRetirementNotice();
        try {
            BatchVaultSetup setup = setup(CertificateVisibility.START_TASK, CertificateVisibility.TASK);
            assertThat(setup.plan()).extracting(StepResult::step, StepResult::outcome).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(Step.ACCOUNT_CERTIFICATE, Outcome.CREATED),
                    org.assertj.core.groups.Tuple.tuple(Step.POOL_CERTIFICATE, Outcome.CREATED));
            assertThat(azure.arm.writes()).isZero();

            SetupReport first = setup.apply();
            assertThat(first.steps()).extracting(StepResult::outcome).containsExactly(Outcome.CREATED, Outcome.CREATED);
            assertThat(first.steps().get(0).resource())
                    .isEqualTo("certificate 'sha1-" + certificate.thumbprint().toLowerCase(Locale.ROOT)
                            + "' of Batch account 'seedbatch'");
            assertThat(first.steps().get(0).detail()).contains("retired 2024-02-29");

            long writes = azure.arm.writes();
            assertThat(setup.apply().steps()).extracting(StepResult::outcome)
                    .containsExactly(Outcome.UNCHANGED, Outcome.UNCHANGED);
            assertThat(azure.arm.writes()).isEqualTo(writes);
            assertThat(events.list).filteredOn(e -> e.getFormattedMessage().contains("retired on 2024-02-29"))
                    .hasSize(1);
        } finally {
            logger.detachAppender(events);
        }

        // The node as Batch lays it out on Linux: the .pfx and its password beside it.
        Path certs = azure.arm.layOutNode(poolId, node);
        String base = "sha1-" + certificate.thumbprint().toLowerCase(Locale.ROOT);
        String pw = Files.readString(certs.resolve(base + ".pfx.pw"), StandardCharsets.UTF_8);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(Files.newInputStream(certs.resolve(base + ".pfx")), pw.toCharArray());
        assertThat(store.getCertificate(store.aliases().nextElement())).isEqualTo(certificate.certificate());

        assertThat(azure.arm.summary()).contains("pool " + poolId + " certificates [" + base + " LocalMachine/My]");

        // Another visibility updates the reference in place.
        assertThat(setup(CertificateVisibility.TASK).apply().steps()).extracting(StepResult::outcome)
                .containsExactly(Outcome.UNCHANGED, Outcome.UPDATED);
    }

    @Test
    void aReaderIsToldTheRoleStep4Needs() {
        azure.arm.assignRole(azure.admin.principalObjectId(), ResourceManager.READER,
                "/subscriptions/" + EmulatedAzure.SUBSCRIPTION);
        assertThatThrownBy(() -> setup(CertificateVisibility.TASK).apply())
                .isInstanceOfSatisfying(SetupException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.ACCOUNT_CERTIFICATE);
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("it needs Contributor on the Batch account");
                });
    }

    @Test
    void aMissingPoolNamesTheStep() {
        azure.withAdminRights();
        assertThatThrownBy(() -> azure.setup().poolCertificate("batch-rg", "seedbatch", "nopool", certificate,
                password, CertificateVisibility.TASK).build().apply())
                .isInstanceOfSatisfying(SetupException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.POOL_CERTIFICATE);
                    assertThat(e.status()).isEqualTo(404);
                });
    }
}
