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
import java.security.interfaces.RSAKey;
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
    /** The PKCS#12 container did not open: the password, not a key's own password, is wrong. */
    private static final String WRONG_PASSWORD_TEXT = ": the password is wrong";
    private static final byte[] PROBE = "batchvault key check".getBytes(StandardCharsets.US_ASCII);

    private CertificateFiles() {
    }

    /**
     * Reads a certificate file, PEM or PKCS#12 by its content; when the file holds several
     * certificates with keys, the first key's.
     *
     * @param file the certificate file, at most {@link NodeFiles#MAX_CERTIFICATE_BYTES}
     * @param passwordFile a file holding the PKCS#12 password in plain text (a UTF-8 byte order mark
     *     and one trailing newline are ignored; an empty file means no password), or {@code null} for none
     * @return the certificate with its key
     * @throws CertificateUnusableException if either file cannot be read or used
     */
    public static PoolCertificate read(Path file, Path passwordFile) {
        return read(file, passwordFile, null);
    }

    /**
     * Reads a certificate file, PEM or PKCS#12 by its content, and picks the wanted certificate
     * with its own key when the file holds several.
     *
     * @param file the certificate file, at most {@link NodeFiles#MAX_CERTIFICATE_BYTES}; only a
     *     regular file (or a symbolic link to one) is read
     * @param passwordFile a file holding the PKCS#12 password in plain text (a UTF-8 byte order mark
     *     and one trailing newline are ignored; an empty file means no password), at most
     *     {@link NodeFiles#MAX_PASSWORD_BYTES}, or {@code null} for none
     * @param wanted the certificate wanted, or {@code null} for the first one with a key
     * @return the certificate with its key
     * @throws CertificateUnusableException if either file cannot be read or used
     */
    public static PoolCertificate read(Path file, Path passwordFile, Thumbprint wanted) {
        byte[] content = NodeFiles.read(file, NodeFiles.MAX_CERTIFICATE_BYTES);
        if (looksLikePem(content)) {
            return parsePem(content, file.toString(), wanted);
        }
        byte[] raw = passwordFile == null ? new byte[0] : NodeFiles.read(passwordFile, NodeFiles.MAX_PASSWORD_BYTES);
        char[] password = password(raw);
        try {
            return parsePkcs12(content, password, file.toString(), wanted);
        } catch (CertificateUnusableException e) {
            if (e.reason() != Reason.WRONG_PASSWORD || !e.getMessage().contains(WRONG_PASSWORD_TEXT)) {
                throw e;
            }
            throw wrongPassword(file, passwordFile, raw, password.length == 0);
        } finally {
            Arrays.fill(password, '\0');
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static CertificateUnusableException wrongPassword(Path file, Path passwordFile, byte[] raw, boolean empty) {
        Path expected = file.resolveSibling(file.getFileName() + ".pw");
        String message;
        if (passwordFile == null) {
            message = "Cannot open " + file + ": the password is wrong: it needs one and no password file was read. "
                    + "Batch writes it beside the certificate as " + expected + "; put the password there (plain "
                    + "text, one line).";
        } else {
            message = "Cannot open " + file + ": the password is wrong: the one in " + passwordFile + (empty ? " (empty: no password)"
                    : "") + " does not open it." + (endsInWhitespace(raw) ? " " + passwordFile + " ends in whitespace "
                    + "beyond the one trailing newline that is ignored; if the whitespace is not part of the "
                    + "password, remove it." : "") + " Put the certificate's password in " + passwordFile
                    + " (plain text, one line), or add the certificate to the pool again with the password that "
                    + passwordFile + " holds.";
        }
        return new CertificateUnusableException(Reason.WRONG_PASSWORD, file.toString(), message, null);
    }

    /**
     * Reads a password file as Batch writes it next to a PFX ({@code sha1-<thumbprint>.pfx.pw}).
     *
     * @param passwordFile the file, at most {@link NodeFiles#MAX_PASSWORD_BYTES}
     * @return the password, without a leading byte order mark or one trailing newline; clear it after use
     * @throws CertificateUnusableException if the file cannot be read or is too large
     */
    public static char[] readPassword(Path passwordFile) {
        byte[] bytes = NodeFiles.read(passwordFile, NodeFiles.MAX_PASSWORD_BYTES);
        try {
            return password(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The password in a password file's bytes: BOM (UTF-8 or UTF-16) and one trailing newline removed. */
    private static char[] password(byte[] bytes) {
        int start = 0;
        java.nio.charset.Charset charset = StandardCharsets.UTF_8;
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            start = 3;
        } else if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) {
            start = 2;
            charset = StandardCharsets.UTF_16LE;
        } else if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF) {
            start = 2;
            charset = StandardCharsets.UTF_16BE;
        }
        CharBuffer chars = charset.decode(ByteBuffer.wrap(bytes, start, bytes.length - start));
        int end = chars.limit();
        if (end > 0 && chars.get(end - 1) == '\n') {
            end--;
        }
        if (end > 0 && chars.get(end - 1) == '\r') {
            end--;
        }
        char[] password = new char[end];
        chars.get(password, 0, end);
        if (chars.hasArray()) {
            Arrays.fill(chars.array(), '\0');
        }
        return password;
    }

    private static boolean endsInWhitespace(byte[] raw) {
        char[] password = password(raw);
        try {
            return password.length > 0 && Character.isWhitespace(password[password.length - 1]);
        } finally {
            Arrays.fill(password, '\0');
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
        return parsePkcs12(content, password, location, null);
    }

    /**
     * Parses PKCS#12 bytes and picks the key entry of the wanted certificate.
     *
     * @param content the PKCS#12 bytes
     * @param password the password; not cleared here
     * @param location the file name for messages
     * @param wanted the certificate wanted, or {@code null} for the first key entry
     * @return the wanted certificate's key entry with its chain; the first key entry when none is the
     *     wanted one (the caller reports the mismatch)
     * @throws CertificateUnusableException if the password is wrong, the content is not PKCS#12,
     *     or it holds no private key
     */
    public static PoolCertificate parsePkcs12(byte[] content, char[] password, String location, Thumbprint wanted) {
        try {
            return pkcs12(content, password, location, wanted);
        } catch (CertificateUnusableException e) {
            throw e;
        } catch (RuntimeException e) {
            // A malformed structure can make a JCA provider fail in ways it does not declare.
            throw corrupt(location, "it is not a readable PKCS#12 (.pfx) file (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static PoolCertificate pkcs12(byte[] content, char[] password, String location, Thumbprint wanted) {
        KeyStore store;
        try {
            store = loadPkcs12(content, password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new CertificateUnusableException(Reason.WRONG_PASSWORD, location, "Cannot open " + location
                        + WRONG_PASSWORD_TEXT + " (" + (password.length == 0 ? "none was given" : "the one given")
                        + ").", e);
            }
            throw corrupt(location, "it is not a readable PKCS#12 (.pfx) file or PEM file; it may be truncated", e);
        } catch (GeneralSecurityException e) {
            throw corrupt(location, "it is not a readable PKCS#12 (.pfx) file", e);
        }
        String chosen = null;
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                Certificate[] chain = store.getCertificateChain(alias);
                boolean isWanted = wanted != null && chain != null && chain.length > 0
                        && chain[0] instanceof X509Certificate && wanted.equals(Thumbprint.of((X509Certificate) chain[0]));
                if (chosen == null || isWanted) {
                    chosen = alias;
                }
                if (isWanted) {
                    break;
                }
            }
            if (chosen != null) {
                Certificate[] chain = store.getCertificateChain(chosen);
                if (chain == null || chain.length == 0) {
                    throw corrupt(location, "its private key comes without a certificate", null);
                }
                List<X509Certificate> certificates = new ArrayList<>();
                for (Certificate c : chain) {
                    if (!(c instanceof X509Certificate)) {
                        throw corrupt(location, "it holds a certificate that is not X.509", null);
                    }
                    certificates.add((X509Certificate) c);
                }
                java.security.Key key = store.getKey(chosen, password);
                if (!(key instanceof PrivateKey)) {
                    throw corrupt(location, "its key entry holds no private key", null);
                }
                return checked(certificates, List.of((PrivateKey) key), certificates.get(0), location);
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
     * @return the certificate of the first key, its chain and the key
     * @throws CertificateUnusableException if there is no certificate, no key, or they do not match
     */
    public static PoolCertificate parsePem(byte[] content, String location) {
        return parsePem(content, location, null);
    }

    /**
     * Parses PEM text holding one or more private keys ({@code PRIVATE KEY} or {@code RSA PRIVATE
     * KEY}) and certificates, and picks the wanted certificate with the key that belongs to it.
     *
     * @param content the PEM bytes
     * @param location the file name for messages
     * @param wanted the certificate wanted, or {@code null} for the certificate of the first key
     * @return the certificate, its chain and its key; when the wanted certificate is not in the file,
     *     the first key's (the caller reports the mismatch)
     * @throws CertificateUnusableException if there is no certificate, no key, or no key belongs to
     *     the certificate chosen
     */
    public static PoolCertificate parsePem(byte[] content, String location, Thumbprint wanted) {
        try {
            return pem(content, location, wanted);
        } catch (CertificateUnusableException e) {
            throw e;
        } catch (RuntimeException e) {
            // A malformed block can make a JCA provider fail in ways it does not declare.
            throw corrupt(location, "a PEM block in it cannot be decoded (" + e.getClass().getSimpleName()
                    + "); the file may be truncated", e);
        }
    }

    private static PoolCertificate pem(byte[] content, String location, Thumbprint wanted) {
        String text = new String(content, StandardCharsets.US_ASCII);
        List<X509Certificate> certificates = new ArrayList<>();
        List<PrivateKey> keys = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(text);
        try {
            while (m.find()) {
                String type = m.group(1);
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                try {
                    switch (type) {
                        case "CERTIFICATE":
                            certificates.add((X509Certificate) CertificateFactory.getInstance("X.509")
                                    .generateCertificate(new ByteArrayInputStream(der)));
                            break;
                        case "PRIVATE KEY":
                            keys.add(pkcs8Key(der, location));
                            break;
                        case "RSA PRIVATE KEY":
                            keys.add(pkcs8Key(pkcs1ToPkcs8(der), location));
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
        if (certificates.isEmpty()) {
            throw corrupt(location, keys.isEmpty() ? "it holds no PEM certificate or key; it may be truncated"
                    : "it holds a private key but no certificate", null);
        }
        if (keys.isEmpty()) {
            throw new CertificateUnusableException(Reason.NO_PRIVATE_KEY, location, "The PEM file " + location
                    + " holds a certificate but no private key. The pool needs the certificate with its key: "
                    + "a PEM with a PRIVATE KEY block, or a .pfx.", null);
        }
        X509Certificate leaf = null;
        if (wanted != null) {
            for (X509Certificate c : certificates) {
                if (wanted.equals(Thumbprint.of(c))) {
                    leaf = c;
                    break;
                }
            }
        }
        return checked(certificates, keys, leaf, location);
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

    /**
     * Pairs a key with its certificate: the given leaf with whichever key belongs to it, or, with no
     * leaf given, the first key with the certificate it belongs to.
     */
    private static PoolCertificate checked(List<X509Certificate> certificates, List<PrivateKey> keys,
            X509Certificate leaf, String location) {
        if (leaf != null) {
            for (PrivateKey key : keys) {
                if (keyMatches(key, leaf)) {
                    return PoolCertificate.exportable(chain(leaf, certificates, keys.size()), key, location);
                }
            }
            throw new CertificateUnusableException(Reason.KEY_MISMATCH, location, (keys.size() == 1
                    ? "The private key in " + location + " does not belong to its certificate"
                    : "None of the " + keys.size() + " private keys in " + location + " belongs to the certificate")
                    + " (thumbprint " + Thumbprint.of(leaf) + "). Export the certificate again with its own key.", null);
        }
        for (PrivateKey key : keys) {
            for (X509Certificate c : certificates) {
                if (keyMatches(key, c)) {
                    return PoolCertificate.exportable(chain(c, certificates, keys.size()), key, location);
                }
            }
        }
        throw new CertificateUnusableException(Reason.KEY_MISMATCH, location, "The private key in " + location
                + " does not belong to its certificate (thumbprint " + Thumbprint.of(certificates.get(0))
                + "). The file mixes two certificates; export the certificate again with its own key.", null);
    }

    /**
     * The leaf first. With one key in the file, every other certificate follows in file order (the
     * issuers, as the extension writes them); with several keys, only the leaf's issuers, found by name.
     */
    private static List<X509Certificate> chain(X509Certificate leaf, List<X509Certificate> certificates, int keys) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        if (keys == 1) {
            for (X509Certificate c : certificates) {
                if (c != leaf) {
                    chain.add(c);
                }
            }
            return chain;
        }
        X509Certificate current = leaf;
        while (!current.getIssuerX500Principal().equals(current.getSubjectX500Principal())) {
            X509Certificate issuer = null;
            for (X509Certificate c : certificates) {
                if (!chain.contains(c) && c.getSubjectX500Principal().equals(current.getIssuerX500Principal())) {
                    issuer = c;
                    break;
                }
            }
            if (issuer == null) {
                break;
            }
            chain.add(issuer);
            current = issuer;
        }
        return chain;
    }

    private static boolean keyMatches(PrivateKey key, X509Certificate cert) {
        if (key instanceof RSAKey && cert.getPublicKey() instanceof RSAKey
                && !((RSAKey) key).getModulus().equals(((RSAKey) cert.getPublicKey()).getModulus())) {
            return false; // cheap: no signature for a key of another modulus
        }
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

    private static CertificateUnusableException corrupt(String location, String what, Throwable cause) {
        return new CertificateUnusableException(Reason.CORRUPT, location, "Cannot use " + location + ": " + what + ".",
                cause);
    }
}
