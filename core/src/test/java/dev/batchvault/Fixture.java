package dev.batchvault;

import dev.batchvault.emulator.Application;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.emulator.Vault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * An emulator with one tenant, one application whose certificate is registered, and one vault
 * where the application may get secrets; the certificate written as Batch writes it (PFX and
 * password file).
 */
final class Fixture implements AutoCloseable {
    static final String TENANT = "8a5a4c1e-2b73-4d8f-9c1e-5b2f9d3a7e10";
    static final String CLIENT = "d3f1a2b4-5c6d-4e7f-8a9b-0c1d2e3f4a5b";

    final AzureEmulator emulator;
    final Application application;
    final Vault vault;
    final SelfSignedCertificate certificate;
    final Path pfx;
    final Path passwordFile;

    Fixture(Path dir) {
        try {
            emulator = AzureEmulator.start();
            certificate = SelfSignedCertificate.create("CN=batchvault-pool");
            application = emulator.tenant(TENANT).application(CLIENT).registerCertificate(certificate.certificate());
            vault = emulator.createVault("poolvault", TENANT);
            vault.grant(application.principalObjectId(), "get");
            String thumb = certificate.thumbprint().toLowerCase();
            pfx = certificate.writePfx(dir.resolve("sha1-" + thumb + ".pfx"), "pfx-pass".toCharArray());
            passwordFile = Files.writeString(dir.resolve("sha1-" + thumb + ".pfx.pw"), "pfx-pass\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A builder with everything set for this fixture's vault. */
    BatchVault.Builder builder() {
        return BatchVault.builder()
                .vaultUrl(vault.url())
                .tenantId(TENANT)
                .clientId(CLIENT)
                .authorityHost(emulator.authorityHost())
                .sslContext(emulator.sslContext())
                .certificatePath(pfx)
                .certificatePasswordFile(passwordFile);
    }

    static String randomClientId() {
        return UUID.randomUUID().toString();
    }

    @Override
    public void close() {
        emulator.close();
    }
}
