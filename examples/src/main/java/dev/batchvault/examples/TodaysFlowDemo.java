package dev.batchvault.examples;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.Region;
import com.azure.identity.ClientCertificateCredentialBuilder;
import dev.batchvault.emulator.Application;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.ResourceManager;
import dev.batchvault.emulator.SimulatedNode;
import dev.batchvault.emulator.Vault;
import dev.batchvault.setup.BatchVaultSetup;
import dev.batchvault.setup.CertificateSpec;
import dev.batchvault.setup.GeneratedCertificate;
import dev.batchvault.setup.NodeDeployment;
import dev.batchvault.setup.PermissionModel;
import dev.batchvault.setup.PoolSpec;
import dev.batchvault.setup.SetupReport;
import dev.batchvault.setup.StepResult;
import dev.batchvault.setup.TaskSettings;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Today's set-up (account certificates retired 2024-02-29) through the {@code setup} module against the
 * embedded emulator: the certificate imported into the vault, the application with it, a user-assigned
 * identity, vault access for both, and a pool running as the identity with the Key Vault VM extension
 * and the start task that puts the library on the nodes; run twice (the second run changes nothing),
 * then a simulated node of the pool and the task on it, once by the managed identity and once by the
 * certificate the extension installed.
 */
public final class TodaysFlowDemo {
    private static final String SUBSCRIPTION = "00000000-0000-0000-0000-000000000002";

    private TodaysFlowDemo() {
    }

    /**
     * Runs the demo and exits with its exit code.
     *
     * @param args unused
     * @throws Exception if the demo itself fails
     */
    public static void main(String[] args) throws Exception {
        System.exit(run(System.out));
    }

    /**
     * @param out where the steps and the tasks' output go
     * @return 0 when both tasks read the secret; the first task's failing exit code; 3 if the rerun changed something
     */
    static int run(PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("batchvault-todays-demo");
        try (AzureEmulator azure = AzureEmulator.start()) {
            String tenantId = UUID.randomUUID().toString();
            HttpClient http = new JdkHttpClientBuilder(
                    java.net.http.HttpClient.newBuilder().sslContext(azure.sslContext())).build();

            // Before the steps: a subscription, a vault with the secret, a Batch account, an administrator.
            Vault vault = azure.createVault("todayvault", tenantId);
            vault.setSecret("batchAdminPass", TaskJvm.generatedPassword());
            ResourceManager arm = azure.resourceManager().addSubscription(SUBSCRIPTION, tenantId);
            arm.addVault(SUBSCRIPTION, "batch-rg", vault);
            String accountId = arm.addBatchAccount(SUBSCRIPTION, "batch-rg", "todaybatch");
            GeneratedCertificate adminCertificate = GeneratedCertificate.create(
                    CertificateSpec.builder().subject("CN=setup-admin").build());
            Application admin = azure.tenant(tenantId).application(UUID.randomUUID().toString())
                    .registerCertificate(adminCertificate.certificate());
            azure.graph().grantApplicationReadWriteAll(admin.principalObjectId());
            arm.assignRole(admin.principalObjectId(), ResourceManager.OWNER, "/subscriptions/" + SUBSCRIPTION);
            vault.certificates().grant(admin.principalObjectId(), "get", "import");
            char[] adminPassword = TaskJvm.generatedPassword().toCharArray();
            TokenCredential adminCredential = new ClientCertificateCredentialBuilder()
                    .tenantId(tenantId).clientId(admin.clientId())
                    .pfxCertificate(new ByteArrayInputStream(adminCertificate.pfx(adminPassword)))
                    .clientCertificatePassword(new String(adminPassword))
                    .authorityHost(azure.authorityHost()).disableInstanceDiscovery().httpClient(http).build();
            out.println("Emulator: Entra ID " + azure.authorityHost() + ", Microsoft Graph " + azure.graph().url()
                    + ", Resource Manager " + arm.url() + ", vault " + vault.url());

            GeneratedCertificate certificate = GeneratedCertificate.create(
                    CertificateSpec.builder().subject("CN=batchvault-pool").build());
            String certificateUrl = vault.url() + "/certificates/batchvault-pool";
            NodeDeployment deployment = NodeDeployment.applicationPackage(accountId + "/applications/batchvault",
                    "1.0.0").copyExtensionCertificate(SimulatedNode.LINUX_STORE, vault.name(), "batchvault-pool",
                    "batchtask");
            BatchVaultSetup setup = BatchVaultSetup.builder()
                    .credential(adminCredential)
                    .environment(SeedFlowDemo.emulated(azure))
                    .tenantId(tenantId)
                    .subscriptionId(SUBSCRIPTION)
                    .httpClient(http)
                    .disableChallengeResourceVerification() // the emulator's vault is not under vault.azure.net
                    .vaultCertificate(vault.url(), "batchvault-pool", certificate, TaskJvm.generatedPassword().toCharArray())
                    .application("batchvault-pool", certificate.certificate())
                    .userAssignedIdentity("batch-rg", "pool-identity", Region.EUROPE_WEST)
                    .vaultAccess("batch-rg", vault.name(), PermissionModel.FOLLOW_VAULT)
                    .pool("batch-rg", "todaybatch", PoolSpec.linux("todaypool", "STANDARD_D2S_V3", "canonical",
                            "0001-com-ubuntu-server-jammy", "22_04-lts", "batch.node.ubuntu 22.04")
                            .observedCertificate(certificateUrl).deployment(deployment, null))
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

            out.println("\nstep 6 (the library on the nodes):");
            deployment.summary().lines().forEach(l -> out.println("  " + l));

            SimulatedNode node = SimulatedNode.start(azure, accountId + "/pools/todaypool", work.resolve("node"));
            Path link = node.extensionCertificates().get(0);
            out.println("\nsimulated node of todaypool: identity " + node.identities().get(0).name()
                    + " at IMDS; the extension wrote " + work.relativize(link) + " -> "
                    + Files.readSymbolicLink(link));

            TaskSettings byIdentity = report.identityTaskSettings();
            // On the node the elevated start task copies the certificate; here the task reads the store itself.
            TaskSettings byCertificate = TaskSettings.forCertificateFile(report.vaultUrl(), tenantId,
                    report.clientId(), link.toString()).with("BATCHVAULT_AUTHORITY_HOST", azure.authorityHost());
            int exit = 0;
            for (TaskSettings settings : List.of(byIdentity, byCertificate)) {
                out.println("\ntask with:");
                settings.environment().forEach((k, v) -> out.println("  " + k + "=" + v));
                Map<String, String> env = new HashMap<>(settings.environment());
                env.putAll(node.environment());
                int code = TaskJvm.run(azure, env, out, "");
                exit = exit == 0 ? code : exit;
            }
            if (exit == 0 && again.changed()) {
                out.println("the rerun changed something: the set-up is not idempotent");
                return 3;
            }
            return exit;
        } finally {
            TaskJvm.deleteTree(work.toFile());
        }
    }
}
