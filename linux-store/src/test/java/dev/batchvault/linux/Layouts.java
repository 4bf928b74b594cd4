package dev.batchvault.linux;

import dev.batchvault.emulator.SelfSignedCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Certificate files laid out the way Batch and the Key Vault VM extension lay them out. */
final class Layouts {
    private Layouts() {
    }

    /** Batch: {@code sha1-<lowercase thumbprint>.pfx} and its password, plain text with a newline. */
    static Path batch(Path dir, SelfSignedCertificate cert, String password) throws IOException {
        Files.createDirectories(dir);
        String tp = cert.thumbprint().toLowerCase(Locale.ROOT);
        Path pfx = cert.writePfx(dir.resolve("sha1-" + tp + ".pfx"), password.toCharArray());
        Files.writeString(dir.resolve("sha1-" + tp + ".pfx.pw"), password + "\n", StandardCharsets.UTF_8);
        return pfx;
    }

    /**
     * The extension: a versioned PEM file (key, certificate, then the issuer chain) and a
     * {@code <vault>.<certificate>} symlink to it.
     */
    static Path extension(Path dir, String vault, String name, String version, SelfSignedCertificate cert,
            SelfSignedCertificate issuer) throws IOException {
        Files.createDirectories(dir);
        Path versioned = dir.resolve(vault + "." + name + "." + version);
        cert.writePem(versioned);
        if (issuer != null) {
            Path tmp = Files.createTempFile("issuer", ".pem");
            Files.writeString(versioned, Files.readString(versioned) + Files.readString(issuer.writeCertificatePem(tmp)));
            Files.delete(tmp);
        }
        Path link = dir.resolve(vault + "." + name);
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, versioned.getFileName());
        return link;
    }
}
