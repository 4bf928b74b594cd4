package dev.batchvault.spi;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The pool certificate as a {@link CertificateSource} found it: the certificate, its chain, where
 * it came from, and one of two kinds of key. Either the private key itself ({@link #exportable}),
 * which stays in memory, or a {@link CertificateSigner} that signs where the key lives
 * ({@link #signing}), for keys a store will not give out. {@link #toString()} shows neither the key
 * nor anything derived from it.
 */
public final class PoolCertificate {
    private final List<X509Certificate> chain;
    private final PrivateKey privateKey;
    private final CertificateSigner signer;
    private final String location;

    private PoolCertificate(List<X509Certificate> chain, PrivateKey privateKey, CertificateSigner signer,
            String location) {
        this.chain = chain;
        this.privateKey = privateKey;
        this.signer = signer;
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
        return new PoolCertificate(List.copyOf(chain), privateKey, null, location);
    }

    /**
     * A certificate whose private key stays where it is and signs there (a key that is not
     * exportable, or one in a key store that is simpler to sign in than to read).
     *
     * @param chain the certificate first, then its issuers if known; not empty
     * @param signer signs with the certificate's private key
     * @param location where it was found (a file path or a store name), shown in messages
     * @return the pool certificate
     */
    public static PoolCertificate signing(List<X509Certificate> chain, CertificateSigner signer, String location) {
        Objects.requireNonNull(chain, "chain == null");
        Objects.requireNonNull(signer, "signer == null");
        Objects.requireNonNull(location, "location == null");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain is empty");
        }
        return new PoolCertificate(List.copyOf(chain), null, signer, location);
    }

    /** @return the certificate itself (the first of the chain) */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** @return the certificate followed by any issuers that came with it */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** @return whether the private key itself is at hand ({@link #privateKey()}); if not, only {@link #signer()} is */
    public boolean hasPrivateKey() {
        return privateKey != null;
    }

    /**
     * @return the private key
     * @throws IllegalStateException for a certificate whose key signs in its store ({@link #hasPrivateKey()} is
     *     false); use {@link #signer()}
     */
    public PrivateKey privateKey() {
        if (privateKey == null) {
            throw new IllegalStateException("the private key of the certificate in " + location
                    + " stays in its store; sign with signer()");
        }
        return privateKey;
    }

    /**
     * @return a signer over the certificate's key, for either kind: the store's own, or one over
     *     the private key in memory
     */
    public CertificateSigner signer() {
        if (signer != null) {
            return signer;
        }
        return data -> {
            try {
                Signature signature = Signature.getInstance("SHA256withRSA");
                signature.initSign(privateKey);
                signature.update(data);
                return signature.sign();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign with the " + privateKey.getAlgorithm() + " key of "
                        + location + ": " + e.getMessage(), e);
            }
        };
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
                + ", key=" + (privateKey != null ? "in memory" : "signs in its store") + ", location=" + location + "}";
    }
}
