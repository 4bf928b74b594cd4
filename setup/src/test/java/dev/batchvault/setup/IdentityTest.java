package dev.batchvault.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.management.Region;
import dev.batchvault.emulator.ResourceManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Step 5, its first part: the user-assigned identity through the MSI management library, and vault access for it. */
class IdentityTest {
    private final EmulatedAzure azure = new EmulatedAzure();

    @AfterEach
    void close() {
        azure.close();
    }

    private BatchVaultSetup setup(PermissionModel model) {
        return azure.setup().userAssignedIdentity(EmulatedAzure.GROUP, "pool-identity", Region.EUROPE_WEST)
                .vaultAccess(EmulatedAzure.GROUP, EmulatedAzure.VAULT, model).build();
    }

    @Test
    void identityAndItsVaultAccessThenUnchanged() {
        azure.withAdminRights();
        BatchVaultSetup setup = setup(PermissionModel.FOLLOW_VAULT);
        assertThat(setup.plan()).extracting(StepResult::step, StepResult::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Step.IDENTITY, Outcome.CREATED),
                org.assertj.core.groups.Tuple.tuple(Step.VAULT_ACCESS, Outcome.CREATED));
        assertThat(azure.arm.writes()).isZero();

        SetupReport first = setup.apply();
        assertThat(first.steps()).extracting(StepResult::outcome).containsExactly(Outcome.CREATED, Outcome.CREATED);
        assertThat(first.identityResourceId()).endsWith("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
                + "pool-identity");
        assertThat(first.identityClientId()).isNotNull();
        assertThat(azure.arm.secretPermissions(azure.vaultId)).containsKey(first.identityPrincipalId());

        SetupReport second = setup.apply();
        assertThat(second.changed()).as(second.toString()).isFalse();
        assertThat(second.identityPrincipalId()).isEqualTo(first.identityPrincipalId());
    }

    @Test
    void rbacVaultGivesTheIdentityTheRole() {
        azure.withAdminRights();
        azure.arm.useRbac(azure.vaultId, true);
        SetupReport report = setup(PermissionModel.FOLLOW_VAULT).apply();
        assertThat(azure.arm.roleAssignments()).contains(report.identityPrincipalId() + " Key Vault Secrets User "
                + azure.vaultId);
    }

    @Test
    void aReaderIsToldTheRoleStep5Needs() {
        azure.arm.assignRole(azure.admin.principalObjectId(), ResourceManager.READER,
                "/subscriptions/" + EmulatedAzure.SUBSCRIPTION);
        assertThatThrownBy(() -> setup(PermissionModel.ACCESS_POLICY).apply())
                .isInstanceOfSatisfying(SetupException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.IDENTITY);
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("Managed Identity Contributor or Contributor");
                });
    }
}
