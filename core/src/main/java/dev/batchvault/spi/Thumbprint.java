package dev.batchvault.spi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * A certificate's SHA-1 thumbprint, the way Azure Batch and Windows name certificates: 40 hex
 * digits, kept in upper case. Parsing forgives what copying from a certificate dialog or a portal
 * adds (spaces, colons, lower case, invisible direction marks) and rejects everything else. Only
 * ASCII {@code 0-9}, {@code a-f} and {@code A-F} are hex digits.
 */
public final class Thumbprint {
    private final String hex;

    private Thumbprint(String hex) {
        this.hex = hex;
    }

    /**
     * Parses a thumbprint as a user typed or pasted it.
     *
     * <p>Spaces, colons, hyphens and invisible characters are ignored. So are replacement characters
     * (U+FFFD) before the first digit or after the last: a JVM without a UTF-8 locale reads the
     * invisible mark the Windows certificate dialog puts before a thumbprint (U+200E) from an
     * environment variable as such characters. Among the digits they are an error.
     *
     * @param text the thumbprint
     * @param setting what the text is (a setting's key), named in the error
     * @return the thumbprint
     * @throws InvalidThumbprintException if what remains is not 40 hex digits; the message says why
     * @throws NullPointerException if text is null
     */
    public static Thumbprint parse(String text, String setting) {
        if (text == null) {
            throw new NullPointerException(setting + " == null");
        }
        int start = 0;
        while (start < text.length() && isIgnorableAtTheEdge(text.charAt(start))) {
            start++;
        }
        int end = text.length();
        while (end > start && isIgnorableAtTheEdge(text.charAt(end - 1))) {
            end--;
        }
        StringBuilder digits = new StringBuilder(40);
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (isIgnorable(c)) {
                continue;
            }
            if (!isAsciiHex(c)) {
                throw new InvalidThumbprintException(String.format(Locale.ROOT,
                        "%s is not a SHA-1 thumbprint: character '%s' (U+%04X) at position %d is not a hex digit; "
                                + "expected 40 hex digits such as 3B1E...9A0C (spaces and colons are ignored)",
                        setting, printable(c), (int) c, i + 1));
            }
            digits.append(Character.toUpperCase(c));
        }
        if (digits.length() != 40) {
            throw new InvalidThumbprintException(String.format(Locale.ROOT,
                    "%s is not a SHA-1 thumbprint: it has %d hex digits after removing spaces, colons and "
                            + "invisible characters; expected 40%s",
                    setting, digits.length(), digits.length() == 64 ? " (this looks like a SHA-256 thumbprint; "
                            + "Batch and Windows name certificates by SHA-1)" : ""));
        }
        return new Thumbprint(digits.toString());
    }

    /**
     * @param certificate a certificate
     * @return the SHA-1 thumbprint of its DER encoding
     */
    public static Thumbprint of(X509Certificate certificate) {
        try {
            return ofDer(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate", e);
        }
    }

    /**
     * @param der a certificate's DER encoding, as a store or a PEM block holds it
     * @return the SHA-1 thumbprint of those bytes
     */
    public static Thumbprint ofDer(byte[] der) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(der);
            StringBuilder sb = new StringBuilder(40);
            for (byte b : digest) {
                sb.append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
            return new Thumbprint(sb.toString());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    /** @return the 40 hex digits in upper case */
    public String hex() {
        return hex;
    }

    private static boolean isAsciiHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** What an invisible mark becomes when a JVM without UTF-8 decodes it: U+FFFD, one per byte. */
    private static boolean isIgnorableAtTheEdge(char c) {
        return c == '\uFFFD' || isIgnorable(c);
    }

    private static boolean isIgnorable(char c) {
        return c == ':' || c == '-' || Character.isWhitespace(c) || Character.isSpaceChar(c)
                || Character.getType(c) == Character.FORMAT // U+200E, U+200F, U+200B, U+FEFF, U+202A..E, U+2066..9
                || Character.getType(c) == Character.CONTROL;
    }

    private static String printable(char c) {
        return Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? "?" : String.valueOf(c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Thumbprint && ((Thumbprint) o).hex.equals(hex);
    }

    @Override
    public int hashCode() {
        return hex.hashCode();
    }

    /** @return the 40 hex digits in upper case */
    @Override
    public String toString() {
        return hex;
    }
}
