package dev.batchvault.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.platform.win32.Crypt32;
import com.sun.jna.platform.win32.WTypes;
import com.sun.jna.platform.win32.WinCrypt;
import com.sun.jna.platform.win32.WinCrypt.CERT_CHAIN_CONTEXT;
import com.sun.jna.platform.win32.WinCrypt.CERT_CHAIN_ELEMENT;
import com.sun.jna.platform.win32.WinCrypt.CERT_CHAIN_PARA;
import com.sun.jna.platform.win32.WinCrypt.CERT_CONTEXT;
import com.sun.jna.platform.win32.WinCrypt.CERT_SIMPLE_CHAIN;
import com.sun.jna.platform.win32.WinCrypt.DATA_BLOB;
import com.sun.jna.platform.win32.WinCrypt.HCERTSTORE;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The Windows certificate store through JNA: jna-platform's {@link Crypt32} for the store and
 * certificates, {@link WinApi} for the private key. Loaded only on Windows.
 */
final class JnaNativeStores implements NativeStores {
    private static final int ENCODING = WinCrypt.X509_ASN_ENCODING | WinCrypt.PKCS_7_ASN_ENCODING;

    @Override
    public Store open(StoreName store) throws WindowsException {
        int flags = store.location.flag | WinCrypt.CERT_STORE_OPEN_EXISTING_FLAG | WinCrypt.CERT_STORE_READONLY_FLAG;
        HCERTSTORE handle = Crypt32.INSTANCE.CertOpenStore(
                new WinCrypt.CertStoreProviderName(WinCrypt.CERT_STORE_PROV_SYSTEM_W), 0, null, flags,
                new WTypes.LPWSTR(store.name));
        if (handle == null || handle.getPointer() == null) {
            throw new WindowsException("CertOpenStore", Native.getLastError());
        }
        return new OpenStore(handle);
    }

    private static final class OpenStore implements Store {
        private HCERTSTORE handle;

        OpenStore(HCERTSTORE handle) {
            this.handle = handle;
        }

        @Override
        public Optional<Certificate> findBySha1(byte[] sha1) throws WindowsException {
            DATA_BLOB hash = new DATA_BLOB(sha1);
            hash.write();
            CERT_CONTEXT.ByReference context = Crypt32.INSTANCE.CertFindCertificateInStore(handle, ENCODING, 0,
                    WinApi.CERT_FIND_SHA1_HASH, hash.getPointer(), null);
            int error = Native.getLastError();
            hash.clear(); // keeps the blob reachable until the call has returned
            if (context == null) {
                if (error == WindowsException.CRYPT_E_NOT_FOUND) {
                    return Optional.empty();
                }
                throw new WindowsException("CertFindCertificateInStore", error);
            }
            context.setAutoWrite(false); // Windows owns this memory: never write it back
            return Optional.of(new FoundCertificate(context, handle));
        }

        @Override
        public List<byte[]> certificates() throws WindowsException {
            List<byte[]> all = new ArrayList<>();
            Pointer previous = null;
            while (true) {
                // Each call frees the context passed in; the last one returns null having freed it.
                CERT_CONTEXT.ByReference context = Crypt32.INSTANCE.CertEnumCertificatesInStore(handle, previous);
                if (context == null) {
                    int error = Native.getLastError();
                    if (error == WindowsException.CRYPT_E_NOT_FOUND || error == WindowsException.ERROR_NO_MORE_FILES) {
                        return all;
                    }
                    throw new WindowsException("CertEnumCertificatesInStore", error);
                }
                try {
                    all.add(context.pbCertEncoded.getByteArray(0, context.cbCertEncoded));
                } catch (RuntimeException | Error e) {
                    context.setAutoWrite(false);
                    Crypt32.INSTANCE.CertFreeCertificateContext(context); // the loop will not free it now
                    throw e;
                }
                previous = context.getPointer();
            }
        }

        @Override
        public void close() {
            if (handle != null) {
                Crypt32.INSTANCE.CertCloseStore(handle, 0);
                handle = null;
            }
        }
    }

    private static final class FoundCertificate implements Certificate {
        private final HCERTSTORE store;
        private CERT_CONTEXT.ByReference context;

        FoundCertificate(CERT_CONTEXT.ByReference context, HCERTSTORE store) {
            this.context = context;
            this.store = store;
        }

        @Override
        public byte[] der() {
            return context.pbCertEncoded.getByteArray(0, context.cbCertEncoded);
        }

        @Override
        public List<byte[]> chain() {
            CERT_CHAIN_PARA para = new CERT_CHAIN_PARA();
            para.cbSize = para.size();
            PointerByReference out = new PointerByReference();
            boolean built = Crypt32.INSTANCE.CertGetCertificateChain(null, context, null, store, para,
                    WinApi.CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL, null, out);
            if (!built || out.getValue() == null) {
                return List.of(der());
            }
            CERT_CHAIN_CONTEXT chain = Structure.newInstance(CERT_CHAIN_CONTEXT.class, out.getValue());
            chain.setAutoWrite(false);
            try {
                chain.read();
                List<byte[]> ders = new ArrayList<>();
                if (chain.cChain > 0) {
                    CERT_SIMPLE_CHAIN simple = chain.getRgpChain()[0];
                    for (CERT_CHAIN_ELEMENT element : simple.getRgpElement()) {
                        CERT_CONTEXT c = element.pCertContext;
                        ders.add(c.pbCertEncoded.getByteArray(0, c.cbCertEncoded));
                    }
                }
                return ders.isEmpty() || !Arrays.equals(ders.get(0), der()) ? List.of(der()) : ders;
            } finally {
                Crypt32.INSTANCE.CertFreeCertificateChain(chain);
            }
        }

        @Override
        public Key acquireKey() throws WindowsException {
            PointerByReference key = new PointerByReference();
            IntByReference keySpec = new IntByReference();
            IntByReference callerFrees = new IntByReference();
            boolean acquired = WinApi.Keys.INSTANCE.CryptAcquireCertificatePrivateKey(context.getPointer(),
                    WinApi.CRYPT_ACQUIRE_SILENT_FLAG | WinApi.CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG, null, key, keySpec,
                    callerFrees);
            if (!acquired) {
                throw new WindowsException("CryptAcquireCertificatePrivateKey", Native.getLastError());
            }
            NCryptKey acquiredKey = new NCryptKey(key.getValue(), callerFrees.getValue() != 0);
            if (keySpec.getValue() != WinApi.CERT_NCRYPT_KEY_SPEC) {
                // Cannot happen with CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG; never sign with a handle of another kind.
                acquiredKey.close();
                throw new WindowsException("CryptAcquireCertificatePrivateKey", WindowsException.NTE_BAD_KEYSET);
            }
            return acquiredKey;
        }

        @Override
        public void close() {
            if (context != null) {
                Crypt32.INSTANCE.CertFreeCertificateContext(context);
                context = null;
            }
        }
    }

    private static final class NCryptKey implements Key {
        private Pointer handle;
        private final boolean ours;

        NCryptKey(Pointer handle, boolean ours) {
            this.handle = handle;
            this.ours = ours;
        }

        @Override
        public byte[] signSha256(byte[] sha256) throws WindowsException {
            WinApi.Pkcs1PaddingInfo padding = new WinApi.Pkcs1PaddingInfo(WinApi.BCRYPT_SHA256_ALGORITHM);
            int flags = WinApi.BCRYPT_PAD_PKCS1 | WinApi.NCRYPT_SILENT_FLAG;
            IntByReference size = new IntByReference();
            int status = WinApi.NCrypt.INSTANCE.NCryptSignHash(handle, padding, sha256, sha256.length, null, 0, size,
                    flags);
            if (status != 0) {
                throw new WindowsException("NCryptSignHash", status);
            }
            byte[] signature = new byte[size.getValue()];
            status = WinApi.NCrypt.INSTANCE.NCryptSignHash(handle, padding, sha256, sha256.length, signature,
                    signature.length, size, flags);
            if (status != 0) {
                throw new WindowsException("NCryptSignHash", status);
            }
            return size.getValue() == signature.length ? signature : Arrays.copyOf(signature, size.getValue());
        }

        @Override
        public void close() {
            if (handle != null) {
                if (ours) {
                    WinApi.NCrypt.INSTANCE.NCryptFreeObject(handle);
                }
                handle = null;
            }
        }
    }
}
