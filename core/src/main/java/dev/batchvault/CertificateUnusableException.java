package dev.batchvault;

/**
 * A certificate was found but cannot be used: it is outside its validity dates, its file cannot
 * be read or parsed, the password is wrong, or its private key is missing or does not match.
 * The message names the file or store location.
 */
public final class CertificateUnusableException extends BatchVaultException {
    private static final long serialVersionUID = 1L;

    /** Why the certificate cannot be used. */
    public enum Reason {
        /** {@code notAfter} has passed. */
        EXPIRED,
        /** {@code notBefore} is still ahead. */
        NOT_YET_VALID,
        /** The file or store entry cannot be read (permissions; a directory, FIFO, socket or device). */
        UNREADABLE,
        /** The file is larger than a certificate or password file can be; it was not read. */
        TOO_LARGE,
        /** The PKCS#12 password is wrong. */
        WRONG_PASSWORD,
        /** The file is not a certificate of a known format, or is truncated. */
        CORRUPT,
        /** There is a certificate but no private key. */
        NO_PRIVATE_KEY,
        /** The private key does not belong to the certificate. */
        KEY_MISMATCH,
        /** The certificate is not the one the configured thumbprint names. */
        THUMBPRINT_MISMATCH
    }

    /** Why the certificate cannot be used. */
    private final Reason reason;
    /** The file or store location of the certificate. */
    private final String location;

    /**
     * @param reason why the certificate cannot be used
     * @param location the file or store location
     * @param message what is wrong and what to do
     * @param cause the underlying failure, or {@code null}
     */
    public CertificateUnusableException(Reason reason, String location, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.location = location;
    }

    /** @return why the certificate cannot be used */
    public Reason reason() {
        return reason;
    }

    /** @return the file or store location of the certificate */
    public String location() {
        return location;
    }
}
