package dev.batchvault.windows;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A certificate store that behaves as Windows does, errors included, and counts its handles: every
 * store, certificate and key handed out must be closed again.
 */
final class FakeStores implements NativeStores {
    /** DigestInfo prefix for SHA-256 (RFC 8017, section 9.2, note 1): what BCRYPT_PAD_PKCS1 with "SHA256" adds. */
    private static final byte[] SHA256_DIGEST_INFO = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01,
        0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

    private final Map<StoreName, List<Entry>> stores = new HashMap<>();
    private final Map<StoreName, Integer> openErrors = new HashMap<>();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger signatures = new AtomicInteger();

    /** A certificate in a store, with its key or the error acquiring or using it gives. */
    static final class Entry {
        final X509Certificate certificate;
        final PrivateKey key;
        final int acquireError;
        final int signError;

        Entry(X509Certificate certificate, PrivateKey key, int acquireError, int signError) {
            this.certificate = certificate;
            this.key = key;
            this.acquireError = acquireError;
            this.signError = signError;
        }
    }

    FakeStores put(StoreName store, X509Certificate certificate, PrivateKey key) {
        return put(store, new Entry(certificate, key, 0, 0));
    }

    FakeStores put(StoreName store, Entry entry) {
        stores.computeIfAbsent(store, s -> new ArrayList<>()).add(entry);
        return this;
    }

    FakeStores emptyStore(StoreName store) {
        stores.computeIfAbsent(store, s -> new ArrayList<>());
        return this;
    }

    FakeStores failOpen(StoreName store, int error) {
        openErrors.put(store, error);
        return this;
    }

    void remove(StoreName store) {
        stores.get(store).clear();
    }

    @Override
    public Store open(StoreName store) throws WindowsException {
        opened.incrementAndGet();
        if (openErrors.containsKey(store)) {
            throw new WindowsException("CertOpenStore", openErrors.get(store));
        }
        List<Entry> entries = stores.get(store);
        if (entries == null) {
            throw new WindowsException("CertOpenStore", WindowsException.ERROR_FILE_NOT_FOUND);
        }
        return new FakeStore(entries);
    }

    private abstract class Handle implements AutoCloseable {
        private boolean closed;

        Handle() {
            open.incrementAndGet();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                open.decrementAndGet();
            }
        }

        void checkOpen() {
            if (closed) {
                throw new IllegalStateException("used after close");
            }
        }
    }

    private final class FakeStore extends Handle implements Store {
        private final List<Entry> entries;

        FakeStore(List<Entry> entries) {
            this.entries = entries;
        }

        @Override
        public Optional<Certificate> findBySha1(byte[] sha1) {
            checkOpen();
            for (Entry e : entries) {
                if (Arrays.equals(sha1, Thumbprints.sha1Bytes(dev.batchvault.spi.Thumbprint.of(e.certificate)))) {
                    return Optional.of(new FakeCertificate(e));
                }
            }
            return Optional.empty();
        }

        @Override
        public List<byte[]> certificates() {
            checkOpen();
            List<byte[]> all = new ArrayList<>();
            for (Entry e : entries) {
                all.add(der(e.certificate));
            }
            return all;
        }
    }

    private final class FakeCertificate extends Handle implements Certificate {
        private final Entry entry;

        FakeCertificate(Entry entry) {
            this.entry = entry;
        }

        @Override
        public byte[] der() {
            checkOpen();
            return FakeStores.der(entry.certificate);
        }

        @Override
        public List<byte[]> chain() {
            return List.of(der());
        }

        @Override
        public Key acquireKey() throws WindowsException {
            checkOpen();
            if (entry.acquireError != 0) {
                throw new WindowsException("CryptAcquireCertificatePrivateKey", entry.acquireError);
            }
            if (entry.key == null) {
                throw new WindowsException("CryptAcquireCertificatePrivateKey", WindowsException.CRYPT_E_NO_KEY_PROPERTY);
            }
            return new FakeKey(entry);
        }
    }

    private final class FakeKey extends Handle implements Key {
        private final Entry entry;

        FakeKey(Entry entry) {
            this.entry = entry;
        }

        @Override
        public byte[] signSha256(byte[] sha256) throws WindowsException {
            checkOpen();
            if (entry.signError != 0) {
                throw new WindowsException("NCryptSignHash", entry.signError);
            }
            try {
                Signature raw = Signature.getInstance("NONEwithRSA");
                raw.initSign(entry.key);
                raw.update(SHA256_DIGEST_INFO);
                raw.update(sha256);
                signatures.incrementAndGet();
                return raw.sign();
            } catch (GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        }
    }

    static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new AssertionError(e);
        }
    }
}
