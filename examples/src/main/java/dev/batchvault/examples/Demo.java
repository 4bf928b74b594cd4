package dev.batchvault.examples;

import dev.batchvault.emulator.Application;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.emulator.Vault;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The end-to-end demo: everything an administrator and Azure Batch do, against the local emulator,
 * then the task itself in a JVM of its own, configured only by environment variables as a pool
 * would configure it.
 */
public final class Demo {
    private Demo() {
    }

    /**
     * Runs the demo and exits with the task's exit code.
     *
     * @param args unused
     * @throws Exception if the demo itself fails
     */
    public static void main(String[] args) throws Exception {
        int code = run(System.out);
        System.exit(code);
    }

    /**
     * Runs the demo, printing its steps and the task's own output (standard output and error) to
     * {@code out}: the task JVM's streams are piped through, never inherited, so that a caller (a
     * test under Surefire) sees every line on its own stream.
     *
     * @param out where the steps go
     * @return the task's exit code
     */
    static int run(PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("batchvault-demo");
        try (AzureEmulator azure = AzureEmulator.start()) {
            String tenantId = UUID.randomUUID().toString();
            String clientId = UUID.randomUUID().toString();
            step(out, 1, "Started the Azure emulator: Entra ID at " + azure.authorityHost());

            SelfSignedCertificate certificate = SelfSignedCertificate.create("CN=batchvault-demo-pool");
            step(out, 2, "Created a self-signed pool certificate, thumbprint " + certificate.thumbprint());

            Application app = azure.tenant(tenantId).application(clientId).registerCertificate(certificate.certificate());
            step(out, 3, "Registered it on application " + clientId + " (service principal " + app.principalObjectId()
                    + ") in tenant " + tenantId);

            Vault vault = azure.createVault("demovault", tenantId);
            String password = generatedPassword();
            String version = vault.setSecret("batchAdminPass", password);
            step(out, 4, "Stored secret batchAdminPass (version " + version + ") in vault " + vault.url());

            vault.grant(app.principalObjectId(), "get");
            step(out, 5, "Granted the service principal 'get' on secrets");

            // Azure Batch (legacy certificate path) writes the PFX and its password into the task's
            // certificate directory as sha1-<thumbprint>.pfx and sha1-<thumbprint>.pfx.pw.
            Path certs = Files.createDirectories(work.resolve("certs"));
            String tp = certificate.thumbprint().toLowerCase();
            char[] pfxPassword = generatedPassword().toCharArray();
            Path pfx = certificate.writePfx(certs.resolve("sha1-" + tp + ".pfx"), pfxPassword);
            Path pw = Files.writeString(certs.resolve("sha1-" + tp + ".pfx.pw"), new String(pfxPassword),
                    StandardCharsets.UTF_8);
            step(out, 6, "Put the certificate on the node as Batch does: " + pfx.getFileName() + " + " + pw.getFileName());

            // No path and no password in the task's settings: only the thumbprint. The Batch
            // certificate directory source (linux-store) finds the files.
            Map<String, String> env = Map.of(
                    "AZ_BATCH_CERTIFICATES_DIR", certs.toString(),
                    "BATCHVAULT_VAULT_URL", vault.url(),
                    "BATCHVAULT_TENANT_ID", tenantId,
                    "BATCHVAULT_CLIENT_ID", clientId,
                    "BATCHVAULT_AUTHORITY_HOST", azure.authorityHost(),
                    "BATCHVAULT_CERTIFICATE_THUMBPRINT", certificate.thumbprint());
            step(out, 7, "Running the task in a new JVM with only these settings (AZ_BATCH_CERTIFICATES_DIR is Batch's):");
            env.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> out.println("      " + e.getKey() + "=" + e.getValue()));

            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Djavax.net.ssl.trustStore=" + azure.trustStore());
            command.add("-Djavax.net.ssl.trustStorePassword=" + azure.trustStorePassword());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(BatchTask.class.getName());
            ProcessBuilder task = new ProcessBuilder(command).redirectErrorStream(true);
            task.environment().keySet().removeIf(k -> k.startsWith("BATCHVAULT_"));
            task.environment().putAll(env);
            Process process = task.start();
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), Charset.defaultCharset()))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    out.println(line);
                }
            }
            int exit = process.waitFor();

            out.println();
            if (exit == 0) {
                step(out, 8, "The task read the secret through certificate authentication: " + azure.tokensIssued()
                        + " token issued, " + vault.requests() + " vault requests (the first one is Key Vault's "
                        + "401 challenge).");
            } else {
                step(out, 8, "The task failed with exit code " + exit);
            }
            return exit;
        } finally {
            deleteTree(work.toFile());
        }
    }

    private static void step(PrintStream out, int n, String text) {
        out.println("[" + n + "] " + text);
    }

    private static String generatedPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteTree(c);
            }
        }
        f.delete();
    }
}
