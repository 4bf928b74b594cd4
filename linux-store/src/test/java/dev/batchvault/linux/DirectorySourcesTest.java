package dev.batchvault.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.spi.CertificateQuery;
import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.Thumbprint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@EnabledOnOs({OS.LINUX, OS.MAC})
class DirectorySourcesTest {
    static SelfSignedCertificate pool;
    static SelfSignedCertificate issuer;

    @TempDir
    Path dir;
    final List<String> searched = new ArrayList<>();

    @BeforeAll
    static void certificates() {
        pool = SelfSignedCertificate.create("CN=pool");
        issuer = SelfSignedCertificate.create("CN=issuer");
    }

    private static CertificateQuery query(SelfSignedCertificate cert, Map<String, String> settings) {
        return new CertificateQuery(Thumbprint.parse(cert.thumbprint(), "t"), k -> Optional.ofNullable(settings.get(k)));
    }

    private Optional<PoolCertificate> batch(Path batchDir, Path home, SelfSignedCertificate wanted) {
        Map<String, String> env = batchDir == null ? Map.of()
                : Map.of(BatchCertificateDirectory.CERTIFICATES_DIR_VARIABLE, batchDir.toString());
        return new BatchCertificateDirectory(env, home, Clock.systemUTC())
                .find(query(wanted, Map.of()), (location, finding) -> searched.add(location + ": " + finding));
    }

    private Optional<PoolCertificate> extension(List<Path> dirs, SelfSignedCertificate wanted) {
        return new KeyVaultExtensionStore(dirs, Clock.systemUTC())
                .find(query(wanted, Map.of()), (location, finding) -> searched.add(location + ": " + finding));
    }

    @Test
    void batchLayoutFoundByThumbprintAlone() throws Exception {
        Path pfx = Layouts.batch(dir.resolve("wd/certs"), pool, "pw");
        PoolCertificate found = batch(dir.resolve("wd/certs"), dir.resolve("home"), pool).orElseThrow();
        assertThat(found.thumbprint().hex()).isEqualTo(pool.thumbprint());
        assertThat(found.location()).isEqualTo(pfx.toString());
    }

    @Test
    void remoteUserCertsInTheHomeDirectory() throws Exception {
        Layouts.batch(dir.resolve("home/certs"), pool, "");
        assertThat(batch(null, dir.resolve("home"), pool)).isPresent();
    }

    @Test
    void extensionLayoutThroughItsSymlink() throws Exception {
        Path link = Layouts.extension(dir.resolve("store"), "poolvault", "poolcert", "0a1b2c", pool, issuer);
        PoolCertificate found = extension(List.of(dir.resolve("store")), pool).orElseThrow();
        assertThat(found.thumbprint().hex()).isEqualTo(pool.thumbprint());
        assertThat(found.chain()).hasSize(2);
        assertThat(List.of(link.toString(), link.resolveSibling("poolvault.poolcert.0a1b2c").toString()))
                .contains(found.location());
        assertThat(extension(List.of(dir.resolve("missing"), dir.resolve("store")), pool)).isPresent();
        assertThat(searched).anyMatch(s -> s.contains("missing: no such directory"));
    }

    @Test
    void matchesByContentNeverByNameAlone() throws Exception {
        // A file named for the pool certificate that holds another one is skipped with a WARN.
        Path store = Files.createDirectories(dir.resolve("batch"));
        String tp = pool.thumbprint().toLowerCase();
        issuer.writePfx(store.resolve("sha1-" + tp + ".pfx"), new char[0]);
        ListAppender<ILoggingEvent> logs = capture();
        assertThat(batch(store, dir.resolve("home"), pool)).isEmpty();
        assertThat(logs.list).anyMatch(e -> e.getLevel().toString().equals("WARN")
                && e.getFormattedMessage().contains("sha1-" + tp + ".pfx is named for certificate " + pool.thumbprint()
                + " but holds " + issuer.thumbprint()));
        // A PEM file whose name says nothing is found by the certificate inside it.
        Files.createDirectories(dir.resolve("ext"));
        pool.writePem(dir.resolve("ext/whatever-name"));
        assertThat(extension(List.of(dir.resolve("ext")), pool)).isPresent();
    }

    @Test
    void theSameCertificateInSeveralPlacesIsTakenOnceAndSaysWhich() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        Path link = Layouts.extension(store, "poolvault", "poolcert", "v2", pool, null);
        Path copy = pool.writePem(Files.createDirectories(dir.resolve("copied")).resolve("pool.pem"));
        ListAppender<ILoggingEvent> logs = capture();
        ((Logger) LoggerFactory.getLogger(DirectorySource.class)).setLevel(ch.qos.logback.classic.Level.DEBUG);
        try {
            PoolCertificate found = extension(List.of(store, copy.getParent()), pool).orElseThrow();
            assertThat(found.thumbprint().hex()).isEqualTo(pool.thumbprint());
        } finally {
            ((Logger) LoggerFactory.getLogger(DirectorySource.class)).setLevel(null);
        }
        // The symlink and its target are one file; the copy elsewhere is a second place.
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("is in 2 places; using "));
        assertThat(link).exists();
    }

    @Test
    void wrongPasswordIsReportedAndTheSearchGoesOn() throws Exception {
        Path bad = dir.resolve("wd");
        Path pfx = Layouts.batch(bad, pool, "right");
        Files.writeString(pfx.resolveSibling(pfx.getFileName() + ".pw"), "wrong\n");
        assertThatThrownBy(() -> batch(bad, dir.resolve("home"), pool))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining(pfx.toString())
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.WRONG_PASSWORD);

        Layouts.batch(dir.resolve("home/certs"), pool, "right");
        PoolCertificate found = batch(bad, dir.resolve("home"), pool).orElseThrow();
        assertThat(found.location()).startsWith(dir.resolve("home/certs").toString());
        assertThat(searched).anyMatch(s -> s.startsWith(pfx + ": WRONG_PASSWORD"));
    }

    @Test
    void truncatedPemWithoutKeyAndMismatchedKey() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        Path certOnly = pool.writeCertificatePem(store.resolve("poolvault.certonly"));
        assertThatThrownBy(() -> extension(List.of(store), pool))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining(certOnly.toString())
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.NO_PRIVATE_KEY);
        Files.delete(certOnly);

        String otherKey = Files.readString(issuer.writePem(dir.resolve("issuer.pem")));
        otherKey = otherKey.substring(0, otherKey.indexOf("-----BEGIN CERTIFICATE-----"));
        Path mismatch = Files.writeString(store.resolve("poolvault.mismatch"),
                otherKey + Files.readString(pool.writeCertificatePem(dir.resolve("pool.cer.pem"))));
        assertThatThrownBy(() -> extension(List.of(store), pool))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining(mismatch.toString())
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.KEY_MISMATCH);
        Files.delete(mismatch);

        Path batchDir = dir.resolve("wd");
        Path pfx = Layouts.batch(batchDir, pool, "pw");
        byte[] bytes = Files.readAllBytes(pfx);
        Files.write(pfx, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        assertThatThrownBy(() -> batch(batchDir, dir.resolve("home"), pool))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining(pfx.toString())
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.CORRUPT);
    }

    @Test
    void aDirectoryWhereTheFileShouldBe() throws Exception {
        Path wd = Files.createDirectories(dir.resolve("wd"));
        Path notAFile = Files.createDirectory(wd.resolve("sha1-" + pool.thumbprint().toLowerCase() + ".pfx"));
        assertThatThrownBy(() -> batch(wd, dir.resolve("home"), pool))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot read " + notAFile + ": it is a directory, not a file")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.UNREADABLE);
    }

    @Test
    void aPathThroughAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Path through = file.resolve("certs");
        assertThatThrownBy(() -> batch(through, dir.resolve("home"), pool))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot search " + through)
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.UNREADABLE);
    }

    @Test
    void aRootOnlyStoreSaysHowToGetIn() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads every directory; "
                + "the other unreadable cases cover root");
        Path store = Files.createDirectories(dir.resolve("store"));
        pool.writePem(store.resolve("poolvault.poolcert"));
        Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("---------"));
        try {
            assertThatThrownBy(() -> extension(List.of(store), pool))
                    .isInstanceOf(CertificateUnusableException.class)
                    .hasMessageContaining("Cannot list " + store + ": permission denied")
                    .hasMessageContaining("run the task elevated")
                    .hasMessageContaining("elevated start task");
        } finally {
            Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aCerFileIsNotEnough() throws Exception {
        Path wd = Files.createDirectories(dir.resolve("wd"));
        Files.copy(pool.writeCertificatePem(dir.resolve("c.pem")), wd.resolve("sha1-" + pool.thumbprint().toLowerCase() + ".cer"));
        assertThat(batch(wd, dir.resolve("home"), pool)).isEmpty();
        assertThat(searched).anyMatch(s -> s.contains("the public certificate only (.cer)"));
    }

    @Test
    void thousandsOfFilesAreSearchedByNameAndContent() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        for (int i = 0; i < 2_000; i++) {
            Files.writeString(store.resolve("decoy-" + i + ".txt"), "not a certificate " + i);
        }
        for (int i = 0; i < 20; i++) {
            Files.writeString(store.resolve("sha1-" + String.format("%040x", i) + ".pfx"), "other certificates");
        }
        Path link = Layouts.extension(store, "poolvault", "poolcert", "v1", pool, null);
        assertThat(extension(List.of(store), pool)).isPresent();
        // The second search reads no decoy again: their thumbprint lists are remembered.
        assertThat(extension(List.of(store), pool)).isPresent();
        assertThat(link).exists();
    }

    private static ListAppender<ILoggingEvent> capture() {
        Logger logger = (Logger) LoggerFactory.getLogger(DirectorySource.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }
}
