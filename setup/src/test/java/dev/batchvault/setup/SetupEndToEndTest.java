package dev.batchvault.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.exception.HttpResponseException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Steps 2 and 3 through the management libraries against the emulator's Graph and Resource Manager. */
class SetupEndToEndTest {
    private final EmulatedAzure azure = new EmulatedAzure().withAdminRights();
    private final GeneratedCertificate certificate = GeneratedCertificate.create(
            CertificateSpec.builder().subject("CN=batchvault-pool").build());

    @AfterEach
    void close() {
        azure.close();
    }

    @Test
    void accessPolicyPathFromPlanToSecretAndRerunUnchanged() {
        BatchVaultSetup setup = azure.setup()
                .application("batchvault-pool", certificate.certificate())
                .vaultAccess(EmulatedAzure.GROUP, EmulatedAzure.VAULT, PermissionModel.FOLLOW_VAULT)
                .build();

        List<StepResult> plan = setup.plan();
        assertThat(plan).extracting(StepResult::step, StepResult::outcome, StepResult::planned).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Step.APPLICATION, Outcome.CREATED, true),
                org.assertj.core.groups.Tuple.tuple(Step.SERVICE_PRINCIPAL, Outcome.CREATED, true),
                org.assertj.core.groups.Tuple.tuple(Step.VAULT_ACCESS, Outcome.CREATED, true));
        assertThat(azure.azure.graph().writes()).isZero();
        assertThat(azure.arm.writes()).isZero();
        assertThat(azure.azure.graph().applicationNames(EmulatedAzure.TENANT)).isEmpty();

        SetupReport first = setup.apply();
        assertThat(first.steps()).extracting(StepResult::outcome)
                .containsExactly(Outcome.CREATED, Outcome.CREATED, Outcome.CREATED);
        assertThat(first.changed()).isTrue();
        assertThat(first.clientId()).isNotNull();
        assertThat(azure.arm.secretPermissions(azure.vaultId)).containsKey(first.principalObjectId());

        // The new application gets a Key Vault token with the certificate, and the vault answers get.
        String value = azure.secrets(azure.credential(first.clientId(), certificate))
                .getSecret("batchAdminPass").getValue();
        assertThat(value).isEqualTo("seed-admin-pass-value");

        long graphWrites = azure.azure.graph().writes();
        long armWrites = azure.arm.writes();
        SetupReport second = setup.apply();
        assertThat(second.steps()).extracting(StepResult::outcome)
                .containsExactly(Outcome.UNCHANGED, Outcome.UNCHANGED, Outcome.UNCHANGED);
        assertThat(second.changed()).isFalse();
        assertThat(second.toString()).endsWith("nothing changed: every step was already done");
        assertThat(second.clientId()).isEqualTo(first.clientId());
        assertThat(second.principalObjectId()).isEqualTo(first.principalObjectId());
        assertThat(azure.azure.graph().writes()).isEqualTo(graphWrites);
        assertThat(azure.arm.writes()).isEqualTo(armWrites);

        assertThat(setup.plan()).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.UNCHANGED));

        // the management state as the standalone emulator prints it
        assertThat(azure.azure.graph().summary()).contains("application 'batchvault-pool' " + first.clientId())
                .contains("1 certificate(s), service principal " + first.principalObjectId());
        assertThat(azure.arm.summary()).contains("vault " + azure.vaultId + " (access policies: {"
                + first.principalObjectId() + "=[get]})");

        TaskSettings settings = second.taskSettings(certificate.thumbprint());
        assertThat(settings.environment()).containsExactly(
                org.assertj.core.api.Assertions.entry("BATCHVAULT_VAULT_URL", azure.vault.url()),
                org.assertj.core.api.Assertions.entry("BATCHVAULT_TENANT_ID", EmulatedAzure.TENANT),
                org.assertj.core.api.Assertions.entry("BATCHVAULT_CLIENT_ID", first.clientId()),
                org.assertj.core.api.Assertions.entry("BATCHVAULT_CERTIFICATE_THUMBPRINT", certificate.thumbprint()));
        assertThat(settings.environmentSettings()).extracting(e -> e.name() + "=" + e.value())
                .contains("BATCHVAULT_CLIENT_ID=" + first.clientId());
        assertThat(settings.summary()).contains("BATCHVAULT_TENANT_ID=" + EmulatedAzure.TENANT + "\n");
    }

    @Test
    void rbacVaultGetsTheSecretsUserRoleAtItsScope() {
        azure.arm.useRbac(azure.vaultId, true);
        BatchVaultSetup setup = azure.setup()
                .application("batchvault-rbac", certificate.certificate())
                .vaultAccess(EmulatedAzure.GROUP, EmulatedAzure.VAULT, PermissionModel.FOLLOW_VAULT)
                .build();
        assertThat(setup.plan().get(2).detail()).contains("role Key Vault Secrets User");

        SetupReport first = setup.apply();
        assertThat(first.steps().get(2).outcome()).isEqualTo(Outcome.CREATED);
        assertThat(azure.arm.secretPermissions(azure.vaultId)).doesNotContainKey(first.principalObjectId());
        assertThat(azure.arm.roleAssignments()).contains(first.principalObjectId() + " Key Vault Secrets User "
                + azure.vaultId);
        assertThat(azure.secrets(azure.credential(first.clientId(), certificate)).getSecret("batchAdminPass")
                .getValue()).isEqualTo("seed-admin-pass-value");

        SetupReport second = setup.apply();
        assertThat(second.changed()).as(second.toString()).isFalse();
    }

    @Test
    void withoutTheRoleTheVaultRefusesUnderRbac() {
        azure.arm.useRbac(azure.vaultId, true);
        SetupReport report = azure.setup().application("no-vault-step", certificate.certificate()).build().apply();
        assertThatThrownBy(() -> azure.secrets(azure.credential(report.clientId(), certificate))
                .getSecret("batchAdminPass"))
                .isInstanceOf(HttpResponseException.class)
                .hasMessageContaining("ForbiddenByRbac");
    }

    @Test
    void aRerunAddsANewCertificateKeepingTheOldOne() {
        BatchVaultSetup.Builder builder = azure.setup()
                .vaultAccess(EmulatedAzure.GROUP, EmulatedAzure.VAULT, PermissionModel.ACCESS_POLICY);
        SetupReport first = builder.application("rotating", certificate.certificate()).build().apply();

        GeneratedCertificate next = GeneratedCertificate.create(CertificateSpec.builder().subject("CN=next").build());
        BatchVaultSetup rotate = builder.application("rotating", next.certificate()).build();
        StepResult planned = rotate.plan().get(0);
        assertThat(planned.outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(planned.detail()).contains("add certificate [" + next.thumbprint() + "]")
                .contains("1 other key credential(s) kept");

        SetupReport second = rotate.apply();
        assertThat(rotate.applicationCertificates()).extracting(RegisteredCertificate::thumbprint)
                .containsExactlyInAnyOrder(certificate.thumbprint(), next.thumbprint());
        assertThat(rotate.applicationCertificates().get(0).validUntil())
                .isEqualTo(certificate.certificate().getNotAfter().toInstant());
        assertThat(rotate.applicationCertificates().get(0).expiresWithin(java.time.Instant.now(),
                java.time.Duration.ofDays(400))).isTrue();
        assertThat(second.steps()).extracting(StepResult::outcome)
                .containsExactly(Outcome.UPDATED, Outcome.UNCHANGED, Outcome.UNCHANGED);
        assertThat(second.clientId()).isEqualTo(first.clientId());
        // both certificates sign in: the old one was not removed
        assertThat(azure.secrets(azure.credential(first.clientId(), certificate)).getSecret("batchAdminPass")
                .getValue()).isEqualTo("seed-admin-pass-value");
        assertThat(azure.secrets(azure.credential(first.clientId(), next)).getSecret("batchAdminPass")
                .getValue()).isEqualTo("seed-admin-pass-value");

        SetupReport retire = builder.application("rotating", next.certificate())
                .removeCertificate(certificate.thumbprint()).build().apply();
        assertThat(retire.steps().get(0).outcome()).isEqualTo(Outcome.UPDATED);
        assertThat(retire.steps().get(0).detail()).contains("remove certificate [" + certificate.thumbprint() + "]");
        assertThatThrownBy(() -> azure.secrets(azure.credential(first.clientId(), certificate))
                .getSecret("batchAdminPass")).hasMessageContaining("AADSTS700027");
    }
}
