package dev.batchvault.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.spi.CertificateQuery;
import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.Thumbprint;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Batch certificate directory as an attacker (or an accident) shapes it, searched by
 * thumbprint alone: FIFOs and huge files under the Batch names, a PFX whose wanted entry is not the
 * first, a PEM with two pairs, and a wrong password that must name the {@code .pfx.pw} read.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class NodeFileHazardsTest {
    static SelfSignedCertificate pool;
    static SelfSignedCertificate other;

    @TempDir
    Path dir;
    final List<String> searched = new ArrayList<>();

    @BeforeAll
    static void certificates() {
        pool = SelfSignedCertificate.create("CN=pool");
        other = SelfSignedCertificate.create("CN=other");
    }

    private Optional<PoolCertificate> batch(Path batchDir) {
        return new BatchCertificateDirectory(Map.of(BatchCertificateDirectory.CERTIFICATES_DIR_VARIABLE,
                batchDir.toString()), dir.resolve("home"), Clock.systemUTC())
                .find(new CertificateQuery(Thumbprint.parse(pool.thumbprint(), "t"), k -> Optional.empty()),
                        (location, finding) -> searched.add(location + ": " + finding));
    }

    private Path named(Path batchDir, String suffix) throws IOException {
        Files.createDirectories(batchDir);
        return batchDir.resolve("sha1-" + pool.thumbprint().toLowerCase(Locale.ROOT) + suffix);
    }

    @Test
    void aFifoNamedForTheCertificateIsRefusedWithoutBlocking() throws Exception {
        Path batchDir = dir.resolve("wd");
        Path fifo = mkfifo(named(batchDir, ".pfx"));
        assertThatThrownBy(() -> unblockingIfStuck(fifo, () -> batch(batchDir)))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot read " + fifo + ": it is a special file (FIFO, socket or device)")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.UNREADABLE);
    }

    @Test
    void aFifoNamedForThePasswordIsRefusedWithoutBlocking() throws Exception {
        Path batchDir = dir.resolve("wd");
        pool.writePfx(named(batchDir, ".pfx"), "pw".toCharArray());
        Path fifo = mkfifo(named(batchDir, ".pfx.pw"));
        assertThatThrownBy(() -> unblockingIfStuck(fifo, () -> batch(batchDir)))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot read " + fifo + ": it is a special file");
    }

    @Test
    void aFifoAmongThePemFilesIsSkipped() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        Path fifo = mkfifo(store.resolve("aaa-first"));
        pool.writePem(store.resolve("zzz-pool.pem"));
        Optional<PoolCertificate> found = unblockingIfStuck(fifo, () -> new KeyVaultExtensionStore(List.of(store),
                Clock.systemUTC()).find(new CertificateQuery(Thumbprint.parse(pool.thumbprint(), "t"),
                k -> Optional.empty()), (location, finding) -> searched.add(location + ": " + finding)));
        assertThat(found).isPresent();
    }

    @Test
    void aGibibyteFileNamedForTheCertificateOrPasswordIsRefusedUnread() throws Exception {
        Path batchDir = dir.resolve("wd");
        Path huge = sparse(named(batchDir, ".pfx"), 1L << 30);
        assertThatThrownBy(() -> batch(batchDir))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot use " + huge + ": it holds more than 65536 bytes")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.TOO_LARGE);
        pool.writePfx(huge, "pw".toCharArray());
        Path hugePassword = sparse(named(batchDir, ".pfx.pw"), 1L << 30);
        assertThatThrownBy(() -> batch(batchDir))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot use " + hugePassword + ": it holds more than 1024 bytes");
    }

    @Test
    void theWantedEntryIsFoundWhenItIsNotTheFirst() throws Exception {
        Path batchDir = dir.resolve("wd");
        char[] password = "pw".toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("1", other.privateKey(), password, new Certificate[] {other.certificate()});
        store.setKeyEntry("2", pool.privateKey(), password, new Certificate[] {pool.certificate()});
        Path pfx = named(batchDir, ".pfx");
        try (FileOutputStream out = new FileOutputStream(pfx.toFile())) {
            store.store(out, password);
        }
        Files.writeString(named(batchDir, ".pfx.pw"), "pw\n");
        PoolCertificate found = batch(batchDir).orElseThrow();
        assertThat(found.thumbprint().hex()).isEqualTo(pool.thumbprint());
        assertThat(found.location()).isEqualTo(pfx.toString());
    }

    @Test
    void theWantedPairIsFoundInAPemWithTwo() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        Files.writeString(store.resolve("both.pem"), Files.readString(pool.writePem(dir.resolve("p.pem")))
                + Files.readString(other.writePem(dir.resolve("o.pem"))));
        PoolCertificate found = new KeyVaultExtensionStore(List.of(store), Clock.systemUTC())
                .find(new CertificateQuery(Thumbprint.parse(pool.thumbprint(), "t"), k -> Optional.empty()),
                        (location, finding) -> searched.add(location + ": " + finding)).orElseThrow();
        assertThat(found.thumbprint().hex()).isEqualTo(pool.thumbprint());
        assertThat(found.chain()).hasSize(1);
    }

    @Test
    void aWrongPasswordNamesThePasswordFileReadAndNoSettingThatCannotApply() throws Exception {
        Path batchDir = dir.resolve("wd");
        Path pfx = Layouts.batch(batchDir, pool, "right");
        Path pw = Files.writeString(named(batchDir, ".pfx.pw"), "\uFEFFwrong \n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> batch(batchDir))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot open " + pfx + ": the password is wrong: the one in " + pw)
                .hasMessageContaining(pw + " ends in whitespace")
                .hasMessageNotContaining("certificate-password-file");
        Files.writeString(pw, "\uFEFFright\n", StandardCharsets.UTF_8);
        assertThat(batch(batchDir)).isPresent();
        Files.delete(pw);
        assertThatThrownBy(() -> batch(batchDir))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("no password file was read. Batch writes it beside the certificate as " + pw)
                .hasMessageNotContaining("certificate-password-file");
    }

    static Path mkfifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor()).as("mkfifo").isZero();
        return path;
    }

    static Path sparse(Path path, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.setLength(size);
        }
        return path;
    }

    /** Runs the action; if it is still blocked on the FIFO after a while, a writer unblocks it with junk. */
    static <T> T unblockingIfStuck(Path fifo, Callable<T> action) throws Exception {
        Thread guard = new Thread(() -> {
            try {
                Thread.sleep(10_000);
                try (FileOutputStream out = new FileOutputStream(fifo.toFile())) {
                    out.write("junk".getBytes(StandardCharsets.US_ASCII));
                }
            } catch (InterruptedException | IOException e) {
                // not stuck
            }
        }, "fifo-guard");
        guard.setDaemon(true);
        guard.start();
        try {
            return action.call();
        } finally {
            guard.interrupt();
        }
    }
}
