package dev.batchvault.setup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 1: a new self-signed certificate and its private key, in memory, that can be written as a
 * password-protected {@code .pfx} (PKCS#12, what {@code pvk2pfx} made) and a {@code .cer} (DER).
 *
 * <p>Made with the JDK alone: the certificate is encoded here (X.509 v3, SHA-256 with RSA, key usage
 * digital signature and key encipherment, extended key usage client authentication) and read back by
 * the JDK's {@link CertificateFactory}, so that what is returned is what any reader sees.
 * {@link #toString()} never shows the key.
 */
public final class GeneratedCertificate {
    private static final Logger LOG = LoggerFactory.getLogger(GeneratedCertificate.class);
    private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
    private static final String ALIAS = "batchvault";

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final List<String> warnings;

    private GeneratedCertificate(X509Certificate certificate, PrivateKey privateKey, List<String> warnings) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.warnings = warnings;
    }

    /**
     * Makes a key pair and a self-signed certificate for it.
     *
     * @param spec subject, key size and validity
     * @return the certificate with its key; {@link #warnings()} says if the validity is short
     * @throws IllegalStateException if the JDK lacks RSA or SHA-256 (it never does)
     */
    public static GeneratedCertificate create(CertificateSpec spec) {
        Objects.requireNonNull(spec, "spec == null");
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(spec.keySize(), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            byte[] serialBytes = new byte[16];
            new SecureRandom().nextBytes(serialBytes);
            serialBytes[0] &= 0x7F; // positive, at most 20 octets (RFC 5280 4.1.2.2)
            serialBytes[0] |= 0x01;
            BigInteger serial = new BigInteger(serialBytes);
            byte[] name = spec.subject().getEncoded();
            byte[] algorithm = Der.sequence(Der.oid(SHA256_WITH_RSA), Der.nullValue());
            byte[] publicKeyInfo = keys.getPublic().getEncoded();
            byte[] tbs = Der.sequence(
                    Der.explicit(0, Der.integer(BigInteger.valueOf(2))),
                    Der.integer(serial),
                    algorithm,
                    name,
                    Der.sequence(Der.time(spec.validFrom()), Der.time(spec.validUntil())),
                    name,
                    publicKeyInfo,
                    Der.explicit(3, Der.sequence(
                            extension("2.5.29.19", true, Der.sequence()),
                            // digitalSignature (0) and keyEncipherment (2): makecert -sky exchange
                            extension("2.5.29.15", true, Der.namedBits(0b101)),
                            extension("2.5.29.37", false, Der.sequence(Der.oid("1.3.6.1.5.5.7.3.2"))),
                            extension("2.5.29.14", false, Der.octetString(keyIdentifier(publicKeyInfo))))));
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(keys.getPrivate());
            signer.update(tbs);
            byte[] der = Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            certificate.verify(keys.getPublic());
            List<String> warnings = new ArrayList<>();
            if (spec.shortValidity()) {
                String warning = "certificate " + spec.subject().getName() + " is valid for less than "
                        + CertificateSpec.SHORT_VALIDITY_DAYS + " days (" + spec.validFrom() + " .. "
                        + spec.validUntil() + "); plan its rotation (step 7) before " + spec.validUntil();
                warnings.add(warning);
                LOG.warn(warning);
            }
            return new GeneratedCertificate(certificate, keys.getPrivate(), Collections.unmodifiableList(warnings));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make an RSA " + spec.keySize() + " certificate: " + e, e);
        }
    }

    /**
     * Reads a certificate and key back from a {@code .pfx}, to reuse one made earlier.
     *
     * @param pfx the PKCS#12 bytes
     * @param password its password
     * @return the certificate with its key
     * @throws IllegalArgumentException if it cannot be read with that password or holds no key entry
     */
    public static GeneratedCertificate fromPfx(byte[] pfx, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(pfx), password);
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    return new GeneratedCertificate((X509Certificate) store.getCertificate(alias),
                            (PrivateKey) store.getKey(alias, password), List.of());
                }
            }
            throw new IllegalArgumentException("the .pfx holds no private key entry");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the .pfx (wrong password or not PKCS#12): " + e.getMessage(), e);
        }
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value));
    }

    /** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
    private static byte[] keyIdentifier(byte[] subjectPublicKeyInfo) {
        // SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING }: take the last element's value.
        int offset = headerLength(subjectPublicKeyInfo, 0);
        offset += elementLength(subjectPublicKeyInfo, offset); // skip the AlgorithmIdentifier
        int bitsHeader = headerLength(subjectPublicKeyInfo, offset);
        byte[] bits = Arrays.copyOfRange(subjectPublicKeyInfo, offset + bitsHeader + 1,
                offset + elementLength(subjectPublicKeyInfo, offset));
        return digest("SHA-1", bits);
    }

    private static int headerLength(byte[] der, int offset) {
        int first = der[offset + 1] & 0xFF;
        return first < 0x80 ? 2 : 2 + (first & 0x7F);
    }

    private static int elementLength(byte[] der, int offset) {
        int first = der[offset + 1] & 0xFF;
        if (first < 0x80) {
            return 2 + first;
        }
        int length = 0;
        for (int i = 0; i < (first & 0x7F); i++) {
            length = (length << 8) | (der[offset + 2 + i] & 0xFF);
        }
        return headerLength(der, offset) + length;
    }

    static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The SHA-1 thumbprint of a certificate as the Batch and Azure portals show it: 40 upper-case hex digits.
     *
     * @param certificate a certificate
     * @return its thumbprint
     */
    public static String thumbprintOf(X509Certificate certificate) {
        byte[] sha1 = digest("SHA-1", der(certificate));
        StringBuilder hex = new StringBuilder(40);
        for (byte b : sha1) {
            hex.append(String.format(Locale.ROOT, "%02X", b));
        }
        return hex.toString();
    }

    static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the certificate */
    public X509Certificate certificate() {
        return certificate;
    }

    /** @return its private key; keep it off disk unless in a password-protected {@code .pfx} */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** @return the SHA-1 thumbprint as Batch shows it, such as {@code 3E1A...} (40 upper-case hex digits) */
    public String thumbprint() {
        return thumbprintOf(certificate);
    }

    /** @return warnings about this certificate (a validity under 30 days), empty if none */
    public List<String> warnings() {
        return warnings;
    }

    /** @return the {@code .cer}: the certificate alone, DER-encoded */
    public byte[] cer() {
        return der(certificate);
    }

    /** @return the certificate as PEM text ({@code -----BEGIN CERTIFICATE-----}) */
    public String certificatePem() {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cer())
                + "\n-----END CERTIFICATE-----\n";
    }

    /**
     * @param password the {@code .pfx} password; must not be empty
     * @return the certificate and key as PKCS#12 protected by the password (the JDK's default algorithms)
     * @throws IllegalArgumentException if the password is empty
     */
    public byte[] pfx(char[] password) {
        Objects.requireNonNull(password, "password == null");
        if (password.length == 0) {
            throw new IllegalArgumentException("password is empty; a .pfx with a private key needs one");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, privateKey, password, new Certificate[] {certificate});
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, password);
            return out.toByteArray();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write PKCS#12: " + e, e);
        }
    }

    /**
     * Writes {@code <name>.pfx} (owner read/write only where the file system has POSIX permissions)
     * and {@code <name>.cer} into a directory, replacing files of those names.
     *
     * @param directory where to write; made if absent
     * @param name the file name without extension, such as {@code batchvault-pool}
     * @param password the {@code .pfx} password
     * @return the {@code .pfx} and {@code .cer} paths, in that order
     * @throws UncheckedIOException if a file cannot be written
     */
    public List<Path> write(Path directory, String name, char[] password) {
        Objects.requireNonNull(directory, "directory == null");
        Objects.requireNonNull(name, "name == null");
        if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("name '" + name + "' must be a plain file name without extension");
        }
        byte[] pfx = pfx(password);
        try {
            Files.createDirectories(directory);
            Path pfxPath = directory.resolve(name + ".pfx");
            Path cerPath = directory.resolve(name + ".cer");
            Files.deleteIfExists(pfxPath);
            if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(pfxPath, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
            try (OutputStream out = Files.newOutputStream(pfxPath, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                out.write(pfx);
            }
            Files.write(cerPath, cer());
            return List.of(pfxPath, cerPath);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + name + ".pfx and .cer into " + directory, e);
        }
    }

    @Override
    public String toString() {
        return "GeneratedCertificate{" + certificate.getSubjectX500Principal().getName() + ", thumbprint "
                + thumbprint() + ", " + certificate.getNotBefore().toInstant() + " .. "
                + certificate.getNotAfter().toInstant() + "}";
    }
}
