package dev.batchvault.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.management.Region;
import com.azure.core.util.Context;
import com.azure.resourcemanager.batch.models.ElevationLevel;
import com.azure.resourcemanager.batch.models.Pool;
import com.microsoft.aad.msal4j.ImdsEndpointOverride;
import dev.batchvault.AuthMode;
import dev.batchvault.BatchVault;
import dev.batchvault.emulator.ManagedIdentity;
import dev.batchvault.emulator.SimulatedNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Today's pools end to end: step 5 through the management libraries, then a simulated node of the
 * pool (its identity at IMDS; with the Key Vault VM extension, the certificate in the extension's
 * store), then BatchVault on that node reading {@code batchAdminPass} by managed identity and by the
 * extension's certificate.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class TodaysPoolNodeTest {
    private final EmulatedAzure azure = new EmulatedAzure().withAdminRights();
    private final String accountId = azure.arm.addBatchAccount(EmulatedAzure.SUBSCRIPTION, "batch-rg", "todaybatch");
    private final GeneratedCertificate certificate = GeneratedCertificate.create(CertificateSpec.builder()
            .subject("CN=batchvault-pool").build());
    private final String certificateUrl = azure.vault.url() + "/certificates/batchvault-pool";
    /** MSAL4J's IMDS endpoint moved to the emulator's, as the node's environment would move it. */
    private final ImdsEndpointOverride imdsEndpoint = ImdsEndpointOverride.set(azure.azure.imds().endpoint());

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        imdsEndpoint.close();
        azure.azure.imds().assigned().forEach(azure.azure.imds()::unassign);
        azure.close();
    }

    private static PoolSpec linux(String name) {
        return PoolSpec.linux(name, "STANDARD_D2S_V3", "canonical", "0001-com-ubuntu-server-jammy", "22_04-lts",
                "batch.node.ubuntu 22.04");
    }

    /** The certificate imported into the vault (Key Vault keeps it as a secret, PKCS#12 without password). */
    private void certificateInTheVault() {
        azure.vault.certificates().importCertificate("batchvault-pool", certificate.certificate(),
                certificate.privateKey(), "application/x-pkcs12");
    }

    private BatchVault.Builder task() {
        return BatchVault.builder().vaultUrl(azure.vault.url()).sslContext(azure.azure.sslContext());
    }

    @Test
    void extensionPoolNodeRunsTheTaskByIdentityAndByTheExtensionsCertificate() throws Exception {
        azure.vault.certificates().grant(azure.admin.principalObjectId(), "get", "import");
        NodeDeployment deployment = NodeDeployment.applicationPackage(accountId + "/applications/batchvault", "1.0.0")
                .copyExtensionCertificate(SimulatedNode.LINUX_STORE, EmulatedAzure.VAULT, "batchvault-pool", "batchtask");
        BatchVaultSetup setup = azure.setup().disableChallengeResourceVerification()
                .vaultCertificate(azure.vault.url(), "batchvault-pool", certificate, EmulatedAzure.PASSWORD)
                .application("batchvault-pool", certificate.certificate())
                .userAssignedIdentity(EmulatedAzure.GROUP, "pool-identity", Region.EUROPE_WEST)
                .vaultAccess(EmulatedAzure.GROUP, EmulatedAzure.VAULT, PermissionModel.FOLLOW_VAULT)
                .pool("batch-rg", "todaybatch", linux("todaypool").observedCertificate(certificateUrl)
                        .deployment(deployment, null))
                .build();
        SetupReport report = setup.apply();
        assertThat(setup.apply().changed()).isFalse();

        // Step 6 on the pool: the application package and the elevated start task, as Batch keeps them.
        Pool pool = setup.batchManager().pools().getWithResponse("batch-rg", "todaybatch", "todaypool",
                Context.NONE).getValue();
        assertThat(pool.applicationPackages()).singleElement()
                .satisfies(r -> assertThat(r.id()).isEqualTo(accountId + "/applications/batchvault"));
        assertThat(pool.startTask().userIdentity().autoUser().elevationLevel()).isEqualTo(ElevationLevel.ADMIN);
        assertThat(pool.startTask().commandLine()).contains(deployment.certificateCopy());
        TaskSettings identitySettings = report.identityTaskSettings();
        assertThat(identitySettings.environment()).containsEntry("BATCHVAULT_AUTH_MODE", "managed-identity")
                .containsEntry("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID", report.identityClientId());

        SimulatedNode node = SimulatedNode.start(azure.azure, accountId + "/pools/todaypool", dir.resolve("node"));

        assertThat(node.identities()).extracting(ManagedIdentity::clientId).containsExactly(report.identityClientId());
        assertThat(azure.azure.imds().assigned()).extracting(ManagedIdentity::principalId)
                .containsExactly(report.identityPrincipalId());
        Path store = dir.resolve("node/var/lib/waagent/Microsoft.Azure.KeyVault.Store");
        assertThat(node.extensionStore()).isEqualTo(store);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store))).isEqualTo("rwx------");
        Path link = store.resolve("seedvault.batchvault-pool");
        assertThat(node.extensionCertificates()).containsExactly(link);
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readSymbolicLink(link).toString()).matches("seedvault\\.batchvault-pool\\.[0-9a-f]{32}");
        String pem = Files.readString(link, StandardCharsets.US_ASCII);
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----").contains(certificate.certificatePem().trim());

        // The task, by the pool's managed identity (its client id from step 6's settings).
        try (BatchVault vault = task().authMode(AuthMode.MANAGED_IDENTITY)
                .managedIdentityClientId(identitySettings.environment().get("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID"))
                .build()) {
            assertThat(vault.get("batchAdminPass").value()).isEqualTo("seed-admin-pass-value");
        }
        // The task, by the certificate the extension installed (the application of step 2 holds it).
        try (BatchVault vault = task().authMode(AuthMode.CERTIFICATE).tenantId(EmulatedAzure.TENANT)
                .clientId(report.clientId()).certificatePath(link).authorityHost(azure.azure.authorityHost())
                .build()) {
            assertThat(vault.get("batchAdminPass").value()).isEqualTo("seed-admin-pass-value");
        }
    }

    @Test
    void rotationReachesTheNodeAtTheExtensionsNextPoll() throws Exception {
        azure.vault.certificates().grant(azure.admin.principalObjectId(), "get", "import");
        BatchVaultSetup.Builder first = azure.setup().disableChallengeResourceVerification()
                .vaultCertificate(azure.vault.url(), "batchvault-pool", certificate, EmulatedAzure.PASSWORD)
                .application("batchvault-pool", certificate.certificate())
                .userAssignedIdentity(EmulatedAzure.GROUP, "pool-identity", Region.EUROPE_WEST)
                .vaultAccess(EmulatedAzure.GROUP, EmulatedAzure.VAULT, PermissionModel.FOLLOW_VAULT)
                .pool("batch-rg", "todaybatch", linux("todaypool").observedCertificate(certificateUrl));
        SetupReport report = first.build().apply();
        SimulatedNode node = SimulatedNode.start(azure.azure, accountId + "/pools/todaypool", dir.resolve("node"));
        Path link = node.extensionCertificates().get(0);
        Path before = Files.readSymbolicLink(link);

        // Step 7: the next certificate on the application (the current one kept) and in the vault.
        GeneratedCertificate next = GeneratedCertificate.create(CertificateSpec.builder()
                .subject("CN=batchvault-pool").build());
        SetupReport rotated = azure.setup().disableChallengeResourceVerification()
                .vaultCertificate(azure.vault.url(), "batchvault-pool", next, EmulatedAzure.PASSWORD)
                .application("batchvault-pool", next.certificate()).alsoCertificate(certificate.certificate())
                .build().apply();
        assertThat(rotated.steps()).extracting(StepResult::step, StepResult::outcome).contains(
                org.assertj.core.groups.Tuple.tuple(Step.VAULT_CERTIFICATE, Outcome.UPDATED),
                org.assertj.core.groups.Tuple.tuple(Step.APPLICATION, Outcome.UPDATED));
        assertThat(Files.readString(link, StandardCharsets.US_ASCII)).contains(certificate.certificatePem().trim());

        assertThat(node.poll()).containsExactly(link);
        assertThat(Files.readSymbolicLink(link)).isNotEqualTo(before);
        assertThat(Files.exists(link.resolveSibling(before))).isTrue(); // the old version stays beside it
        assertThat(Files.readString(link, StandardCharsets.US_ASCII)).contains(next.certificatePem().trim());
        try (BatchVault vault = task().authMode(AuthMode.CERTIFICATE).tenantId(EmulatedAzure.TENANT)
                .clientId(report.clientId()).certificatePath(link).authorityHost(azure.azure.authorityHost())
                .build()) {
            assertThat(vault.get("batchAdminPass").value()).isEqualTo("seed-admin-pass-value");
        }
    }

    @Test
    void identityAlonePoolNodeHasTheIdentityAndNoExtensionStore() throws Exception {
        SetupReport report = azure.setup()
                .userAssignedIdentity(EmulatedAzure.GROUP, "pool-identity", Region.EUROPE_WEST)
                .vaultAccess(EmulatedAzure.GROUP, EmulatedAzure.VAULT, PermissionModel.FOLLOW_VAULT)
                .pool("batch-rg", "todaybatch", linux("plainpool")).build().apply();

        SimulatedNode node = SimulatedNode.start(azure.azure, accountId + "/pools/plainpool", dir.resolve("node"));

        assertThat(node.extensionStore()).isNull();
        assertThat(node.extensionCertificates()).isEmpty();
        assertThat(node.environment()).containsEntry("AZURE_POD_IDENTITY_AUTHORITY_HOST",
                azure.azure.imds().endpoint());
        try (BatchVault vault = task().managedIdentityClientId(report.identityClientId()).build()) {
            assertThat(vault.get("batchAdminPass").value()).isEqualTo("seed-admin-pass-value");
        }
    }

    @Test
    void theExtensionFailsTheNodeWhenTheIdentityMayNotReadTheCertificate() throws Exception {
        certificateInTheVault();
        // No vault access step: the identity has no secrets get.
        azure.setup().userAssignedIdentity(EmulatedAzure.GROUP, "pool-identity", Region.EUROPE_WEST)
                .pool("batch-rg", "todaybatch", linux("todaypool").observedCertificate(certificateUrl))
                .build().apply();

        assertThatThrownBy(() -> SimulatedNode.start(azure.azure, accountId + "/pools/todaypool", dir.resolve("n")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("could not fetch " + certificateUrl)
                .hasMessageContaining("403");
    }
}
