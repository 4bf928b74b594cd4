package dev.batchvault.windows;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.spi.CertificateSigner;
import dev.batchvault.spi.Thumbprint;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Signs in the Windows store. Each signature opens the store, finds the certificate, acquires its
 * key, signs and releases all three, so no handle outlives a call (a token is asked for about once
 * an hour) and a certificate the Key Vault VM extension renews in place is picked up.
 */
final class StoreSigner implements CertificateSigner {
    private final NativeStores natives;
    private final StoreName store;
    private final Thumbprint thumbprint;
    private final String account;

    StoreSigner(NativeStores natives, StoreName store, Thumbprint thumbprint, String account) {
        this.natives = natives;
        this.store = store;
        this.thumbprint = thumbprint;
        this.account = account;
    }

    @Override
    public byte[] signSha256WithRsa(byte[] data) {
        byte[] digest = sha256(data);
        try (NativeStores.Store opened = natives.open(store)) {
            Optional<NativeStores.Certificate> found = opened.findBySha1(Thumbprints.sha1Bytes(thumbprint));
            if (found.isEmpty()) {
                throw new CertificateUnusableException(Reason.UNREADABLE, store.toString(), "The certificate "
                        + thumbprint + " was removed from " + store + " after it was found. Put it back, or configure "
                        + "the thumbprint of the certificate that replaced it.", null);
            }
            try (NativeStores.Certificate certificate = found.get()) {
                return sign(certificate, digest);
            }
        } catch (WindowsException e) {
            throw StoreProblems.cannotOpen(store, e, account);
        }
    }

    /** Acquires the key, signs and releases it; key failures are explained, not reported as store failures. */
    byte[] sign(NativeStores.Certificate certificate, byte[] digest) {
        try (NativeStores.Key key = certificate.acquireKey()) {
            return key.signSha256(digest);
        } catch (WindowsException e) {
            throw StoreProblems.keyUnusable(store, thumbprint, e, account);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
