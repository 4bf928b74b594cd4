package dev.batchvault.internal;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;

/** The typed errors the certificate readers share. */
final class CertificateErrors {
    private CertificateErrors() {
    }

    /** The file's content cannot be used: {@link Reason#CORRUPT}, naming the file and what is wrong. */
    static CertificateUnusableException corrupt(String location, String what, Throwable cause) {
        return new CertificateUnusableException(Reason.CORRUPT, location, "Cannot use " + location + ": " + what + ".",
                cause);
    }
}
