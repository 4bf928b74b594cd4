package dev.batchvault.examples;

import dev.batchvault.emulator.Application;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.Imds;
import dev.batchvault.emulator.ManagedIdentity;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.emulator.Vault;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * The end-to-end demo: the three ways a Batch task reads {@code batchAdminPass}, side by side, against
 * the local emulator. For each, what an administrator and Azure Batch do, then the task itself in a JVM
 * of its own, configured only by environment variables as a pool would configure it:
 * <ol>
 *   <li>the pool's user-assigned managed identity, no certificate;</li>
 *   <li>a certificate installed on the node by the Key Vault VM extension (its Linux layout);</li>
 *   <li>a Batch account certificate in {@code AZ_BATCH_CERTIFICATES_DIR}, retired on 2024-02-29.</li>
 * </ol>
 */
public final class Demo {
    private Demo() {
    }

    /**
     * Runs the demo and exits with 0 when all three tasks read the secret.
     *
     * @param args unused
     * @throws Exception if the demo itself fails
     */
    public static void main(String[] args) throws Exception {
        int code = run(System.out);
        System.exit(code);
    }

    /**
     * Runs the demo, printing its steps and each task's own output (standard output and error) to
     * {@code out}: the task JVMs' streams are piped through, never inherited, so that a caller (a test
     * under Surefire) sees every line on its own stream.
     *
     * @param out where the steps go
     * @return how many of the three tasks failed: 0 when all read the secret
     */
    static int run(PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("batchvault-demo");
        try (AzureEmulator azure = AzureEmulator.start()) {
            String tenantId = UUID.randomUUID().toString();
            Vault vault = azure.createVault("demovault", tenantId);
            String version = vault.setSecret("batchAdminPass", TaskJvm.generatedPassword());
            out.println("Azure emulator: Entra ID at " + azure.authorityHost() + ", vault " + vault.url()
                    + " holding batchAdminPass (version " + version + ")");
            int failed = 0;
            failed += managedIdentity(out, azure, vault, tenantId) == 0 ? 0 : 1;
            failed += vmExtensionCertificate(out, azure, vault, tenantId, work) == 0 ? 0 : 1;
            failed += accountCertificate(out, azure, vault, tenantId, work) == 0 ? 0 : 1;
            out.println();
            out.println(failed == 0 ? "All three tasks read batchAdminPass."
                    : failed + " of the three tasks failed.");
            return failed;
        } finally {
            TaskJvm.deleteTree(work.toFile());
        }
    }

    /** (1) Today's first choice: the pool's user-assigned managed identity. */
    private static int managedIdentity(PrintStream out, AzureEmulator azure, Vault vault, String tenantId) throws Exception {
        heading(out, 1, "the pool's managed identity (no certificate)");
        ManagedIdentity identity = azure.tenant(tenantId).userAssignedIdentity("batch-pool-identity");
        step(out, "Created user-assigned identity " + identity.name() + ": client id " + identity.clientId()
                + ", principal id " + identity.principalId());
        Imds imds = azure.imds().assign(identity);
        step(out, "Assigned it to the pool (identity.userAssignedIdentities); the node's IMDS is " + imds.endpoint()
                + " (on Azure: http://169.254.169.254)");
        vault.grant(identity.principalId(), "get");
        step(out, "Granted its principal 'get' on secrets (az keyvault set-policy --object-id <principal id>)");
        long before = imds.tokensIssued();
        int exit = task(out, azure, Map.of(
                "BATCHVAULT_VAULT_URL", vault.url(),
                "BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID", identity.clientId(),
                // The emulator's stand-in for the link-local address; MSAL4J reads this variable.
                "AZURE_POD_IDENTITY_AUTHORITY_HOST", imds.endpoint()));
        result(out, exit, (imds.tokensIssued() - before) + " token issued by the node's IMDS");
        return exit;
    }

    /** (2) A certificate the Key Vault VM extension installed on the node (Linux layout). */
    private static int vmExtensionCertificate(PrintStream out, AzureEmulator azure, Vault vault, String tenantId, Path work)
            throws Exception {
        heading(out, 2, "a certificate installed by the Key Vault VM extension (Linux)");
        SelfSignedCertificate certificate = SelfSignedCertificate.create("CN=batchvault-demo-extension");
        String clientId = UUID.randomUUID().toString();
        Application app = azure.tenant(tenantId).application(clientId).registerCertificate(certificate.certificate());
        vault.grant(app.principalObjectId(), "get");
        step(out, "Registered certificate " + certificate.thumbprint() + " on application " + clientId
                + " and granted its service principal 'get'");
        // The extension writes <vault>.<certificate>.<version> (key + certificate, PEM) and a <vault>.<certificate>
        // symlink into /var/lib/waagent/Microsoft.Azure.KeyVault.Store (root only); an elevated start task
        // copies them where the task's user can read them. Here the copy is made directly.
        Path store = Files.createDirectories(work.resolve("Microsoft.Azure.KeyVault.Store"));
        Path versioned = certificate.writePem(store.resolve("certvault.pool-cert." + UUID.randomUUID().toString()
                .replace("-", "")));
        Path link = Files.createSymbolicLink(store.resolve("certvault.pool-cert"), versioned.getFileName());
        step(out, "Put the certificate where the extension's layout puts it: " + link.getFileName() + " -> "
                + versioned.getFileName());
        long before = azure.tokensIssued();
        int exit = task(out, azure, Map.of(
                "BATCHVAULT_VAULT_URL", vault.url(),
                "BATCHVAULT_TENANT_ID", tenantId,
                "BATCHVAULT_CLIENT_ID", clientId,
                "BATCHVAULT_AUTHORITY_HOST", azure.authorityHost(),
                "BATCHVAULT_CERTIFICATE_THUMBPRINT", certificate.thumbprint(),
                "BATCHVAULT_CERTIFICATE_DIRS", store.toString()));
        result(out, exit, (azure.tokensIssued() - before) + " token issued by Entra ID for the certificate");
        return exit;
    }

    /** (3) The seed's way: a Batch account certificate. Retired on 2024-02-29; older pools still run it. */
    private static int accountCertificate(PrintStream out, AzureEmulator azure, Vault vault, String tenantId, Path work)
            throws Exception {
        heading(out, 3, "a Batch account certificate in AZ_BATCH_CERTIFICATES_DIR (retired 2024-02-29; old pools only)");
        SelfSignedCertificate certificate = SelfSignedCertificate.create("CN=batchvault-demo-pool");
        String clientId = UUID.randomUUID().toString();
        Application app = azure.tenant(tenantId).application(clientId).registerCertificate(certificate.certificate());
        vault.grant(app.principalObjectId(), "get");
        step(out, "Registered certificate " + certificate.thumbprint() + " on application " + clientId
                + " and granted its service principal 'get'");
        // Batch wrote the PFX and its password into the task's certificate directory as sha1-<thumbprint>.pfx and
        // sha1-<thumbprint>.pfx.pw.
        Path certs = Files.createDirectories(work.resolve("certs"));
        String tp = certificate.thumbprint().toLowerCase();
        char[] pfxPassword = TaskJvm.generatedPassword().toCharArray();
        Path pfx = certificate.writePfx(certs.resolve("sha1-" + tp + ".pfx"), pfxPassword);
        Path pw = Files.writeString(certs.resolve("sha1-" + tp + ".pfx.pw"), new String(pfxPassword),
                StandardCharsets.UTF_8);
        step(out, "Put the certificate on the node as Batch did: " + pfx.getFileName() + " + " + pw.getFileName());
        long before = azure.tokensIssued();
        int exit = task(out, azure, Map.of(
                "AZ_BATCH_CERTIFICATES_DIR", certs.toString(),
                "BATCHVAULT_VAULT_URL", vault.url(),
                "BATCHVAULT_TENANT_ID", tenantId,
                "BATCHVAULT_CLIENT_ID", clientId,
                "BATCHVAULT_AUTHORITY_HOST", azure.authorityHost(),
                "BATCHVAULT_CERTIFICATE_THUMBPRINT", certificate.thumbprint()));
        result(out, exit, (azure.tokensIssued() - before) + " token issued by Entra ID for the certificate");
        return exit;
    }

    /** Prints the task's settings, then runs it in its own JVM (see {@link TaskJvm#run}). */
    private static int task(PrintStream out, AzureEmulator azure, Map<String, String> env)
            throws IOException, InterruptedException {
        step(out, "Running the task in a new JVM with only these settings:");
        env.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.println("        " + e.getKey() + "=" + e.getValue()));
        return TaskJvm.run(azure, env, out, "        ");
    }

    private static void heading(PrintStream out, int n, String way) {
        out.println();
        out.println("(" + n + ") " + way);
    }

    private static void step(PrintStream out, String text) {
        out.println("    " + text);
    }

    private static void result(PrintStream out, int exit, String detail) {
        step(out, exit == 0 ? "The task read the secret: " + detail + "." : "The task failed with exit code " + exit + ".");
    }
}
