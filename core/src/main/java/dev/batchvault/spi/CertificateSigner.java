package dev.batchvault.spi;

import dev.batchvault.CertificateUnusableException;

/**
 * Signs with a certificate's private key where the key lives (the Windows certificate store, a
 * hardware module), for keys that cannot be read out. The signature is RSASSA-PKCS1-v1_5 with
 * SHA-256 over the given bytes: what JWS calls {@code RS256} and the JDK {@code SHA256withRSA}.
 */
@FunctionalInterface
public interface CertificateSigner {
    /**
     * Signs bytes.
     *
     * @param data the bytes to sign (the signer hashes them with SHA-256 itself)
     * @return the RSASSA-PKCS1-v1_5 / SHA-256 signature, as long as the key's modulus
     * @throws CertificateUnusableException when the key cannot be used now, for instance because
     *     the certificate was removed or access to its key was withdrawn; the message says what to do
     */
    byte[] signSha256WithRsa(byte[] data);
}
