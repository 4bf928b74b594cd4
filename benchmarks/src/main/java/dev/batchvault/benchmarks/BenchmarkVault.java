package dev.batchvault.benchmarks;

import dev.batchvault.emulator.Application;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.emulator.Vault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** One application, its certificate as a PFX without password, and a vault holding one secret it may get. */
final class BenchmarkVault {
    static final String SECRET = "batchAdminPass";
    static final String VALUE = "a-value-of-some-length-0123456789";

    final String tenant = UUID.randomUUID().toString();
    final String clientId = UUID.randomUUID().toString();
    final Vault vault;
    final Path pfx;
    private final AzureEmulator azure;

    BenchmarkVault(AzureEmulator azure) throws IOException {
        this.azure = azure;
        SelfSignedCertificate certificate = SelfSignedCertificate.create("CN=benchmark");
        Application app = azure.tenant(tenant).application(clientId).registerCertificate(certificate.certificate());
        vault = azure.createVault("benchmark", tenant);
        vault.grant(app.principalObjectId(), "get");
        vault.setSecret(SECRET, VALUE);
        pfx = certificate.writePfx(Files.createTempDirectory("benchmark").resolve("pool.pfx"), new char[0]);
    }

    /** The settings a pool would give its tasks. */
    Map<String, String> settings() {
        return Map.of(
                "vault-url", vault.url(),
                "tenant-id", tenant,
                "client-id", clientId,
                "authority-host", azure.authorityHost(),
                "certificate-path", pfx.toString());
    }
}
