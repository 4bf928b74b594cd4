package dev.batchvault.examples;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.resourcemanager.batch.models.CertificateVisibility;
import dev.batchvault.emulator.Application;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.ResourceManager;
import dev.batchvault.emulator.Vault;
import dev.batchvault.setup.BatchVaultSetup;
import dev.batchvault.setup.CertificateSpec;
import dev.batchvault.setup.GeneratedCertificate;
import dev.batchvault.setup.PermissionModel;
import dev.batchvault.setup.SetupReport;
import dev.batchvault.setup.StepResult;
import dev.batchvault.setup.TaskSettings;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The seed's set-up through the {@code setup} module against the embedded emulator (its Microsoft
 * Graph and Resource Manager): certificate, application and service principal, vault access, the
 * pool's account certificate; run twice (the second run changes nothing), then the task on a node of
 * the pool as Batch lays it out, reading {@code batchAdminPass} with the certificate the set-up registered.
 */
public final class SeedFlowDemo {
    private static final String SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";

    private SeedFlowDemo() {
    }

    /**
     * Runs the demo and exits with the task's exit code.
     *
     * @param args unused
     * @throws Exception if the demo itself fails
     */
    public static void main(String[] args) throws Exception {
        System.exit(run(System.out));
    }

    /**
     * Runs the demo, printing each step and the task's own output (piped through, never inherited) to {@code out}.
     *
     * @param out where the steps go
     * @return the task's exit code, or 3 if the rerun changed something
     */
    static int run(java.io.PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("batchvault-seed-demo");
        try (AzureEmulator azure = AzureEmulator.start()) {
            String tenantId = UUID.randomUUID().toString();
            HttpClient http = new JdkHttpClientBuilder(
                    java.net.http.HttpClient.newBuilder().sslContext(azure.sslContext())).build();

            // What exists before the seed's steps: a subscription, a vault with the secret, and an
            // administrator who may register applications and change the vault.
            Vault vault = azure.createVault("seedvault", tenantId);
            vault.setSecret("batchAdminPass", TaskJvm.generatedPassword());
            ResourceManager arm = azure.resourceManager().addSubscription(SUBSCRIPTION, tenantId);
            arm.addVault(SUBSCRIPTION, "batch-rg", vault);
            String poolId = arm.addPool(arm.addBatchAccount(SUBSCRIPTION, "batch-rg", "seedbatch"), "seedpool");
            GeneratedCertificate adminCertificate = GeneratedCertificate.create(
                    CertificateSpec.builder().subject("CN=seed-admin").build());
            Application admin = azure.tenant(tenantId).application(UUID.randomUUID().toString())
                    .registerCertificate(adminCertificate.certificate());
            azure.graph().grantApplicationReadWriteAll(admin.principalObjectId());
            arm.assignRole(admin.principalObjectId(), ResourceManager.OWNER, "/subscriptions/" + SUBSCRIPTION);
            char[] adminPassword = TaskJvm.generatedPassword().toCharArray();
            TokenCredential adminCredential = new ClientCertificateCredentialBuilder()
                    .tenantId(tenantId).clientId(admin.clientId())
                    .pfxCertificate(new ByteArrayInputStream(adminCertificate.pfx(adminPassword)))
                    .clientCertificatePassword(new String(adminPassword))
                    .authorityHost(azure.authorityHost()).disableInstanceDiscovery().httpClient(http).build();
            out.println("Emulator: Entra ID " + azure.authorityHost() + ", Microsoft Graph " + azure.graph().url()
                    + ", Resource Manager " + arm.url());

            // Step 1: makecert + pvk2pfx.
            GeneratedCertificate certificate = GeneratedCertificate.create(
                    CertificateSpec.builder().subject("CN=batchvault-seed-pool").build());
            char[] pfxPassword = TaskJvm.generatedPassword().toCharArray();
            List<Path> files = certificate.write(work, "batchvault-seed-pool", pfxPassword);
            out.println("step 1 (certificate) " + files.get(0).getFileName() + " + " + files.get(1).getFileName()
                    + ": created (thumbprint " + certificate.thumbprint() + ")");

            // Steps 2 and 3 through the management libraries; then again.
            BatchVaultSetup setup = BatchVaultSetup.builder()
                    .credential(adminCredential)
                    .environment(emulated(azure))
                    .tenantId(tenantId)
                    .subscriptionId(SUBSCRIPTION)
                    .httpClient(http)
                    .application("batchvault-seed-pool", certificate.certificate())
                    .vaultAccess("batch-rg", "seedvault", PermissionModel.FOLLOW_VAULT)
                    .poolCertificate("batch-rg", "seedbatch", "seedpool", certificate, pfxPassword,
                            CertificateVisibility.START_TASK, CertificateVisibility.TASK)
                    .build();
            out.println("\nplan:");
            setup.plan().forEach(r -> out.println("  " + r));
            out.println("\napply:");
            SetupReport report = setup.apply();
            report.steps().forEach(r -> out.println("  " + r));
            out.println("\napply again:");
            SetupReport again = setup.apply();
            for (StepResult r : again.steps()) {
                out.println("  " + r);
            }
            out.println("  " + (again.changed() ? "CHANGED on the rerun" : "nothing changed"));

            // Step 6: the task's settings; the node as Batch lays out the pool's certificate (step 4).
            TaskSettings settings = report.taskSettings(certificate.thumbprint())
                    .with("BATCHVAULT_AUTHORITY_HOST", azure.authorityHost());
            Path certs = arm.layOutNode(poolId, work.resolve("node"));
            out.println("\nstep 6 (task settings):");
            settings.environment().forEach((k, v) -> out.println("  " + k + "=" + v));
            out.println("simulated node of seedpool: AZ_BATCH_CERTIFICATES_DIR holds " + certs.toFile().list().length
                    + " files (sha1-<thumbprint>.pfx and .pfx.pw)\n");

            Map<String, String> env = new HashMap<>(settings.environment());
            env.put("AZ_BATCH_CERTIFICATES_DIR", certs.toString());
            int exit = TaskJvm.run(azure, env, out, "");
            if (exit == 0 && again.changed()) {
                out.println("the rerun changed something: the set-up is not idempotent");
                return 3;
            }
            return exit;
        } finally {
            TaskJvm.deleteTree(work.toFile());
        }
    }

    /** The public cloud's environment with its login, Graph and Resource Manager endpoints at the emulator. */
    static AzureEnvironment emulated(AzureEmulator azure) {
        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", azure.resourceManager().url() + "/");
        endpoints.put("microsoftGraphResourceId", azure.graph().url() + "/");
        endpoints.put("activeDirectoryEndpointUrl", azure.authorityHost() + "/");
        endpoints.put("managementEndpointUrl", "https://management.azure.com/");
        return new AzureEnvironment(endpoints);
    }
}
