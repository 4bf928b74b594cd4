package dev.batchvault.setup;

/** How step 3 gives the principal secrets {@code get} on the vault. */
public enum PermissionModel {
    /** Whatever the vault uses: Azure RBAC if its {@code enableRbacAuthorization} is set, else access policies. */
    FOLLOW_VAULT,
    /** An access policy with secrets {@code get} ({@code Set-AzKeyVaultAccessPolicy -PermissionsToSecrets get}). */
    ACCESS_POLICY,
    /** The built-in role Key Vault Secrets User at the vault's scope ({@code New-AzRoleAssignment}). */
    RBAC
}
