package dev.batchvault.internal;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.Thumbprint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads pool certificates from the files Azure Batch and the Key Vault VM extension write: PKCS#12
 * ({@code .pfx}, with an optional password file beside it) and PEM (private key and certificate
 * chain in one file). Every failure is a {@link CertificateUnusableException} naming the file.
 * Nothing is written anywhere; passwords are cleared after use.
 *
 * <p>Not API: shared by core and the store modules, it may change in any release. Certificate
 * sources outside this project should not use it.
 */
public final class CertificateFiles {
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final byte[] PROBE = "batchvault key check".getBytes(StandardCharsets.US_ASCII);

    private CertificateFiles() {
    }

    /**
     * Reads a certificate file, PEM or PKCS#12 by its content.
     *
     * @param file the certificate file
     * @param passwordFile a file holding the PKCS#12 password in plain text (a trailing newline is
     *     ignored; an empty file means no password), or {@code null} for none
     * @return the certificate with its key
     * @throws CertificateUnusableException if either file cannot be read or used
     */
    public static PoolCertificate read(Path file, Path passwordFile) {
        byte[] content = readBytes(file);
        if (looksLikePem(content)) {
            return parsePem(content, file.toString());
        }
        char[] password = passwordFile == null ? new char[0] : readPassword(passwordFile);
        try {
            return parsePkcs12(content, password, file.toString());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /**
     * Reads a password file as Batch writes it next to a PFX ({@code sha1-<thumbprint>.pfx.pw}).
     *
     * @param passwordFile the file
     * @return the password, without one trailing newline; clear it after use
     * @throws CertificateUnusableException if the file cannot be read
     */
    public static char[] readPassword(Path passwordFile) {
        byte[] bytes = readBytes(passwordFile);
        try {
            int end = bytes.length;
            if (end > 0 && bytes[end - 1] == '\n') {
                end--;
            }
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, end));
            char[] password = new char[chars.remaining()];
            chars.get(password);
            Arrays.fill(chars.array(), '\0');
            return password;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Parses PKCS#12 bytes.
     *
     * @param content the PKCS#12 bytes
     * @param password the password; not cleared here
     * @param location the file name for messages
     * @return the first key entry with its chain
     * @throws CertificateUnusableException if the password is wrong, the content is not PKCS#12,
     *     or it holds no private key
     */
    public static PoolCertificate parsePkcs12(byte[] content, char[] password, String location) {
        KeyStore store;
        try {
            store = loadPkcs12(content, password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new CertificateUnusableException(Reason.WRONG_PASSWORD, location, "Cannot open " + location
                        + ": the password is wrong (" + (password.length == 0 ? "none was given" : "the password file's")
                        + "). Batch keeps it beside the certificate as <file>.pw; set certificate-password-file "
                        + "(BATCHVAULT_CERTIFICATE_PASSWORD_FILE) to the file holding it.", e);
            }
            throw corrupt(location, "it is not a readable PKCS#12 (.pfx) file or PEM file; it may be truncated", e);
        } catch (GeneralSecurityException e) {
            throw corrupt(location, "it is not a readable PKCS#12 (.pfx) file", e);
        }
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                PrivateKey key = (PrivateKey) store.getKey(alias, password);
                List<X509Certificate> chain = new ArrayList<>();
                for (Certificate c : store.getCertificateChain(alias)) {
                    chain.add((X509Certificate) c);
                }
                return checked(chain, key, location);
            }
        } catch (GeneralSecurityException e) {
            throw new CertificateUnusableException(Reason.WRONG_PASSWORD, location, "Cannot read the private key in "
                    + location + ": its password differs from the file's. Export the PFX again with one password.", e);
        }
        throw new CertificateUnusableException(Reason.NO_PRIVATE_KEY, location, "The PKCS#12 file " + location
                + " holds no private key, only certificates. Export the certificate with its private key "
                + "(a .pfx with the key marked exportable).", null);
    }

    /**
     * Parses PEM text holding a private key ({@code PRIVATE KEY} or {@code RSA PRIVATE KEY}) and
     * the certificate, optionally followed by its issuers.
     *
     * @param content the PEM bytes
     * @param location the file name for messages
     * @return the certificate, chain and key
     * @throws CertificateUnusableException if there is no certificate, no key, or they do not match
     */
    public static PoolCertificate parsePem(byte[] content, String location) {
        String text = new String(content, StandardCharsets.US_ASCII);
        List<X509Certificate> chain = new ArrayList<>();
        PrivateKey key = null;
        Matcher m = PEM_BLOCK.matcher(text);
        try {
            while (m.find()) {
                String type = m.group(1);
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                try {
                    switch (type) {
                        case "CERTIFICATE":
                            chain.add((X509Certificate) CertificateFactory.getInstance("X.509")
                                    .generateCertificate(new ByteArrayInputStream(der)));
                            break;
                        case "PRIVATE KEY":
                            key = pkcs8Key(der, location);
                            break;
                        case "RSA PRIVATE KEY":
                            key = pkcs8Key(pkcs1ToPkcs8(der), location);
                            break;
                        case "ENCRYPTED PRIVATE KEY":
                            throw corrupt(location, "its private key is encrypted; BatchVault reads unencrypted PEM keys "
                                    + "(as the Key Vault VM extension writes them) or a PKCS#12 file with a password file", null);
                        default:
                            break;
                    }
                } finally {
                    Arrays.fill(der, (byte) 0);
                }
            }
        } catch (IllegalArgumentException | CertificateException e) {
            throw corrupt(location, "a PEM block in it cannot be decoded; the file may be truncated", e);
        }
        if (chain.isEmpty()) {
            throw corrupt(location, key == null ? "it holds no PEM certificate or key; it may be truncated"
                    : "it holds a private key but no certificate", null);
        }
        if (key == null) {
            throw new CertificateUnusableException(Reason.NO_PRIVATE_KEY, location, "The PEM file " + location
                    + " holds a certificate but no private key. The pool needs the certificate with its key: "
                    + "a PEM with a PRIVATE KEY block, or a .pfx.", null);
        }
        return checked(chain, key, location);
    }

    /**
     * The thumbprints of the certificates in PEM text, without parsing them: enough to decide
     * whether a file can hold the certificate wanted before reading its key.
     *
     * @param content file content
     * @return the SHA-1 thumbprint of each CERTIFICATE block, in file order; empty when none
     */
    public static List<Thumbprint> thumbprintsInPem(byte[] content) {
        if (!looksLikePem(content)) {
            return List.of();
        }
        List<Thumbprint> found = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(new String(content, StandardCharsets.US_ASCII));
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                try {
                    found.add(Thumbprint.ofDer(Base64.getMimeDecoder().decode(m.group(2))));
                } catch (IllegalArgumentException e) {
                    // not base64: the full parse reports it if this file is chosen
                }
            }
        }
        return found;
    }

    private static PoolCertificate checked(List<X509Certificate> chain, PrivateKey key, String location) {
        X509Certificate cert = chain.get(0);
        if (!keyMatches(key, cert)) {
            // The leaf may not come first: find the certificate the key belongs to.
            for (int i = 1; i < chain.size(); i++) {
                if (keyMatches(key, chain.get(i))) {
                    List<X509Certificate> reordered = new ArrayList<>(chain);
                    Collections.swap(reordered, 0, i);
                    return PoolCertificate.exportable(reordered, key, location);
                }
            }
            throw new CertificateUnusableException(Reason.KEY_MISMATCH, location, "The private key in " + location
                    + " does not belong to its certificate (thumbprint " + Thumbprint.of(cert)
                    + "). The file mixes two certificates; export the certificate again with its own key.", null);
        }
        return PoolCertificate.exportable(chain, key, location);
    }

    private static boolean keyMatches(PrivateKey key, X509Certificate cert) {
        String algorithm;
        switch (key.getAlgorithm()) {
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            default:
                return key.getAlgorithm().equals(cert.getPublicKey().getAlgorithm());
        }
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static KeyStore loadPkcs12(byte[] content, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(content), password);
        return store;
    }

    private static PrivateKey pkcs8Key(byte[] der, String location) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw corrupt(location, "its private key is neither an RSA nor an EC key in PKCS#8 form", null);
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01,
            0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(version);
        body.writeBytes(algorithm);
        body.writeBytes(derHeader(0x04, pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(derHeader(0x30, body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derHeader(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
        byte[] header = new byte[2 + bytes];
        header[0] = (byte) tag;
        header[1] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            header[2 + i] = (byte) (length >> (8 * (bytes - 1 - i)));
        }
        return header;
    }

    private static boolean looksLikePem(byte[] content) {
        String head = new String(content, 0, Math.min(content.length, 4096), StandardCharsets.US_ASCII);
        return head.contains("-----BEGIN ");
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CertificateUnusableException(Reason.UNREADABLE, file.toString(), file + " does not exist.", e);
        } catch (AccessDeniedException e) {
            throw new CertificateUnusableException(Reason.UNREADABLE, file.toString(), "Cannot read " + file
                    + ": permission denied for user '" + System.getProperty("user.name") + "'. Run the task elevated "
                    + "(Batch: autoUser with elevationLevel admin) or copy the file to a readable place in an "
                    + "elevated start task.", e);
        } catch (IOException e) {
            throw new CertificateUnusableException(Reason.UNREADABLE, file.toString(), "Cannot read " + file + ": "
                    + (Files.isDirectory(file) ? "it is a directory, not a file" : e.toString()) + ".", e);
        }
    }

    private static CertificateUnusableException corrupt(String location, String what, Throwable cause) {
        return new CertificateUnusableException(Reason.CORRUPT, location, "Cannot use " + location + ": " + what + ".",
                cause);
    }
}
