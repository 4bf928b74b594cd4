package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.emulator.SelfSignedCertificate;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.slf4j.LoggerFactory;

/**
 * Files on the node, as an attacker (or an accident) shapes them, through the public builder: a
 * FIFO, socket or device where the certificate or its password should be, files too large to be
 * one, several key pairs in one file, a password file with a byte order mark or stray whitespace,
 * and a certificate whose validity starts a little after the node's clock.
 */
class NodeFileHazardsTest extends WithFixture {

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void aFifoInPlaceOfTheCertificateIsRefusedWithoutBlocking() throws Exception {
        Path fifo = mkfifo(dir.resolve("fifo-cert.pfx"));
        assertThatThrownBy(() -> unblockingIfStuck(fifo, () -> fixture.builder().certificatePath(fifo).build()))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot read " + fifo + ": it is a special file (FIFO, socket or device)")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.UNREADABLE);
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void aFifoInPlaceOfThePasswordFileIsRefusedWithoutBlocking() throws Exception {
        Path fifo = mkfifo(dir.resolve("fifo.pfx.pw"));
        assertThatThrownBy(() -> unblockingIfStuck(fifo, () -> fixture.builder().certificatePasswordFile(fifo).build()))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot read " + fifo + ": it is a special file")
                .extracting(e -> ((CertificateUnusableException) e).location()).isEqualTo(fifo.toString());
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void aSocketOrADeviceIsRefused() throws Exception {
        Path socket = dir.resolve("socket.pfx");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertThatThrownBy(() -> fixture.builder().certificatePath(socket).build())
                    .isInstanceOf(CertificateUnusableException.class)
                    .hasMessageContaining("Cannot read " + socket + ": it is a special file");
        }
        Path zero = Files.createSymbolicLink(dir.resolve("zero.pfx"), Path.of("/dev/zero"));
        assertThatThrownBy(() -> fixture.builder().certificatePath(zero).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot read " + zero + ": it is a special file")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.UNREADABLE);
        Path zeroPassword = Files.createSymbolicLink(dir.resolve("zero.pfx.pw"), Path.of("/dev/zero"));
        assertThatThrownBy(() -> fixture.builder().certificatePasswordFile(zeroPassword).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot read " + zeroPassword + ": it is a special file");
        Files.delete(zero);
        Files.delete(zeroPassword);
    }

    @Test
    void aGibibyteCertificateOrPasswordFileIsRefusedUnread() throws Exception {
        Path huge = sparse(dir.resolve("huge.pfx"), 1L << 30);
        assertThatThrownBy(() -> fixture.builder().certificatePath(huge).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot use " + huge + ": it holds more than 65536 bytes, the most a certificate "
                        + "file may hold")
                .hasMessageContaining("it was not read")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.TOO_LARGE);
        Path hugePassword = sparse(dir.resolve("huge.pfx.pw"), 1L << 30);
        assertThatThrownBy(() -> fixture.builder().certificatePasswordFile(hugePassword).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("Cannot use " + hugePassword + ": it holds more than 1024 bytes, the most a "
                        + "password file may hold")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.TOO_LARGE);
    }

    @Test
    void thePairWantedIsPickedFromAPemWithTwo() throws Exception {
        SelfSignedCertificate second = SelfSignedCertificate.create("CN=second");
        Path both = Files.writeString(dir.resolve("two-pairs.pem"), Files.readString(
                second.writePem(dir.resolve("second.pem"))) + Files.readString(fixture.certificate.writePem(
                dir.resolve("first.pem"))));
        fixture.vault.setSecret("fromPem", "pem-value");
        try (BatchVault vault = fixture.builder().certificatePath(both)
                .certificateThumbprint(fixture.certificate.thumbprint()).build()) {
            assertThat(vault.get("fromPem").value()).isEqualTo("pem-value");
        }
        try (BatchVault vault = fixture.builder().certificatePath(both)
                .certificateThumbprint(second.thumbprint()).build()) {
            assertThat(vault.toString()).isNotEmpty(); // built with the second pair: thumbprint and key agree
        }
    }

    @Test
    void theEntryWantedIsPickedFromAPfxWithTwo() throws Exception {
        SelfSignedCertificate first = SelfSignedCertificate.create("CN=first-entry");
        char[] password = "pfx-pass".toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("a-first", first.privateKey(), password, new Certificate[] {first.certificate()});
        store.setKeyEntry("b-wanted", fixture.certificate.privateKey(), password,
                new Certificate[] {fixture.certificate.certificate()});
        Path pfx = dir.resolve("two-entries.pfx");
        try (FileOutputStream out = new FileOutputStream(pfx.toFile())) {
            store.store(out, password);
        }
        fixture.vault.setSecret("fromPfx", "pfx-value");
        try (BatchVault vault = fixture.builder().certificatePath(pfx)
                .certificateThumbprint(fixture.certificate.thumbprint()).build()) {
            assertThat(vault.get("fromPfx").value()).isEqualTo("pfx-value");
        }
    }

    @Test
    void aPasswordFileWithAByteOrderMarkWorks() throws Exception {
        Path bom = Files.write(dir.resolve("bom.pfx.pw"), "\uFEFFpfx-pass\r\n".getBytes(StandardCharsets.UTF_8));
        fixture.vault.setSecret("withBom", "bom-value");
        try (BatchVault vault = fixture.builder().certificatePasswordFile(bom).build()) {
            assertThat(vault.get("withBom").value()).isEqualTo("bom-value");
        }
    }

    @Test
    void aWrongPasswordNamesTheFileReadAndTrailingWhitespace() throws Exception {
        Path spaced = Files.writeString(dir.resolve("spaced.pfx.pw"), "pfx-pass \n");
        assertThatThrownBy(() -> fixture.builder().certificatePasswordFile(spaced).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("the one in " + spaced + " does not open it")
                .hasMessageContaining(spaced + " ends in whitespace beyond the one trailing newline that is ignored")
                .hasMessageContaining("Put the certificate's password in " + spaced)
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.WRONG_PASSWORD);
        Path wrong = Files.writeString(dir.resolve("wrong.pfx.pw"), "not-it\n");
        assertThatThrownBy(() -> fixture.builder().certificatePasswordFile(wrong).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageNotContaining("whitespace");
    }

    @Test
    void aPfxWithoutPasswordFileNamesTheSettingThatGivesIt() {
        assertThatThrownBy(() -> BatchVault.builder().vaultUrl(fixture.vault.url()).tenantId(Fixture.TENANT)
                .clientId(Fixture.CLIENT).authorityHost(fixture.emulator.authorityHost())
                .sslContext(fixture.emulator.sslContext()).certificatePath(fixture.pfx).build())
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("it needs a password and certificate-password-file is not set")
                .hasMessageContaining(fixture.pfx.getFileName() + ".pw")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.WRONG_PASSWORD);
    }

    @Test
    void aCertificateValidInAFewMinutesIsUsedWithAWarning() throws Exception {
        Instant now = Instant.now();
        ListAppender<ILoggingEvent> logs = capture();
        try {
            SelfSignedCertificate soon = SelfSignedCertificate.create("CN=soon", now.plus(Duration.ofMinutes(3)),
                    now.plus(400, ChronoUnit.DAYS));
            Path soonPem = soon.writePem(dir.resolve("soon.pem"));
            try (BatchVault vault = fixture.builder().certificatePath(soonPem).build()) {
                assertThat(vault).isNotNull();
            }
            assertThat(logs.list).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).contains("is not valid before", soonPem.toString(),
                        "Entra ID allows 5 minutes of clock skew");
            });
            SelfSignedCertificate later = SelfSignedCertificate.create("CN=later", now.plus(Duration.ofMinutes(6)),
                    now.plus(400, ChronoUnit.DAYS));
            Path laterPem = later.writePem(dir.resolve("later.pem"));
            assertThatThrownBy(() -> fixture.builder().certificatePath(laterPem).build())
                    .isInstanceOf(CertificateUnusableException.class)
                    .hasMessageContaining("more than 5 minutes ahead")
                    .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.NOT_YET_VALID);
        } finally {
            ((Logger) LoggerFactory.getLogger(CertificateLocator.class)).detachAppender(logs);
        }
    }

    private static ListAppender<ILoggingEvent> capture() {
        Logger logger = (Logger) LoggerFactory.getLogger(CertificateLocator.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
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

    /**
     * Runs the action; should it still be blocked on the FIFO after a while, a helper opens the FIFO
     * for writing and writes junk, which unblocks a blocked reader. The test then fails on what the
     * action returned or threw, not on how long it took.
     */
    static <T> T unblockingIfStuck(Path fifo, Callable<T> action) throws Exception {
        Thread guard = new Thread(() -> {
            try {
                Thread.sleep(10_000);
                try (FileOutputStream out = new FileOutputStream(fifo.toFile())) {
                    out.write("junk".getBytes(StandardCharsets.US_ASCII));
                }
            } catch (InterruptedException | IOException e) {
                // not stuck, or nothing to unblock
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
