package dev.batchvault.setup;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.util.Context;
import com.azure.resourcemanager.batch.BatchManager;
import com.azure.resourcemanager.batch.models.BatchPoolIdentity;
import com.azure.resourcemanager.batch.models.DeploymentConfiguration;
import com.azure.resourcemanager.batch.models.FixedScaleSettings;
import com.azure.resourcemanager.batch.models.Pool;
import com.azure.resourcemanager.batch.models.PoolIdentityType;
import com.azure.resourcemanager.batch.models.ScaleSettings;
import com.azure.resourcemanager.batch.models.UserAssignedIdentities;
import com.azure.resourcemanager.batch.models.VMExtension;
import com.azure.resourcemanager.batch.models.VirtualMachineConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Step 5, its second part: the pool with the identity and, if certificates are observed, the Key Vault VM extension. */
final class PoolStep {
    static final String ROLE = "Contributor on the Batch account and Managed Identity Operator on the identity";

    private final BatchManager batch;
    private final String resourceGroup;
    private final String account;
    private final PoolSpec spec;

    PoolStep(BatchManager batch, String resourceGroup, String account, PoolSpec spec) {
        this.batch = batch;
        this.resourceGroup = resourceGroup;
        this.account = account;
        this.spec = spec;
    }

    StepResult run(boolean dryRun, String identityId, String identityClientId) {
        String resource = "pool '" + spec.name() + "' of Batch account '" + account + "'";
        Pool found = Failures.call(Step.POOL, resource, ROLE, () -> {
            try {
                return batch.pools().getWithResponse(resourceGroup, account, spec.name(), Context.NONE).getValue();
            } catch (ManagementException e) {
                if (e.getResponse().getStatusCode() == 404) {
                    return null;
                }
                throw e;
            }
        });
        String what = (spec.observedCertificates().isEmpty() ? "the identity alone"
                : "the identity and the Key Vault VM extension observing " + spec.observedCertificates());
        if (found != null) {
            String problem = differs(found, identityId, identityClientId);
            if (problem == null) {
                return new StepResult(Step.POOL, resource, Outcome.UNCHANGED, what, dryRun);
            }
            throw new SetupException(Step.POOL, resource, 409, "PoolDiffers", "a name conflict: the pool exists "
                    + "but " + problem + "; a pool's identity and extensions cannot be changed in place: delete the "
                    + "pool or give another name", null);
        }
        if (identityId == null) {
            // only in a plan, before the identity exists
            return new StepResult(Step.POOL, resource, Outcome.CREATED, what + " (the identity step 5 creates)", true);
        }
        if (!dryRun) {
            List<VMExtension> extensions = new ArrayList<>();
            VMExtension kv = spec.keyVaultExtension(identityClientId);
            if (kv != null) {
                extensions.add(kv);
            }
            Failures.call(Step.POOL, resource, ROLE, () -> batch.pools().define(spec.name())
                    .withExistingBatchAccount(resourceGroup, account)
                    .withIdentity(new BatchPoolIdentity().withType(PoolIdentityType.USER_ASSIGNED)
                            .withUserAssignedIdentities(Map.of(identityId, new UserAssignedIdentities())))
                    .withVmSize(spec.vmSize())
                    .withDeploymentConfiguration(new DeploymentConfiguration().withVirtualMachineConfiguration(
                            new VirtualMachineConfiguration().withImageReference(spec.image())
                                    .withNodeAgentSkuId(spec.nodeAgentSkuId())
                                    .withExtensions(extensions.isEmpty() ? null : extensions)))
                    .withScaleSettings(new ScaleSettings().withFixedScale(
                            new FixedScaleSettings().withTargetDedicatedNodes(spec.dedicatedNodes())))
                    .create());
        }
        return new StepResult(Step.POOL, resource, Outcome.CREATED, what, dryRun);
    }

    /** @return why the existing pool is not the one asked for, or null if it is */
    private String differs(Pool pool, String identityId, String identityClientId) {
        boolean hasIdentity = identityId == null || (pool.identity() != null
                && pool.identity().userAssignedIdentities() != null
                && pool.identity().userAssignedIdentities().keySet().stream()
                        .anyMatch(k -> k.equalsIgnoreCase(identityId)));
        if (!hasIdentity) {
            return "does not run as identity " + identityId;
        }
        VMExtension wanted = spec.keyVaultExtension(identityClientId);
        List<VMExtension> present = pool.deploymentConfiguration() == null
                || pool.deploymentConfiguration().virtualMachineConfiguration() == null
                || pool.deploymentConfiguration().virtualMachineConfiguration().extensions() == null ? List.of()
                : pool.deploymentConfiguration().virtualMachineConfiguration().extensions();
        VMExtension kv = present.stream().filter(e -> PoolSpec.PUBLISHER.equalsIgnoreCase(e.publisher()))
                .findFirst().orElse(null);
        if (wanted == null) {
            return kv == null ? null : "has a Key Vault VM extension that was not asked for";
        }
        if (kv == null) {
            return "has no Key Vault VM extension";
        }
        if (!wanted.type().equalsIgnoreCase(kv.type())
                || !String.valueOf(wanted.settings()).toLowerCase(Locale.ROOT)
                        .equals(String.valueOf(kv.settings()).toLowerCase(Locale.ROOT))) {
            return "its Key Vault VM extension has other settings (" + kv.settings() + ")";
        }
        return null;
    }

    @Override
    public String toString() {
        return "pool " + account + "/" + spec.name();
    }
}
