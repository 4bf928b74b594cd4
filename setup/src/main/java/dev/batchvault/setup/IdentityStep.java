package dev.batchvault.setup;

import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.msi.MsiManager;
import com.azure.resourcemanager.msi.models.Identity;

/** Step 5, its first part: the user-assigned managed identity a pool of today runs as. */
final class IdentityStep {
    static final String ROLE = "Managed Identity Contributor or Contributor on the resource group, for "
            + "Microsoft.ManagedIdentity/userAssignedIdentities/write";

    private final MsiManager msi;
    private final String resourceGroup;
    private final String name;
    private final Region region;

    IdentityStep(MsiManager msi, String resourceGroup, String name, Region region) {
        this.msi = msi;
        this.resourceGroup = resourceGroup;
        this.name = name;
        this.region = region;
    }

    static final class Result {
        StepResult step;
        String principalId;
        String clientId;
        String resourceId;
    }

    Result run(boolean dryRun) {
        Result result = new Result();
        String resource = "identity '" + name + "' in resource group '" + resourceGroup + "'";
        Identity found = Failures.call(Step.IDENTITY, resource, ROLE, () -> {
            try {
                return msi.identities().getByResourceGroup(resourceGroup, name);
            } catch (ManagementException e) {
                if (e.getResponse().getStatusCode() == 404) {
                    return null;
                }
                throw e;
            }
        });
        if (found == null && dryRun) {
            result.step = new StepResult(Step.IDENTITY, resource, Outcome.CREATED, "in " + region.name(), true);
            return result;
        }
        Outcome outcome = found == null ? Outcome.CREATED : Outcome.UNCHANGED;
        Identity identity = found != null ? found : Failures.call(Step.IDENTITY, resource, ROLE,
                () -> msi.identities().define(name).withRegion(region).withExistingResourceGroup(resourceGroup).create());
        result.principalId = identity.principalId();
        result.clientId = identity.clientId();
        result.resourceId = identity.id();
        result.step = new StepResult(Step.IDENTITY, resource, outcome, "client id " + identity.clientId()
                + ", principal " + identity.principalId(), dryRun);
        return result;
    }

    @Override
    public String toString() {
        return "identity " + resourceGroup + "/" + name;
    }
}
