package dev.batchvault.setup;

import java.util.List;

/** What {@link BatchVaultSetup#apply()} did, step by step, and the ids a pool's tasks need. Immutable. */
public final class SetupReport {
    private final List<StepResult> steps;
    private final String tenantId;
    private final String clientId;
    private final String principalObjectId;

    SetupReport(List<StepResult> steps, String tenantId, String clientId, String principalObjectId) {
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

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        steps.forEach(s -> out.append(s).append('\n'));
        out.append(changed() ? "changes made" : "nothing changed: every step was already done");
        return out.toString();
    }
}
