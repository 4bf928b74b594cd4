package dev.batchvault.windows;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;

/**
 * What jna-platform does not declare: the flags, functions and one structure this module needs
 * beyond {@link com.sun.jna.platform.win32.Crypt32} and {@link com.sun.jna.platform.win32.WinCrypt}.
 * Each value is the Windows SDK's, with its header. The libraries load on first use of
 * {@link Keys#INSTANCE} or {@link NCrypt#INSTANCE}, never when the constants are read.
 */
interface WinApi {
    /** wincrypt.h: {@code CERT_FIND_SHA1_HASH (CERT_COMPARE_SHA1_HASH << CERT_COMPARE_SHIFT)} = 1 << 16. */
    int CERT_FIND_SHA1_HASH = 0x00010000;
    /** wincrypt.h: {@code CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL}, never go to the network while building the chain. */
    int CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL = 0x00000004;
    /** wincrypt.h: {@code CRYPT_ACQUIRE_SILENT_FLAG}, fail rather than show UI (a PIN prompt). */
    int CRYPT_ACQUIRE_SILENT_FLAG = 0x00000040;
    /**
     * wincrypt.h: {@code CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG}, always an NCrypt key handle, also for keys
     * in legacy CryptoAPI providers (opened through the CNG key storage router).
     */
    int CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG = 0x00040000;
    /** wincrypt.h: {@code CERT_NCRYPT_KEY_SPEC}, the key spec returned with an NCrypt key handle. */
    int CERT_NCRYPT_KEY_SPEC = 0xFFFFFFFF;
    /** bcrypt.h: {@code BCRYPT_PAD_PKCS1}, RSASSA-PKCS1-v1_5 padding for NCryptSignHash. */
    int BCRYPT_PAD_PKCS1 = 0x00000002;
    /** ncrypt.h: {@code NCRYPT_SILENT_FLAG}, fail rather than show UI. */
    int NCRYPT_SILENT_FLAG = 0x00000040;
    /** bcrypt.h: {@code BCRYPT_SHA256_ALGORITHM} = L"SHA256", the hash named in the PKCS#1 padding info. */
    String BCRYPT_SHA256_ALGORITHM = "SHA256";

    /** crypt32.dll functions jna-platform's Crypt32 lacks. */
    interface Keys extends StdCallLibrary {
        /** Loaded on first use. */
        Keys INSTANCE = Native.load("crypt32", Keys.class, W32APIOptions.DEFAULT_OPTIONS);

        /**
         * wincrypt.h: {@code BOOL CryptAcquireCertificatePrivateKey(PCCERT_CONTEXT pCert, DWORD dwFlags,
         * void *pvParameters, HCRYPTPROV_OR_NCRYPT_KEY_HANDLE *phCryptProvOrNCryptKey, DWORD *pdwKeySpec,
         * BOOL *pfCallerFreeProvOrNCryptKey)}; FALSE with the reason in GetLastError.
         */
        boolean CryptAcquireCertificatePrivateKey(Pointer pCert, int dwFlags, Pointer pvParameters,
                PointerByReference phCryptProvOrNCryptKey, IntByReference pdwKeySpec,
                IntByReference pfCallerFreeProvOrNCryptKey);
    }

    /** ncrypt.dll; each function returns a SECURITY_STATUS, 0 (ERROR_SUCCESS) on success. */
    interface NCrypt extends StdCallLibrary {
        /** Loaded on first use. */
        NCrypt INSTANCE = Native.load("ncrypt", NCrypt.class, W32APIOptions.DEFAULT_OPTIONS);

        /**
         * ncrypt.h: {@code SECURITY_STATUS NCryptSignHash(NCRYPT_KEY_HANDLE hKey, VOID *pPaddingInfo,
         * PBYTE pbHashValue, DWORD cbHashValue, PBYTE pbSignature, DWORD cbSignature, DWORD *pcbResult,
         * DWORD dwFlags)}; with a null signature buffer it returns the size needed.
         */
        int NCryptSignHash(Pointer hKey, Pkcs1PaddingInfo pPaddingInfo, byte[] pbHashValue, int cbHashValue,
                byte[] pbSignature, int cbSignature, IntByReference pcbResult, int dwFlags);

        /** ncrypt.h: {@code SECURITY_STATUS NCryptFreeObject(NCRYPT_HANDLE hObject)}. */
        int NCryptFreeObject(Pointer hObject);
    }

    /**
     * bcrypt.h: {@code typedef struct _BCRYPT_PKCS1_PADDING_INFO { LPCWSTR pszAlgId; }}; on Windows x64
     * 8 bytes, {@code pszAlgId} at offset 0.
     */
    @FieldOrder({"pszAlgId"})
    class Pkcs1PaddingInfo extends Structure {
        /** The hash algorithm's CNG name, such as {@code SHA256}; its OID goes into the DigestInfo. */
        public WString pszAlgId;

        Pkcs1PaddingInfo(String hashAlgorithm) {
            this.pszAlgId = new WString(hashAlgorithm);
        }

        /** For the layout test: the offset JNA gives a field. */
        int offsetOf(String field) {
            return fieldOffset(field);
        }
    }
}
