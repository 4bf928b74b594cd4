package dev.batchvault.internal;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.Thumbprint;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

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
        if (PemReader.looksLikePem(content)) {
            return parsePem(content, file.toString(), wanted);
        }
        byte[] raw = passwordFile == null ? new byte[0] : NodeFiles.read(passwordFile, NodeFiles.MAX_PASSWORD_BYTES);
        char[] password = password(raw);
        try {
            return parsePkcs12(content, password, file.toString(), wanted);
        } catch (CertificateUnusableException e) {
            if (e.reason() != Reason.WRONG_PASSWORD || !e.getMessage().contains(Pkcs12Reader.WRONG_PASSWORD_TEXT)) {
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
        return Pkcs12Reader.parse(content, password, location, wanted);
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
        return PemReader.parse(content, location, wanted);
    }

    /**
     * The thumbprints of the certificates in PEM text, without parsing them: enough to decide
     * whether a file can hold the certificate wanted before reading its key.
     *
     * @param content file content
     * @return the SHA-1 thumbprint of each CERTIFICATE block, in file order; empty when none
     */
    public static List<Thumbprint> thumbprintsInPem(byte[] content) {
        return PemReader.thumbprints(content);
    }
}
