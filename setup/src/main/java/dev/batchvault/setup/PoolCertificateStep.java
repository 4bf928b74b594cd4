package dev.batchvault.setup;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.util.Context;
import com.azure.resourcemanager.batch.BatchManager;
import com.azure.resourcemanager.batch.models.Certificate;
import com.azure.resourcemanager.batch.models.CertificateFormat;
import com.azure.resourcemanager.batch.models.CertificateReference;
import com.azure.resourcemanager.batch.models.CertificateStoreLocation;
import com.azure.resourcemanager.batch.models.CertificateVisibility;
import com.azure.resourcemanager.batch.models.Pool;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 4, the seed's way (retired): the {@code .pfx} as the Batch account certificate
 * {@code sha1-<thumbprint>}, and a pool certificate reference with store location LocalMachine, store
 * name My and the chosen visibility ({@code Add-AzureBatchCertificate}, the pool's CertificateReferences).
 */
final class PoolCertificateStep {
    static final String RETIRED = "2024-02-29";
    static final String ROLE = "Contributor on the Batch account (or Owner), for "
            + "Microsoft.Batch/batchAccounts/certificates/write and pools/write";
    private static final Logger LOG = LoggerFactory.getLogger(PoolCertificateStep.class);
    private static final AtomicBoolean RETIREMENT_LOGGED = new AtomicBoolean();

    private final BatchManager batch;
    private final String resourceGroup;
    private final String account;
    private final String pool;
    private final GeneratedCertificate certificate;
    private final char[] password;
    private final List<CertificateVisibility> visibility;

    PoolCertificateStep(BatchManager batch, String resourceGroup, String account, String pool,
            GeneratedCertificate certificate, char[] password, List<CertificateVisibility> visibility) {
        this.batch = batch;
        this.resourceGroup = resourceGroup;
        this.account = account;
        this.pool = pool;
        this.certificate = certificate;
        this.password = password.clone();
        this.visibility = List.copyOf(visibility);
    }

    /** For tests: the next run logs the retirement again. */
    static void forgetRetirementNotice() {
        RETIREMENT_LOGGED.set(false);
    }

    List<StepResult> run(boolean dryRun) {
        if (RETIREMENT_LOGGED.compareAndSet(false, true)) {
            LOG.warn("Batch account certificates were retired on {}: pools made since no longer get "
                    + "AZ_BATCH_CERTIFICATES_DIR. Step 4 serves pools that still use them; new pools use a managed "
                    + "identity and the Key Vault VM extension (step 5).", RETIRED);
        }
        List<StepResult> results = new ArrayList<>();
        String name = "sha1-" + certificate.thumbprint().toLowerCase(Locale.ROOT);
        String certResource = "certificate '" + name + "' of Batch account '" + account + "'";
        Certificate existing = Failures.call(Step.ACCOUNT_CERTIFICATE, certResource, ROLE, () -> {
            try {
                return batch.certificates().getWithResponse(resourceGroup, account, name, Context.NONE).getValue();
            } catch (ManagementException e) {
                if (e.getResponse().getStatusCode() == 404) {
                    return null;
                }
                throw e;
            }
        });
        if (existing != null) {
            results.add(new StepResult(Step.ACCOUNT_CERTIFICATE, certResource, Outcome.UNCHANGED,
                    "thumbprint " + certificate.thumbprint() + "; account certificates retired " + RETIRED, dryRun));
        } else {
            if (!dryRun) {
                Failures.call(Step.ACCOUNT_CERTIFICATE, certResource, ROLE, () -> batch.certificates().define(name)
                        .withExistingBatchAccount(resourceGroup, account)
                        .withData(Base64.getEncoder().encodeToString(certificate.pfx(password)))
                        .withPassword(new String(password))
                        .withFormat(CertificateFormat.PFX)
                        .withThumbprint(certificate.thumbprint())
                        .withThumbprintAlgorithm("sha1")
                        .create());
            }
            results.add(new StepResult(Step.ACCOUNT_CERTIFICATE, certResource, Outcome.CREATED,
                    "the .pfx, thumbprint " + certificate.thumbprint() + "; account certificates retired " + RETIRED,
                    dryRun));
        }

        String poolResource = "pool '" + pool + "' of Batch account '" + account + "'";
        Pool found = Failures.call(Step.POOL_CERTIFICATE, poolResource, ROLE,
                () -> batch.pools().getWithResponse(resourceGroup, account, pool, Context.NONE).getValue());
        List<CertificateReference> refs = found.certificates() == null ? new ArrayList<>()
                : new ArrayList<>(found.certificates());
        CertificateReference current = null;
        for (CertificateReference r : refs) {
            if (r.id() != null && r.id().toLowerCase(Locale.ROOT).endsWith("/certificates/" + name)) {
                current = r;
            }
        }
        String wanted = "LocalMachine/My, visibility " + visibility;
        if (current != null && CertificateStoreLocation.LOCAL_MACHINE.equals(current.storeLocation())
                && "My".equalsIgnoreCase(current.storeName()) && current.visibility() != null
                && new HashSet<>(current.visibility()).equals(new HashSet<>(visibility))) {
            results.add(new StepResult(Step.POOL_CERTIFICATE, poolResource, Outcome.UNCHANGED, "references " + name
                    + " in " + wanted, dryRun));
            return results;
        }
        if (!dryRun) {
            String certificateId = found.id().substring(0, found.id().toLowerCase(Locale.ROOT).indexOf("/pools/"))
                    + "/certificates/" + name;
            if (current != null) {
                refs.remove(current);
            }
            refs.add(new CertificateReference().withId(certificateId)
                    .withStoreLocation(CertificateStoreLocation.LOCAL_MACHINE)
                    .withStoreName("My")
                    .withVisibility(visibility));
            Failures.call(Step.POOL_CERTIFICATE, poolResource, ROLE, () -> found.update().withCertificates(refs).apply());
        }
        results.add(new StepResult(Step.POOL_CERTIFICATE, poolResource, current == null ? Outcome.CREATED
                : Outcome.UPDATED, "reference to " + name + " in " + wanted + "; nodes get it when they next "
                + "(re)start", dryRun));
        return results;
    }

    @Override
    public String toString() {
        return "pool certificate " + account + "/" + pool + " " + certificate.thumbprint();
    }
}
