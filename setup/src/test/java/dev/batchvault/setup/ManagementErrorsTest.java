package dev.batchvault.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.emulator.Fault;
import dev.batchvault.emulator.ResourceManager;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each management failure surfaces as a SetupException naming its step, resource, status and fix. */
class ManagementErrorsTest {
    private final EmulatedAzure azure = new EmulatedAzure();
    private final GeneratedCertificate certificate = GeneratedCertificate.create(CertificateSpec.builder().build());

    @AfterEach
    void close() {
        azure.close();
    }

    private BatchVaultSetup seed(PermissionModel model) {
        return azure.setup().application("batchvault-pool", certificate.certificate())
                .vaultAccess(EmulatedAzure.GROUP, EmulatedAzure.VAULT, model).build();
    }

    @Test
    void noGraphPermissionNamesStep2AndThePermission() {
        assertThatThrownBy(() -> seed(PermissionModel.FOLLOW_VAULT).plan())
                .isInstanceOfSatisfying(SetupException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.APPLICATION);
                    assertThat(e.resource()).isEqualTo("application 'batchvault-pool'");
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.errorCode()).isEqualTo("Authorization_RequestDenied");
                    assertThat(e.getMessage()).startsWith("step 2 (application) application 'batchvault-pool': "
                            + "the caller lacks the rights for this step; it needs the Microsoft Graph application "
                            + "permission Application.ReadWrite.All");
                });
    }

    @Test
    void readerCannotAddAnAccessPolicyAndIsToldWhichRole() {
        azure.azure.graph().grantApplicationReadWriteAll(azure.admin.principalObjectId());
        azure.arm.assignRole(azure.admin.principalObjectId(), ResourceManager.READER,
                "/subscriptions/" + EmulatedAzure.SUBSCRIPTION);
        BatchVaultSetup setup = seed(PermissionModel.FOLLOW_VAULT);
        assertThat(setup.plan()).hasSize(3); // reading is allowed
        assertThatThrownBy(setup::apply).isInstanceOfSatisfying(SetupException.class, e -> {
            assertThat(e.step()).isEqualTo(Step.VAULT_ACCESS);
            assertThat(e.resource()).isEqualTo("vault 'seedvault' in resource group 'batch-rg'");
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.errorCode()).isEqualTo("AuthorizationFailed");
            assertThat(e.getMessage()).contains("it needs Contributor or Key Vault Contributor on the vault")
                    .contains("Microsoft.KeyVault/vaults/accessPolicies/write");
        });
        // step 2 is done and stays done: the rerun after the rights are granted only adds the policy
        azure.arm.assignRole(azure.admin.principalObjectId(), ResourceManager.CONTRIBUTOR, azure.vaultId);
        assertThat(setup.apply().steps()).extracting(StepResult::outcome)
                .containsExactly(Outcome.UNCHANGED, Outcome.UNCHANGED, Outcome.CREATED);
    }

    @Test
    void contributorCannotAssignARoleAndIsToldWhichRole() {
        azure.azure.graph().grantApplicationReadWriteAll(azure.admin.principalObjectId());
        azure.arm.assignRole(azure.admin.principalObjectId(), ResourceManager.CONTRIBUTOR,
                "/subscriptions/" + EmulatedAzure.SUBSCRIPTION);
        assertThatThrownBy(() -> seed(PermissionModel.RBAC).apply())
                .isInstanceOfSatisfying(SetupException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.VAULT_ACCESS);
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("it needs Owner, User Access Administrator")
                            .contains("Microsoft.Authorization/roleAssignments/write");
                });
    }

    @Test
    void twoApplicationsWithTheNameAreANameConflict() {
        azure.withAdminRights();
        BatchVaultSetup setup = seed(PermissionModel.ACCESS_POLICY);
        setup.authorizationManager().applications().define("batchvault-pool").create();
        setup.authorizationManager().applications().define("batchvault-pool").create();
        assertThatThrownBy(setup::plan).isInstanceOfSatisfying(SetupException.class, e -> {
            assertThat(e.step()).isEqualTo(Step.APPLICATION);
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.errorCode()).isEqualTo("NameConflict");
            assertThat(e.getMessage()).contains("a name conflict: 2 applications have this display name");
        });
    }

    @Test
    void missingVaultNamesStep3() {
        azure.withAdminRights();
        assertThatThrownBy(() -> azure.setup().application("batchvault-pool", certificate.certificate())
                .vaultAccess(EmulatedAzure.GROUP, "novault", PermissionModel.FOLLOW_VAULT).build().plan())
                .isInstanceOfSatisfying(SetupException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.VAULT_ACCESS);
                    assertThat(e.resource()).isEqualTo("vault 'novault' in resource group 'batch-rg'");
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo("ResourceNotFound");
                });
    }

    @Test
    void throttledCallsAreRetriedAndTheRunCompletes() {
        azure.withAdminRights();
        azure.arm.inject(Fault.throttleMillis(Duration.ofMillis(1)).times(2));
        azure.azure.graph().inject(Fault.throttleWithoutRetryAfter().times(2));
        SetupReport report = seed(PermissionModel.FOLLOW_VAULT).apply();
        assertThat(report.steps()).extracting(StepResult::outcome)
                .containsExactly(Outcome.CREATED, Outcome.CREATED, Outcome.CREATED);
        assertThat(azure.arm.journal().requests(r -> r.status() == 429)).hasSize(2);
        assertThat(azure.azure.graph().journal().requests(r -> r.status() == 429)).hasSize(2);
    }

    @Test
    void throttledPastTheRetriesNamesTheStepAndStatus() {
        azure.withAdminRights();
        azure.arm.inject(Fault.throttleMillis(Duration.ofMillis(1)));
        assertThatThrownBy(() -> seed(PermissionModel.FOLLOW_VAULT).apply())
                .isInstanceOfSatisfying(SetupException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.VAULT_ACCESS);
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.getMessage()).contains("throttled and retries ran out within the deadline");
                });
        // 1 try + 3 retries, as configured
        assertThat(azure.arm.journal().requests(r -> r.status() == 429)).hasSize(4);
    }

    @Test
    void aWaitPastTheDeadlineIsNotTaken() {
        azure.withAdminRights();
        azure.arm.inject(Fault.throttle(Duration.ofHours(1)));
        assertThatThrownBy(() -> azure.setup().retry(5, Duration.ofMinutes(1), Duration.ofMillis(5))
                .application("batchvault-pool", certificate.certificate())
                .vaultAccess(EmulatedAzure.GROUP, EmulatedAzure.VAULT, PermissionModel.FOLLOW_VAULT).build().plan())
                .isInstanceOfSatisfying(SetupException.class, e -> assertThat(e.status()).isEqualTo(429));
        assertThat(azure.arm.journal().requests(r -> r.status() == 429)).hasSize(1);
    }
}
