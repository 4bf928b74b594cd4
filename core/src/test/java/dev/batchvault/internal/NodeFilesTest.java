package dev.batchvault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class NodeFilesTest {
    @TempDir
    Path dir;

    @Test
    void readsARegularFileUpToTheLimit() throws Exception {
        byte[] content = new byte[100];
        Arrays.fill(content, (byte) 'x');
        Path file = Files.write(dir.resolve("exact"), content);
        assertThat(NodeFiles.read(file, 100)).isEqualTo(content);
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        assertThat(NodeFiles.read(link, 100)).isEqualTo(content);
        assertThatThrownBy(() -> NodeFiles.read(file, 99))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("it holds more than 99 bytes")
                .extracting(e -> ((CertificateUnusableException) e).reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(NodeFiles.read(Files.write(dir.resolve("empty"), new byte[0]), 10)).isEmpty();
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("missing.pfx");
        assertThatThrownBy(() -> NodeFiles.read(missing, 10))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessage(missing + " does not exist.");
    }

    /**
     * The race: a FIFO swapped in after the check. The non-blocking open itself (what runs after the
     * check) is given the FIFO: it opens without waiting for a writer and refuses what it opened.
     */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void aFifoSwappedInAfterTheCheckIsRefusedByTheOpenItself() throws Exception {
        assertThat(NodeFiles.NonBlockingOpen.ENABLED).as("JNA loads here").isTrue();
        Path fifo = dir.resolve("swapped.pfx");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(p.waitFor()).isZero();
        Thread guard = unblockAfterAWhile(fifo);
        try {
            assertThatThrownBy(() -> NodeFiles.NonBlockingOpen.read(fifo, 1024))
                    .isInstanceOf(CertificateUnusableException.class)
                    .hasMessageContaining("it is a special file (FIFO, socket or device)");
        } finally {
            guard.interrupt();
        }
    }

    private static Thread unblockAfterAWhile(Path fifo) {
        Thread guard = new Thread(() -> {
            try {
                Thread.sleep(10_000);
                try (FileOutputStream out = new FileOutputStream(fifo.toFile())) {
                    out.write("junk".getBytes(StandardCharsets.US_ASCII));
                }
            } catch (InterruptedException | IOException e) {
                // not stuck
            }
        });
        guard.setDaemon(true);
        guard.start();
        return guard;
    }
}
