package dev.batchvault.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.BatchVault;
import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.emulator.Application;
import dev.batchvault.emulator.AzureEmulator;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.emulator.Vault;
import dev.batchvault.spi.Thumbprint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real store, on Windows (an elevated session: the hosted CI runner is one). Each case imports
 * a new certificate into LocalMachine\My with certutil, in a CNG key storage provider or a legacy
 * CryptoAPI provider, exportable or not, reads a secret from the emulator with only the thumbprint
 * configured, and removes the certificate and its key again.
 */
@EnabledOnOs(OS.WINDOWS)
class LocalMachineStoreWindowsTest {
    static final String TENANT = UUID.randomUUID().toString();
    static final String CLIENT = UUID.randomUUID().toString();

    static AzureEmulator azure;
    static Vault vault;
    static Application app;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        azure = AzureEmulator.start();
        app = azure.tenant(TENANT).application(CLIENT);
        vault = azure.createVault("windowsvault", TENANT);
        vault.grant(app.principalObjectId(), "get");
        vault.setSecret("batchAdminPass", "from-the-windows-store");
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @ParameterizedTest(name = "{0}, exportable {1}")
    @CsvSource({
        "Microsoft Software Key Storage Provider, true",
        "Microsoft Software Key Storage Provider, false",
        "Microsoft Enhanced RSA and AES Cryptographic Provider, true",
        "Microsoft Enhanced RSA and AES Cryptographic Provider, false"})
    void findsSignsAndReadsASecret(String provider, boolean exportable) throws Exception {
        SelfSignedCertificate pool = SelfSignedCertificate.create("CN=batchvault-windows-test-" + UUID.randomUUID());
        app.registerCertificate(pool.certificate());
        Path pfx = pool.writePfx(dir.resolve("pool.pfx"), "import-pass".toCharArray());
        List<String> importCommand = new ArrayList<>(Arrays.asList("certutil", "-f", "-p", "import-pass", "-csp", provider,
                "-importPFX", "My", pfx.toString()));
        if (!exportable) {
            importCommand.add("NoExport");
        }
        run(importCommand);
        try {
            try (BatchVault batchVault = BatchVault.builder().vaultUrl(vault.url()).tenantId(TENANT).clientId(CLIENT)
                    .authorityHost(azure.authorityHost()).sslContext(azure.sslContext())
                    .certificateThumbprint(pool.thumbprint()).build()) {
                assertThat(batchVault.get("batchAdminPass").value()).isEqualTo("from-the-windows-store");
            }
        } finally {
            remove(pool.thumbprint());
        }
    }

    @Test
    void aCertificateWithoutItsKey() throws Exception {
        SelfSignedCertificate pool = SelfSignedCertificate.create("CN=batchvault-windows-test-" + UUID.randomUUID());
        Path cer = pool.writeCertificatePem(dir.resolve("pool.cer"));
        run(List.of("certutil", "-f", "-addstore", "My", cer.toString()));
        try {
            WindowsCertificateStore source = new WindowsCertificateStore();
            dev.batchvault.spi.CertificateQuery query = new dev.batchvault.spi.CertificateQuery(
                    Thumbprint.parse(pool.thumbprint(), "t"), k -> Optional.empty());
            assertThatThrownBy(() -> source.find(query, (location, finding) -> { }))
                    .isInstanceOfSatisfying(CertificateUnusableException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.NO_PRIVATE_KEY))
                    .hasMessageContaining("0x8009200B");
        } finally {
            remove(pool.thumbprint());
        }
    }

    @Test
    void theNativeLayerOnWindows() throws Exception {
        JnaNativeStores natives = new JnaNativeStores();
        try (NativeStores.Store my = natives.open(StoreName.DEFAULT)) {
            assertThat(my.findBySha1(new byte[20])).isEmpty();
            assertThat(my.certificates()).isNotNull();
        }
        assertThatThrownBy(() -> natives.open(new StoreName(StoreName.Location.LOCAL_MACHINE, "NoSuchStore" + UUID.randomUUID())))
                .isInstanceOfSatisfying(WindowsException.class,
                        e -> assertThat(e.code()).isIn(WindowsException.ERROR_FILE_NOT_FOUND,
                                WindowsException.HRESULT_FILE_NOT_FOUND));
        List<String> searched = new ArrayList<>();
        dev.batchvault.spi.CertificateQuery query = new dev.batchvault.spi.CertificateQuery(
                Thumbprint.parse("00".repeat(20), "t"), k -> Optional.empty());
        assertThat(new WindowsCertificateStore().find(query, (l, f) -> searched.add(l + ": " + f))).isEmpty();
        assertThat(searched).singleElement().asString().startsWith("LocalMachine\\My: ");
    }

    private static void remove(String thumbprint) throws Exception {
        run(List.of("powershell", "-NoProfile", "-NonInteractive", "-Command",
                "Remove-Item -Path Cert:\\LocalMachine\\My\\" + thumbprint + " -DeleteKey"));
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("batchvault-windows-test", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command.get(0)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, Files.readString(log, StandardCharsets.UTF_8)).isZero();
    }
}
