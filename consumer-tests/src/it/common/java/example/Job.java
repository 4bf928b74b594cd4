package example;

import dev.batchvault.BatchVault;
import dev.batchvault.InvalidConfigurationException;
import dev.batchvault.emulator.Application;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.emulator.Vault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Batch job's main class as a user writes it, plus the emulator playing Entra ID, Key Vault and
 * Batch (which puts the pool certificate into $AZ_BATCH_CERTIFICATES_DIR). Exits non-zero, saying
 * why, when the job's own logging is lost or the secret cannot be read.
 *
 * <p>Arguments: none (read the secret here); {@code --expect-old-azure-refused} (build() must refuse
 * the Azure jars); {@code --run-module <module-path file> <job jar> <module/class>} (start that job in
 * its own JVM on the module path, configured as a Batch job is: environment variables only).
 */
public final class Job {
    private static final Logger LOG = LoggerFactory.getLogger(Job.class);
    private static final String VALUE = "consumer-job-secret-value";

    private Job() {
    }

    public static void main(String[] args) throws Exception {
        boolean expectRefusal = args.length > 0 && args[0].equals("--expect-old-azure-refused");
        String backend = LoggerFactory.getILoggerFactory().getClass().getName();
        if (backend.contains("NOP") || backend.contains("Substitute")) {
            fail("no SLF4J backend is bound (" + backend + "): the job's own log lines are lost");
        }
        LOG.info("job: own log line, through {}", backend);

        Path certs = Path.of(System.getenv("AZ_BATCH_CERTIFICATES_DIR"));
        try (AzureEmulator azure = AzureEmulator.start()) {
            String tenantId = UUID.randomUUID().toString();
            String clientId = UUID.randomUUID().toString();
            SelfSignedCertificate certificate = SelfSignedCertificate.create("CN=consumer-job");
            Application app = azure.tenant(tenantId).application(clientId).registerCertificate(certificate.certificate());
            Vault vault = azure.createVault("jobvault", tenantId);
            vault.setSecret("batchAdminPass", VALUE);
            vault.grant(app.principalObjectId(), "get");

            Files.createDirectories(certs);
            String file = "sha1-" + certificate.thumbprint().toLowerCase(Locale.ROOT) + ".pfx";
            char[] password = UUID.randomUUID().toString().toCharArray();
            certificate.writePfx(certs.resolve(file), password);
            Files.write(certs.resolve(file + ".pw"), new String(password).getBytes(StandardCharsets.UTF_8));

            if (args.length == 4 && args[0].equals("--run-module")) {
                String modulePath = new String(Files.readAllBytes(Path.of(args[1])), StandardCharsets.UTF_8).trim()
                        + java.io.File.pathSeparator + args[2];
                List<String> command = new ArrayList<>();
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.add("-Djavax.net.ssl.trustStore=" + azure.trustStore());
                command.add("-Djavax.net.ssl.trustStorePassword=" + azure.trustStorePassword());
                command.add("--module-path");
                command.add(modulePath);
                command.add("-m");
                command.add(args[3]);
                ProcessBuilder task = new ProcessBuilder(command).inheritIO();
                task.environment().put("BATCHVAULT_VAULT_URL", vault.url());
                task.environment().put("BATCHVAULT_TENANT_ID", tenantId);
                task.environment().put("BATCHVAULT_CLIENT_ID", clientId);
                task.environment().put("BATCHVAULT_CERTIFICATE_THUMBPRINT", certificate.thumbprint());
                task.environment().put("BATCHVAULT_AUTHORITY_HOST", azure.authorityHost());
                int exit = task.start().waitFor();
                if (exit != 0) {
                    fail("the job on the module path exited with " + exit);
                }
                return;
            }

            BatchVault vaultClient;
            try {
                vaultClient = BatchVault.builder()
                        .vaultUrl(vault.url())
                        .tenantId(tenantId)
                        .clientId(clientId)
                        .certificateThumbprint(certificate.thumbprint())
                        .authorityHost(azure.authorityHost())
                        .sslContext(azure.sslContext())
                        .build();
            } catch (InvalidConfigurationException e) {
                if (expectRefusal && e.getMessage().contains("batchvault-bom")) {
                    System.out.println("job: refused as expected: " + e.getMessage());
                    return;
                }
                throw e;
            }
            try (BatchVault batchVault = vaultClient) {
                if (expectRefusal) {
                    fail("build() accepted Azure jars older than the tested ones");
                }
                String value = batchVault.get("batchAdminPass").value();
                if (!VALUE.equals(value)) {
                    fail("read a different value for batchAdminPass");
                }
                System.out.println("job: read batchAdminPass (" + value.length() + " characters)");
                LOG.info("job: done");
            }
        }
    }

    private static void fail(String why) {
        System.out.println("job: FAILED: " + why);
        System.exit(3);
    }
}
