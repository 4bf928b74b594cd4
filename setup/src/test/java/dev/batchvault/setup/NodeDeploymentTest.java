package dev.batchvault.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.resourcemanager.batch.models.AutoUserScope;
import com.azure.resourcemanager.batch.models.ElevationLevel;
import com.azure.resourcemanager.batch.models.EnvironmentSetting;
import com.azure.resourcemanager.batch.models.StartTask;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Step 6's second part: the library on the nodes, as the management library's model objects. */
class NodeDeploymentTest {
    private static final String APP = "/subscriptions/s/resourceGroups/batch-rg/providers/Microsoft.Batch/"
            + "batchAccounts/todaybatch/applications/batchvault";
    private static final String IDENTITY = "/subscriptions/s/resourceGroups/batch-rg/providers/"
            + "Microsoft.ManagedIdentity/userAssignedIdentities/pool-identity";

    @Test
    void applicationPackageIsReferencedAndCopiedFromItsVariable() {
        NodeDeployment d = NodeDeployment.applicationPackage(APP, "1.0.0-rc.1");
        assertThat(d.applicationPackages()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(APP);
            assertThat(r.version()).isEqualTo("1.0.0-rc.1");
        });
        assertThat(d.packageVariable()).isEqualTo("AZ_BATCH_APP_PACKAGE_batchvault_1_0_0_rc_1");
        StartTask task = d.startTask(TaskSettings.forManagedIdentity("https://v.vault.azure.net/", "client-1"));
        assertThat(task.commandLine()).startsWith("/bin/sh -c '")
                .contains("cp \"$AZ_BATCH_APP_PACKAGE_batchvault_1_0_0_rc_1\"/*.jar \"$AZ_BATCH_NODE_SHARED_DIR/"
                        + "batchvault/lib/\"");
        assertThat(task.resourceFiles()).isNull();
        assertThat(task.waitForSuccess()).isTrue();
        assertThat(task.userIdentity().autoUser().scope()).isEqualTo(AutoUserScope.POOL);
        assertThat(task.userIdentity().autoUser().elevationLevel()).isEqualTo(ElevationLevel.NON_ADMIN);
        assertThat(task.environmentSettings()).extracting(EnvironmentSetting::name, EnvironmentSetting::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("BATCHVAULT_VAULT_URL", "https://v.vault.azure.net"),
                        org.assertj.core.groups.Tuple.tuple("BATCHVAULT_AUTH_MODE", "managed-identity"),
                        org.assertj.core.groups.Tuple.tuple("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID", "client-1"));
        assertThat(d.summary()).contains("application package batchvault 1.0.0-rc.1 "
                + "(extracted to $AZ_BATCH_APP_PACKAGE_batchvault_1_0_0_rc_1)");
    }

    @Test
    void resourceFilesAreDownloadedWithThePoolIdentity() {
        NodeDeployment d = NodeDeployment.resourceFiles(List.of(
                "https://store.blob.core.windows.net/lib/batchvault-core-0.1.0.jar",
                "https://store.blob.core.windows.net/lib/caffeine-3.1.8.jar"), IDENTITY);
        StartTask task = d.startTask(null);
        assertThat(task.resourceFiles()).extracting(f -> f.filePath())
                .containsExactly("batchvault/batchvault-core-0.1.0.jar", "batchvault/caffeine-3.1.8.jar");
        assertThat(task.resourceFiles()).allSatisfy(f -> assertThat(f.identityReference().resourceId())
                .isEqualTo(IDENTITY));
        assertThat(task.commandLine()).contains("cp \"$AZ_BATCH_TASK_WORKING_DIR/batchvault\"/*.jar");
        assertThat(d.applicationPackages()).isEmpty();
        assertThat(d.summary()).contains("resource file batchvault/caffeine-3.1.8.jar (read with the pool's identity)");
    }

    @Test
    void theExtensionsCertificateIsCopiedByAnElevatedStartTask() {
        NodeDeployment d = NodeDeployment.applicationPackage(APP, "1.0.0").copyExtensionCertificate(
                "/var/lib/waagent/Microsoft.Azure.KeyVault.Store", "seedvault", "batchvault-pool", "batchtask");
        assertThat(d.certificateCopy()).isEqualTo("/opt/batchvault/certs/seedvault.batchvault-pool.pem");
        StartTask task = d.startTask(TaskSettings.forCertificateFile("https://v.vault.azure.net", "t", "c",
                d.certificateCopy()));
        assertThat(task.userIdentity().autoUser().elevationLevel()).isEqualTo(ElevationLevel.ADMIN);
        assertThat(task.commandLine()).contains("install -m 0600 -o batchtask "
                + "'\\''/var/lib/waagent/Microsoft.Azure.KeyVault.Store/seedvault.batchvault-pool'\\'' "
                + "/opt/batchvault/certs/seedvault.batchvault-pool.pem");
        assertThat(task.environmentSettings()).extracting(EnvironmentSetting::name).contains("BATCHVAULT_AUTH_MODE",
                "BATCHVAULT_CERTIFICATE_PATH");
        assertThat(d.summary()).contains("start task (elevated): copies /var/lib/waagent/Microsoft.Azure.KeyVault.Store/"
                + "seedvault.batchvault-pool to /opt/batchvault/certs/seedvault.batchvault-pool.pem for user batchtask");
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> NodeDeployment.applicationPackage("batchvault", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("applicationId 'batchvault'");
        assertThatThrownBy(() -> NodeDeployment.applicationPackage(APP, " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version is empty");
        assertThatThrownBy(() -> NodeDeployment.resourceFiles(List.of("http://x/lib/a.jar"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an HTTPS URL of a .jar");
        assertThatThrownBy(() -> NodeDeployment.resourceFiles(List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jarUrls is empty");
        NodeDeployment d = NodeDeployment.applicationPackage(APP, "1");
        assertThatThrownBy(() -> d.copyExtensionCertificate("/store", "vault", "cert", "Bad User"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("taskUser 'Bad User'");
        assertThatThrownBy(() -> d.copyExtensionCertificate("store", "vault", "cert", "u"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an absolute path");
        assertThatThrownBy(() -> d.copyExtensionCertificate("/store", "va;ult", "cert", "u"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a vault or certificate name");
        assertThatThrownBy(() -> PoolSpec.windows("w", "s", "p", "o", "k", "n").deployment(d, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Linux pools");
    }
}
