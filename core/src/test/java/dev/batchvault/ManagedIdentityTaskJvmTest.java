package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.Fault;
import dev.batchvault.emulator.ManagedIdentity;
import dev.batchvault.emulator.Vault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each auth mode in a task JVM of its own, configured only by environment variables as a pool configures
 * its tasks; the node's IMDS is the emulator's, through {@code AZURE_POD_IDENTITY_AUTHORITY_HOST} in the
 * task's process environment (the mechanism MSAL4J reads), and the vault's TLS is trusted by JVM options.
 */
class ManagedIdentityTaskJvmTest {

    @TempDir
    static Path dir;
    static AzureEmulator azure;
    static Vault vault;
    static ManagedIdentity identity;
    static Fixture fixture;

    @BeforeAll
    static void start() {
        fixture = new Fixture(dir);
        azure = fixture.emulator;
        vault = fixture.vault;
        vault.setSecret("batchAdminPass", "task-jvm-value");
        identity = azure.tenant(Fixture.TENANT).userAssignedIdentity("pool-identity");
        azure.imds().assign(identity);
        vault.grant(identity.principalId(), "get");
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static String[] runTask(Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavax.net.ssl.trustStore=" + azure.trustStore(),
                "-Djavax.net.ssl.trustStorePassword=" + azure.trustStorePassword(),
                "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-cp", System.getProperty("java.class.path"), TaskMain.class.getName(), "batchAdminPass"));
        ProcessBuilder task = new ProcessBuilder(command).redirectErrorStream(true);
        task.environment().keySet().removeIf(k -> k.startsWith("BATCHVAULT_") || k.startsWith("AZURE_"));
        task.environment().putAll(env);
        Process process = task.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String[] {Integer.toString(process.exitValue()), out};
    }

    @Test
    void managedIdentityByAzureClientIdWithNoCertificate() throws Exception {
        long served = azure.imds().faultsServed();
        azure.imds().inject(Fault.status(503).times(1));
        String[] result = runTask(Map.of(
                "BATCHVAULT_VAULT_URL", vault.url(),
                "AZURE_CLIENT_ID", identity.clientId(),
                "AZURE_POD_IDENTITY_AUTHORITY_HOST", azure.imds().endpoint()));
        assertThat(result[1]).contains("read batchAdminPass (14 characters)").doesNotContain("task-jvm-value");
        assertThat(result[0]).isEqualTo("0");
        assertThat(azure.imds().faultsServed() - served).as("the fresh node's IMDS failure was retried").isEqualTo(1);
    }

    @Test
    void explicitManagedIdentityModeByResourceId() throws Exception {
        String[] result = runTask(Map.of(
                "BATCHVAULT_VAULT_URL", vault.url(),
                "BATCHVAULT_AUTH_MODE", "managed-identity",
                "BATCHVAULT_MANAGED_IDENTITY_RESOURCE_ID", identity.resourceId(),
                "AZURE_POD_IDENTITY_AUTHORITY_HOST", azure.imds().endpoint()));
        assertThat(result[1]).contains("read batchAdminPass");
        assertThat(result[0]).isEqualTo("0");
    }

    @Test
    void autoPrefersTheCertificateWhenOneIsConfigured() throws Exception {
        long issued = azure.imds().tokensIssued();
        String[] result = runTask(Map.of(
                "BATCHVAULT_VAULT_URL", vault.url(),
                "BATCHVAULT_TENANT_ID", Fixture.TENANT,
                "BATCHVAULT_CLIENT_ID", Fixture.CLIENT,
                "BATCHVAULT_AUTHORITY_HOST", azure.authorityHost(),
                "BATCHVAULT_CERTIFICATE_PATH", fixture.pfx.toString(),
                "BATCHVAULT_CERTIFICATE_PASSWORD_FILE", fixture.passwordFile.toString(),
                "AZURE_CLIENT_ID", identity.clientId(),
                "AZURE_POD_IDENTITY_AUTHORITY_HOST", azure.imds().endpoint()));
        assertThat(result[1]).contains("read batchAdminPass");
        assertThat(result[0]).isEqualTo("0");
        assertThat(azure.imds().tokensIssued()).as("IMDS not asked").isEqualTo(issued);
    }

    @Test
    void autoWithNeitherExplainsBoth() throws Exception {
        String[] result = runTask(Map.of("BATCHVAULT_VAULT_URL", vault.url()));
        assertThat(result[0]).isEqualTo("2");
        assertThat(result[1]).contains("InvalidConfigurationException: No way to authenticate is configured")
                .contains("AZURE_CLIENT_ID").contains("BATCHVAULT_CERTIFICATE_THUMBPRINT");
    }

    @Test
    void anIdentityNotOnThisNodeIsExplained() throws Exception {
        String[] result = runTask(Map.of(
                "BATCHVAULT_VAULT_URL", vault.url(),
                "BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID", UUID.randomUUID().toString(),
                "AZURE_POD_IDENTITY_AUTHORITY_HOST", azure.imds().endpoint()));
        assertThat(result[0]).isEqualTo("2");
        assertThat(result[1]).contains("AuthenticationRefusedException").contains("Identity not found")
                .contains("not assigned to this node's pool");
    }
}
