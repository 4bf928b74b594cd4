package dev.batchvault.setup;

import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.authorization.AuthorizationManager;
import com.azure.resourcemanager.authorization.fluent.models.RoleAssignmentInner;
import com.azure.resourcemanager.keyvault.KeyVaultManager;
import com.azure.resourcemanager.keyvault.models.VaultAccessPolicyProperties;
import com.azure.resourcemanager.keyvault.fluent.models.VaultAccessPolicyParametersInner;
import com.azure.resourcemanager.keyvault.models.AccessPolicy;
import com.azure.resourcemanager.keyvault.models.AccessPolicyEntry;
import com.azure.resourcemanager.keyvault.models.AccessPolicyUpdateKind;
import com.azure.resourcemanager.keyvault.models.Permissions;
import com.azure.resourcemanager.keyvault.models.SecretPermissions;
import com.azure.resourcemanager.keyvault.models.Vault;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Step 3: secrets {@code get} on the vault for a principal, by access policy or by role assignment. */
final class VaultAccessStep {
    /** Key Vault Secrets User, a built-in role: its id is the same in every tenant. */
    static final String KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
    static final String POLICY_ROLE = "Contributor or Key Vault Contributor on the vault (or Owner), for "
            + "Microsoft.KeyVault/vaults/accessPolicies/write";
    static final String RBAC_ROLE = "Owner, User Access Administrator or Role Based Access Control Administrator on "
            + "the vault, for Microsoft.Authorization/roleAssignments/write";
    static final String READ_ROLE = "Reader (or more) on the vault, for Microsoft.KeyVault/vaults/read";

    private final AuthorizationManager authorization;
    private final KeyVaultManager keyVault;
    private final String tenantId;
    private final String subscriptionId;
    private final String resourceGroup;
    private final String vaultName;
    private final PermissionModel model;
    private final String fixedPrincipal;

    VaultAccessStep(AuthorizationManager authorization, KeyVaultManager keyVault, String tenantId,
            String subscriptionId, String resourceGroup, String vaultName, PermissionModel model,
            String fixedPrincipal) {
        this.authorization = authorization;
        this.keyVault = keyVault;
        this.tenantId = tenantId;
        this.subscriptionId = subscriptionId;
        this.resourceGroup = resourceGroup;
        this.vaultName = vaultName;
        this.model = model;
        this.fixedPrincipal = fixedPrincipal;
    }

    /** The vault's URI as Resource Manager reports it, once {@link #run} has read the vault. */
    volatile String vaultUri;

    StepResult run(boolean dryRun, String principalFromStep2, boolean hasStep2) {
        String principal = fixedPrincipal != null ? fixedPrincipal : principalFromStep2;
        String resource = "vault '" + vaultName + "' in resource group '" + resourceGroup + "'";
        Vault vault = Failures.call(Step.VAULT_ACCESS, resource, READ_ROLE,
                () -> keyVault.vaults().getByResourceGroup(resourceGroup, vaultName));
        vaultUri = vault.vaultUri();
        PermissionModel used = model == PermissionModel.FOLLOW_VAULT
                ? (vault.roleBasedAccessControlEnabled() ? PermissionModel.RBAC : PermissionModel.ACCESS_POLICY)
                : model;
        String how = used == PermissionModel.RBAC ? "role Key Vault Secrets User at the vault's scope"
                : "access policy with secrets get";
        if (principal == null) {
            // Only in a plan, before step 2 has made the principal.
            return new StepResult(Step.VAULT_ACCESS, resource, Outcome.CREATED, how + " for the service principal "
                    + (hasStep2 ? "step 2 creates" : "given"), true);
        }
        return used == PermissionModel.RBAC ? roleAssignment(vault, principal, resource, dryRun)
                : accessPolicy(vault, principal, resource, dryRun);
    }

    private StepResult accessPolicy(Vault vault, String principal, String resource, boolean dryRun) {
        AccessPolicy existing = null;
        for (AccessPolicy p : vault.accessPolicies()) {
            if (principal.equalsIgnoreCase(p.objectId()) && p.applicationId() == null) {
                existing = p;
            }
        }
        if (existing != null && existing.permissions().secrets() != null
                && (existing.permissions().secrets().contains(SecretPermissions.GET)
                        || existing.permissions().secrets().contains(SecretPermissions.ALL))) {
            return new StepResult(Step.VAULT_ACCESS, resource, Outcome.UNCHANGED, "access policy of " + principal
                    + " has secrets get", dryRun);
        }
        if (!dryRun) {
            Failures.call(Step.VAULT_ACCESS, resource, POLICY_ROLE, () -> keyVault.serviceClient().getVaults()
                    .updateAccessPolicy(resourceGroup, vaultName, AccessPolicyUpdateKind.ADD,
                            new VaultAccessPolicyParametersInner().withProperties(new VaultAccessPolicyProperties()
                                    .withAccessPolicies(List.of(new AccessPolicyEntry()
                                            .withTenantId(UUID.fromString(tenantId))
                                            .withObjectId(principal)
                                            .withPermissions(new Permissions()
                                                    .withSecrets(List.of(SecretPermissions.GET))))))));
        }
        return new StepResult(Step.VAULT_ACCESS, resource, existing == null ? Outcome.CREATED : Outcome.UPDATED,
                (existing == null ? "access policy for " : "secrets get added to the access policy of ") + principal
                        + " (secrets get)", dryRun);
    }

    private StepResult roleAssignment(Vault vault, String principal, String resource, boolean dryRun) {
        String scope = vault.id();
        String roleDefinitionId = "/subscriptions/" + subscriptionId + "/providers/Microsoft.Authorization/"
                + "roleDefinitions/" + KEY_VAULT_SECRETS_USER;
        List<RoleAssignmentInner> assignments = Failures.call(Step.VAULT_ACCESS, resource, READ_ROLE, () -> {
            List<RoleAssignmentInner> list = new java.util.ArrayList<>();
            // The client sends $filter as given (encoded = true in its interface): encode it here.
            String filter = java.net.URLEncoder.encode("principalId eq '" + principal + "'", StandardCharsets.UTF_8)
                    .replace("+", "%20");
            authorization.roleServiceClient().getRoleAssignments().listForScope(scope, filter, null, null,
                    com.azure.core.util.Context.NONE)
                    .forEach(list::add);
            return list;
        });
        for (RoleAssignmentInner a : assignments) {
            String role = a.roleDefinitionId() == null ? "" : a.roleDefinitionId().toLowerCase(Locale.ROOT);
            if (principal.equalsIgnoreCase(a.principalId()) && role.endsWith("/" + KEY_VAULT_SECRETS_USER)
                    && covers(a.scope(), scope)) {
                return new StepResult(Step.VAULT_ACCESS, resource, Outcome.UNCHANGED, "role Key Vault Secrets User "
                        + "of " + principal + " at " + a.scope(), dryRun);
            }
        }
        // A name derived from scope, principal and role: two runs that race make the same assignment.
        String name = UUID.nameUUIDFromBytes((scope.toLowerCase(Locale.ROOT) + "|" + principal.toLowerCase(Locale.ROOT)
                + "|" + KEY_VAULT_SECRETS_USER).getBytes(StandardCharsets.UTF_8)).toString();
        if (!dryRun) {
            try {
                Failures.call(Step.VAULT_ACCESS, resource, RBAC_ROLE, () -> authorization.roleAssignments()
                        .define(name)
                        .forObjectId(principal)
                        .withRoleDefinition(roleDefinitionId)
                        .withScope(scope)
                        .create());
            } catch (SetupException e) {
                if (!"RoleAssignmentExists".equals(e.errorCode())) {
                    throw e;
                }
                return new StepResult(Step.VAULT_ACCESS, resource, Outcome.UNCHANGED, "role Key Vault Secrets User "
                        + "of " + principal + " exists", false);
            }
        }
        return new StepResult(Step.VAULT_ACCESS, resource, Outcome.CREATED, "role Key Vault Secrets User for "
                + principal + " at the vault's scope (assignment " + name + ")", dryRun);
    }

    private static boolean covers(String outer, String inner) {
        if (outer == null) {
            return false;
        }
        String o = outer.toLowerCase(Locale.ROOT);
        String i = inner.toLowerCase(Locale.ROOT);
        return i.equals(o) || i.startsWith(o.endsWith("/") ? o : o + "/");
    }

    @Override
    public String toString() {
        return "vault access " + resourceGroup + "/" + vaultName + " by " + model;
    }

    static boolean isStatus(Throwable e, int status) {
        return e instanceof ManagementException && ((ManagementException) e).getResponse().getStatusCode() == status;
    }
}
