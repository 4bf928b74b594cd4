package dev.batchvault.spi;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The pool certificate as a {@link CertificateSource} found it: the certificate, its chain, its
 * private key and where it came from. The key stays in memory; {@link #toString()} shows neither
 * the key nor anything derived from it.
 */
public final class PoolCertificate {
    private final List<X509Certificate> chain;
    private final PrivateKey privateKey;
    private final String location;

    private PoolCertificate(List<X509Certificate> chain, PrivateKey privateKey, String location) {
        this.chain = chain;
        this.privateKey = privateKey;
        this.location = location;
    }

    /**
     * A certificate whose private key could be read (an exportable key).
     *
     * @param chain the certificate first, then its issuers if known; not empty
     * @param privateKey the certificate's private key
     * @param location where it was found (a file path or a store name), shown in messages
     * @return the pool certificate
     */
    public static PoolCertificate exportable(List<X509Certificate> chain, PrivateKey privateKey, String location) {
        Objects.requireNonNull(chain, "chain == null");
        Objects.requireNonNull(privateKey, "privateKey == null");
        Objects.requireNonNull(location, "location == null");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain is empty");
        }
        return new PoolCertificate(List.copyOf(chain), privateKey, location);
    }

    /** @return the certificate itself (the first of the chain) */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** @return the certificate followed by any issuers that came with it */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** @return the private key */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** @return where the certificate was found */
    public String location() {
        return location;
    }

    /** @return the SHA-1 thumbprint of the certificate */
    public Thumbprint thumbprint() {
        return Thumbprint.of(certificate());
    }

    /** @return subject, thumbprint, validity and location; never the key */
    @Override
    public String toString() {
        X509Certificate c = certificate();
        return "PoolCertificate{subject=" + c.getSubjectX500Principal().getName() + ", thumbprint=" + thumbprint()
                + ", notBefore=" + c.getNotBefore().toInstant() + ", notAfter=" + c.getNotAfter().toInstant()
                + ", location=" + location + "}";
    }
}
