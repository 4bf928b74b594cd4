package dev.batchvault.windows;

import com.sun.jna.platform.win32.WinError;
import java.util.Locale;
import java.util.Map;

/** A Windows call failed: the function and its error code (GetLastError, HRESULT or SECURITY_STATUS). */
final class WindowsException extends Exception {
    private static final long serialVersionUID = 1L;

    // winerror.h, as jna-platform's WinError declares them (compile-time constants: reading them loads nothing).
    static final int ERROR_FILE_NOT_FOUND = WinError.ERROR_FILE_NOT_FOUND; // 2
    static final int ERROR_ACCESS_DENIED = WinError.ERROR_ACCESS_DENIED; // 5
    static final int ERROR_NO_MORE_FILES = WinError.ERROR_NO_MORE_FILES; // 18
    static final int E_ACCESSDENIED = WinError.E_ACCESSDENIED; // 0x80070005
    /** winerror.h HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), which some store calls report instead of 2. */
    static final int HRESULT_FILE_NOT_FOUND = 0x80070002;
    static final int NTE_PERM = WinError.NTE_PERM; // 0x80090010
    static final int NTE_NO_KEY = WinError.NTE_NO_KEY; // 0x8009000D
    static final int NTE_BAD_KEYSET = WinError.NTE_BAD_KEYSET; // 0x80090016
    static final int NTE_SILENT_CONTEXT = WinError.NTE_SILENT_CONTEXT; // 0x80090022
    static final int CRYPT_E_NOT_FOUND = WinError.CRYPT_E_NOT_FOUND; // 0x80092004
    static final int CRYPT_E_NO_KEY_PROPERTY = WinError.CRYPT_E_NO_KEY_PROPERTY; // 0x8009200B

    private static final Map<Integer, String> NAMES = Map.of(
            ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND: the store does not exist",
            HRESULT_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND: the store does not exist",
            ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED: access is denied",
            E_ACCESSDENIED, "E_ACCESSDENIED: access is denied",
            NTE_PERM, "NTE_PERM: access denied",
            NTE_NO_KEY, "NTE_NO_KEY: key does not exist",
            NTE_BAD_KEYSET, "NTE_BAD_KEYSET: keyset does not exist",
            NTE_SILENT_CONTEXT, "NTE_SILENT_CONTEXT: the key needs user interaction (a PIN or consent)",
            CRYPT_E_NOT_FOUND, "CRYPT_E_NOT_FOUND: cannot find object or property",
            CRYPT_E_NO_KEY_PROPERTY, "CRYPT_E_NO_KEY_PROPERTY: the certificate has no private key property");

    private final String function;
    private final int code;

    WindowsException(String function, int code) {
        super(function + " failed: " + describe(code));
        this.function = function;
        this.code = code;
    }

    /** @return the Windows function that failed */
    String function() {
        return function;
    }

    /** @return its error code */
    int code() {
        return code;
    }

    /** @return "0x80090016 (NTE_BAD_KEYSET: keyset does not exist)", or the hex code alone when unknown */
    static String describe(int code) {
        String hex = String.format(Locale.ROOT, "0x%08X", code);
        String name = NAMES.get(code);
        return name == null ? hex : hex + " (" + name + ")";
    }
}
