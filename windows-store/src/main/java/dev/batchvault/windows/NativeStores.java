package dev.batchvault.windows;

import java.util.List;
import java.util.Optional;

/**
 * The Windows calls this module makes, behind an interface so that tests can stand in a store
 * that fails the way Windows does. Every handle is an {@link AutoCloseable}: close it on every path
 * (try-with-resources); closing twice is harmless.
 */
interface NativeStores {

    /**
     * Opens a system store read-only ({@code CertOpenStore}, system store provider, the store must exist).
     *
     * @param store location and name
     * @return the open store
     * @throws WindowsException with the reason from {@code GetLastError}
     */
    Store open(StoreName store) throws WindowsException;

    /** An open store ({@code HCERTSTORE}; {@code CertCloseStore} on close). */
    interface Store extends AutoCloseable {
        /**
         * @param sha1 the 20-byte SHA-1 hash of the certificate's DER encoding
         * @return the certificate, or empty when the store has none with that hash ({@code CRYPT_E_NOT_FOUND})
         * @throws WindowsException for any other failure
         */
        Optional<Certificate> findBySha1(byte[] sha1) throws WindowsException;

        /**
         * @return the DER encoding of every certificate in the store ({@code CertEnumCertificatesInStore})
         * @throws WindowsException if the store cannot be enumerated
         */
        List<byte[]> certificates() throws WindowsException;

        @Override
        void close();
    }

    /** A certificate found in a store ({@code PCCERT_CONTEXT}; {@code CertFreeCertificateContext} on close). */
    interface Certificate extends AutoCloseable {
        /** @return the certificate's DER encoding */
        byte[] der();

        /**
         * @return the DER encodings of the chain Windows builds for it from the node's stores, the
         *     certificate first; only the certificate when no chain can be built
         */
        List<byte[]> chain();

        /**
         * Opens the certificate's private key as an NCrypt key, without UI
         * ({@code CryptAcquireCertificatePrivateKey}).
         *
         * @return the key
         * @throws WindowsException with the reason: no key, access denied, keyset does not exist, ...
         */
        Key acquireKey() throws WindowsException;

        @Override
        void close();
    }

    /** An NCrypt private key ({@code NCRYPT_KEY_HANDLE}; {@code NCryptFreeObject} on close when ours to free). */
    interface Key extends AutoCloseable {
        /**
         * Signs a SHA-256 digest with RSASSA-PKCS1-v1_5 ({@code NCryptSignHash}, {@code BCRYPT_PAD_PKCS1}).
         *
         * @param sha256 the 32-byte digest
         * @return the signature
         * @throws WindowsException with the SECURITY_STATUS
         */
        byte[] signSha256(byte[] sha256) throws WindowsException;

        @Override
        void close();
    }
}
