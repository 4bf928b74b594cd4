package dev.batchvault.internal;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.Thumbprint;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Matches private keys to certificates, whichever file format they came from, and orders the chain
 * that goes with the chosen certificate.
 */
final class KeyPairing {
    private static final byte[] PROBE = "batchvault key check".getBytes(StandardCharsets.US_ASCII);

    private KeyPairing() {
    }

    /**
     * Pairs a key with its certificate: the given leaf with whichever key belongs to it, or, with no
     * leaf given, the first key with the certificate it belongs to.
     */
    static PoolCertificate checked(List<X509Certificate> certificates, List<PrivateKey> keys,
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
}
