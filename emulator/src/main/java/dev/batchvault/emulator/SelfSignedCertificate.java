package dev.batchvault.emulator;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A self-signed RSA 2048 certificate with its key, as an administrator makes one for a pool, and
 * the file forms Batch and the Key Vault VM extension put on nodes. For tests and the demo.
 */
public final class SelfSignedCertificate {
    private final X509Certificate certificate;
    private final PrivateKey privateKey;

    private SelfSignedCertificate(X509Certificate certificate, PrivateKey privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    /**
     * @param commonName the common name, such as {@code pool}, or a whole subject such as {@code CN=pool}
     * @return a certificate valid from an hour ago for a year
     */
    public static SelfSignedCertificate create(String commonName) {
        Instant now = Instant.now();
        return create(commonName, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365)));
    }

    /**
     * @param commonName the common name, such as {@code pool}, or a whole subject such as {@code CN=pool}
     * @param notBefore start of validity
     * @param notAfter end of validity
     * @return a certificate valid between those instants
     */
    public static SelfSignedCertificate create(String commonName, Instant notBefore, Instant notAfter) {
        if (commonName == null || commonName.isBlank()) {
            throw new IllegalArgumentException("a common name is required");
        }
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("notAfter " + notAfter + " is not after notBefore " + notBefore);
        }
        String subject = commonName.contains("=") ? commonName : "CN=" + Pki.escapeRdnValue(commonName);
        KeyPair keys = Pki.rsaKeyPair();
        return new SelfSignedCertificate(Pki.selfSigned(keys, subject, notBefore, notAfter, false), keys.getPrivate());
    }

    /** @return the certificate */
    public X509Certificate certificate() {
        return certificate;
    }

    /** @return its private key */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** @return the SHA-1 thumbprint of the DER encoding, 40 upper-case hex digits */
    public String thumbprint() {
        return HexFormat.of().withUpperCase().formatHex(digest("SHA-1", der(certificate)));
    }

    /**
     * Writes key and certificate as PKCS#12, as Batch writes {@code sha1-<thumbprint>.pfx}.
     *
     * @param file where to write
     * @param password the PKCS#12 password; empty for none
     * @return the file
     * @throws IOException if it cannot be written
     */
    public Path writePfx(Path file, char[] password) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("pool", privateKey, password, new Certificate[] {certificate});
            store.store(out, password);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write PKCS#12 " + file, e);
        }
        return file;
    }

    /**
     * Writes the PKCS#8 private key, then the certificate, as the Key Vault VM extension writes PEM.
     *
     * @param file where to write
     * @return the file
     * @throws IOException if it cannot be written
     */
    public Path writePem(Path file) throws IOException {
        return Files.writeString(file, pem("PRIVATE KEY", privateKey.getEncoded()) + pem("CERTIFICATE", der(certificate)),
                StandardCharsets.US_ASCII);
    }

    /**
     * Writes the certificate alone (the public part, as registered on an application).
     *
     * @param file where to write
     * @return the file
     * @throws IOException if it cannot be written
     */
    public Path writeCertificatePem(Path file) throws IOException {
        return Files.writeString(file, pem("CERTIFICATE", der(certificate)), StandardCharsets.US_ASCII);
    }

    /** @return subject and thumbprint; never the key */
    @Override
    public String toString() {
        return "SelfSignedCertificate{" + certificate.getSubjectX500Principal().getName() + ", " + thumbprint() + "}";
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
