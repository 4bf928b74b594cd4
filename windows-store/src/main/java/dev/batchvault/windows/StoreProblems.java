package dev.batchvault.windows;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.spi.Thumbprint;

/** What a Windows error means for the task, and what to do about it. */
final class StoreProblems {
    private StoreProblems() {
    }

    /** The store cannot be opened, or searched once open. */
    static CertificateUnusableException cannotOpen(StoreName store, WindowsException e, String account) {
        String fix;
        switch (e.code()) {
            case WindowsException.ERROR_FILE_NOT_FOUND:
            case WindowsException.HRESULT_FILE_NOT_FOUND:
                fix = "There is no store named '" + store.name + "' in " + store.location.label + ". Use the storeName the "
                        + "pool's certificate reference (or the Key Vault VM extension's certificateStoreName) gives, "
                        + "usually My, in " + WindowsCertificateStore.SETTING + " (BATCHVAULT_CERTIFICATE_STORE).";
                break;
            case WindowsException.ERROR_ACCESS_DENIED:
            case WindowsException.E_ACCESSDENIED:
                fix = "The account " + account + " may not open it. Run the task elevated (Batch: userIdentity autoUser "
                        + "with elevationLevel admin), or put the certificate in a store the task's user can open.";
                break;
            default:
                fix = "Check " + WindowsCertificateStore.SETTING + " (BATCHVAULT_CERTIFICATE_STORE).";
                break;
        }
        String what = "CertOpenStore".equals(e.function()) ? "Cannot open" : "Cannot search";
        return new CertificateUnusableException(Reason.UNREADABLE, store.toString(), what + " the certificate store "
                + store + ": " + e.getMessage() + ". " + fix, e);
    }

    /** The key of a certificate that is in the store cannot be acquired or cannot sign. */
    static CertificateUnusableException keyUnusable(StoreName store, Thumbprint thumbprint, WindowsException e,
            String account) {
        String where = "certificate " + thumbprint + " in " + store;
        switch (e.code()) {
            case WindowsException.CRYPT_E_NO_KEY_PROPERTY:
            case WindowsException.NTE_NO_KEY:
                return new CertificateUnusableException(Reason.NO_PRIVATE_KEY, store.toString(), "The " + where
                        + " has no private key (" + e.getMessage() + "): only its public part was installed. Install "
                        + "it with its key: reference it on the pool as a .pfx (Batch) or from Key Vault (the Key Vault "
                        + "VM extension), or import the .pfx into " + store + ".", e);
            case WindowsException.E_ACCESSDENIED:
            case WindowsException.ERROR_ACCESS_DENIED:
            case WindowsException.NTE_PERM:
            case WindowsException.NTE_BAD_KEYSET:
                return new CertificateUnusableException(Reason.UNREADABLE, store.toString(), "The private key of the "
                        + where + " is not accessible to the account " + account + " (" + e.getMessage() + "; "
                        + "\"keyset does not exist\" is also what Windows says to a user who may not read the key). "
                        + "Either run the task elevated (Batch: userIdentity autoUser with elevationLevel admin), or "
                        + "grant the task's account read on the key: with the Key Vault VM extension, list the account in "
                        + "the observed certificate's \"accounts\" setting; otherwise in an elevated start task, "
                        + "certlm.msc > " + store.name + " > the certificate > All Tasks > Manage Private Keys > add "
                        + account + " with Read (or the same on the key file in "
                        + "C:\\ProgramData\\Microsoft\\Crypto\\Keys or ...\\RSA\\MachineKeys).", e);
            case WindowsException.NTE_SILENT_CONTEXT:
                return new CertificateUnusableException(Reason.UNREADABLE, store.toString(), "The private key of the "
                        + where + " asks for user interaction (a PIN, a consent prompt or strong key protection) ("
                        + e.getMessage() + "); a task cannot answer. Import the certificate without strong private key "
                        + "protection.", e);
            default:
                return new CertificateUnusableException(Reason.UNREADABLE, store.toString(), "The private key of the "
                        + where + " cannot be used by the account " + account + ": " + e.getMessage() + ". Run the "
                        + "task elevated, or re-import the certificate with its key in a software key storage provider.",
                        e);
        }
    }
}
