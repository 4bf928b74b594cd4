package dev.batchvault.setup;

import java.util.List;

/** What {@link BatchVaultSetup#apply()} did, step by step, and the ids a pool's tasks need. Immutable. */
public final class SetupReport {
    private final List<StepResult> steps;
    private final String tenantId;
    private final String clientId;
    private final String principalObjectId;
    private final String vaultUrl;
    private final String identityResourceId;
    private final String identityClientId;
    private final String identityPrincipalId;

    SetupReport(List<StepResult> steps, String tenantId, String clientId, String principalObjectId, String vaultUrl) {
        this(steps, tenantId, clientId, principalObjectId, vaultUrl, null, null, null);
    }

    private SetupReport(List<StepResult> steps, String tenantId, String clientId, String principalObjectId,
            String vaultUrl, String identityResourceId, String identityClientId, String identityPrincipalId) {
        this.identityResourceId = identityResourceId;
        this.identityClientId = identityClientId;
        this.identityPrincipalId = identityPrincipalId;
        this.vaultUrl = vaultUrl;
        this.steps = steps;
        this.tenantId = tenantId;
        this.clientId = clientId;
        this.principalObjectId = principalObjectId;
    }

    /** @return one result per resource, in step order */
    public List<StepResult> steps() {
        return steps;
    }

    /** @return true if any step created or updated something */
    public boolean changed() {
        return steps.stream().anyMatch(StepResult::changes);
    }

    /** @return the tenant id ({@code BATCHVAULT_TENANT_ID}) */
    public String tenantId() {
        return tenantId;
    }

    /** @return the application (client) id ({@code BATCHVAULT_CLIENT_ID}), or null without step 2 (or in a plan before it exists) */
    public String clientId() {
        return clientId;
    }

    /** @return the service principal's object id, the one the vault grants, or null if not known yet */
    public String principalObjectId() {
        return principalObjectId;
    }

    SetupReport withIdentity(String resourceId, String clientId, String principalId) {
        return new SetupReport(steps, tenantId, this.clientId, principalObjectId, vaultUrl, resourceId, clientId,
                principalId);
    }

    /** @return the user-assigned identity's resource id (step 5), or null */
    public String identityResourceId() {
        return identityResourceId;
    }

    /** @return the user-assigned identity's client id (step 5), or null */
    public String identityClientId() {
        return identityClientId;
    }

    /** @return the user-assigned identity's principal (object) id (step 5), or null */
    public String identityPrincipalId() {
        return identityPrincipalId;
    }

    /** @return the vault's URL as Resource Manager reports it ({@code BATCHVAULT_VAULT_URL}), or null without step 3 */
    public String vaultUrl() {
        return vaultUrl;
    }

    /**
     * Step 6: the settings a pool's tasks need for certificate authentication.
     *
     * @param certificateThumbprint the pool certificate's SHA-1 thumbprint (step 1)
     * @return the settings
     * @throws IllegalStateException if the report lacks the client id or vault URL (a plan before step 2,
     *     or a set-up without step 3)
     */
    public TaskSettings taskSettings(String certificateThumbprint) {
        if (clientId == null || vaultUrl == null) {
            throw new IllegalStateException("the task settings need the application (step 2) and the vault (step 3); "
                    + "this report has client id " + clientId + " and vault URL " + vaultUrl);
        }
        return TaskSettings.forCertificate(vaultUrl, tenantId, clientId, certificateThumbprint);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        steps.forEach(s -> out.append(s).append('\n'));
        out.append(changed() ? "changes made" : "nothing changed: every step was already done");
        return out.toString();
    }
}
