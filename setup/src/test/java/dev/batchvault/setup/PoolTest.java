package dev.batchvault.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.management.Region;
import com.azure.core.util.Context;
import com.azure.resourcemanager.batch.models.Pool;
import com.azure.resourcemanager.batch.models.VMExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Step 5 in full: identity, its vault access, and the pool with the identity and the Key Vault VM extension. */
class PoolTest {
    private final EmulatedAzure azure = new EmulatedAzure().withAdminRights();
    private final String accountId = azure.arm.addBatchAccount(EmulatedAzure.SUBSCRIPTION, "batch-rg", "todaybatch");
    private final String certificateUrl = azure.vault.url() + "/certificates/batchvault-pool";

    @AfterEach
    void close() {
        azure.close();
    }

    private BatchVaultSetup setup(PoolSpec spec) {
        return azure.setup().userAssignedIdentity(EmulatedAzure.GROUP, "pool-identity", Region.EUROPE_WEST)
                .vaultAccess(EmulatedAzure.GROUP, EmulatedAzure.VAULT, PermissionModel.FOLLOW_VAULT)
                .pool("batch-rg", "todaybatch", spec).build();
    }

    private static PoolSpec linux(String name) {
        return PoolSpec.linux(name, "STANDARD_D2S_V3", "canonical", "0001-com-ubuntu-server-jammy", "22_04-lts",
                "batch.node.ubuntu 22.04");
    }

    @Test
    @SuppressWarnings("unchecked")
    void linuxPoolWithTheIdentityAndTheExtensionThenUnchanged() {
        BatchVaultSetup setup = setup(linux("todaypool").observedCertificate(certificateUrl)
                .pollingInterval(Duration.ofMinutes(30)));
        assertThat(setup.plan()).extracting(StepResult::step, StepResult::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Step.IDENTITY, Outcome.CREATED),
                org.assertj.core.groups.Tuple.tuple(Step.VAULT_ACCESS, Outcome.CREATED),
                org.assertj.core.groups.Tuple.tuple(Step.POOL, Outcome.CREATED));

        SetupReport report = setup.apply();
        assertThat(report.steps()).extracting(StepResult::outcome)
                .containsExactly(Outcome.CREATED, Outcome.CREATED, Outcome.CREATED);

        Pool pool = setup.batchManager().pools().getWithResponse("batch-rg", "todaybatch", "todaypool", Context.NONE)
                .getValue();
        assertThat(pool.identity().userAssignedIdentities()).containsOnlyKeys(report.identityResourceId());
        assertThat(pool.identity().userAssignedIdentities().get(report.identityResourceId()).clientId())
                .isEqualTo(report.identityClientId());
        VMExtension kv = pool.deploymentConfiguration().virtualMachineConfiguration().extensions().get(0);
        assertThat(kv.publisher()).isEqualTo("Microsoft.Azure.KeyVault");
        assertThat(kv.type()).isEqualTo("KeyVaultForLinux");
        assertThat(kv.typeHandlerVersion()).isEqualTo("2.0");
        Map<String, Object> settings = (Map<String, Object>) kv.settings();
        Map<String, Object> secrets = (Map<String, Object>) settings.get("secretsManagementSettings");
        assertThat(secrets).containsEntry("pollingIntervalInS", "1800")
                .containsEntry("certificateStoreLocation", "/var/lib/waagent/Microsoft.Azure.KeyVault.Store")
                .containsEntry("observedCertificates", List.of(certificateUrl));
        assertThat((Map<String, Object>) settings.get("authenticationSettings"))
                .containsEntry("msiClientId", report.identityClientId());

        assertThat(setup.apply().steps()).extracting(StepResult::outcome)
                .containsExactly(Outcome.UNCHANGED, Outcome.UNCHANGED, Outcome.UNCHANGED);
    }

    @Test
    @SuppressWarnings("unchecked")
    void windowsExtensionGrantsTheAccountsReadOnTheKey() {
        PoolSpec windows = PoolSpec.windows("winpool", "STANDARD_D2S_V3", "MicrosoftWindowsServer", "WindowsServer",
                "2022-datacenter-smalldisk", "batch.node.windows amd64").observedCertificate(certificateUrl)
                .accounts("Network Service", "batchtaskuser");
        BatchVaultSetup setup = setup(windows);
        setup.apply();
        VMExtension kv = setup.batchManager().pools().getWithResponse("batch-rg", "todaybatch", "winpool",
                Context.NONE).getValue().deploymentConfiguration().virtualMachineConfiguration().extensions().get(0);
        assertThat(kv.type()).isEqualTo("KeyVaultForWindows");
        Map<String, Object> secrets = (Map<String, Object>) ((Map<String, Object>) kv.settings())
                .get("secretsManagementSettings");
        Map<String, Object> observed = ((List<Map<String, Object>>) secrets.get("observedCertificates")).get(0);
        assertThat(observed).containsEntry("url", certificateUrl).containsEntry("certificateStoreName", "MY")
                .containsEntry("certificateStoreLocation", "LocalMachine").containsEntry("keyExportable", true)
                .containsEntry("accounts", List.of("Network Service", "batchtaskuser"));
        assertThat(setup.apply().changed()).isFalse();
    }

    @Test
    void identityAloneHasNoExtensionAndAnotherSpecIsANameConflict() {
        setup(linux("plainpool")).apply();
        assertThat(setup(linux("plainpool")).apply().changed()).isFalse();
        assertThatThrownBy(() -> setup(linux("plainpool").observedCertificate(certificateUrl)).apply())
                .isInstanceOfSatisfying(SetupException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.POOL);
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("has no Key Vault VM extension")
                            .contains("cannot be changed in place");
                });
    }
}
