package dev.batchvault.internal;

import static dev.batchvault.internal.CertificateErrors.corrupt;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.Thumbprint;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads PKCS#12 ({@code .pfx}) content and picks a key entry with its chain. Every failure is a
 * {@link CertificateUnusableException} naming the file.
 */
final class Pkcs12Reader {
    /** The PKCS#12 container did not open: the password, not a key's own password, is wrong. */
    static final String WRONG_PASSWORD_TEXT = ": the password is wrong";

    private Pkcs12Reader() {
    }

    /** See {@link CertificateFiles#parsePkcs12(byte[], char[], String, Thumbprint)}. */
    static PoolCertificate parse(byte[] content, char[] password, String location, Thumbprint wanted) {
        try {
            return pkcs12(content, password, location, wanted);
        } catch (CertificateUnusableException e) {
            throw e;
        } catch (RuntimeException e) {
            // A malformed structure can make a JCA provider fail in ways it does not declare.
            throw corrupt(location, "it is not a readable PKCS#12 (.pfx) file (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static PoolCertificate pkcs12(byte[] content, char[] password, String location, Thumbprint wanted) {
        KeyStore store;
        try {
            store = loadPkcs12(content, password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new CertificateUnusableException(Reason.WRONG_PASSWORD, location, "Cannot open " + location
                        + WRONG_PASSWORD_TEXT + " (" + (password.length == 0 ? "none was given" : "the one given")
                        + ").", e);
            }
            throw corrupt(location, "it is not a readable PKCS#12 (.pfx) file or PEM file; it may be truncated", e);
        } catch (GeneralSecurityException e) {
            throw corrupt(location, "it is not a readable PKCS#12 (.pfx) file", e);
        }
        String chosen = null;
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                Certificate[] chain = store.getCertificateChain(alias);
                boolean isWanted = wanted != null && chain != null && chain.length > 0
                        && chain[0] instanceof X509Certificate && wanted.equals(Thumbprint.of((X509Certificate) chain[0]));
                if (chosen == null || isWanted) {
                    chosen = alias;
                }
                if (isWanted) {
                    break;
                }
            }
            if (chosen != null) {
                Certificate[] chain = store.getCertificateChain(chosen);
                if (chain == null || chain.length == 0) {
                    throw corrupt(location, "its private key comes without a certificate", null);
                }
                List<X509Certificate> certificates = new ArrayList<>();
                for (Certificate c : chain) {
                    if (!(c instanceof X509Certificate)) {
                        throw corrupt(location, "it holds a certificate that is not X.509", null);
                    }
                    certificates.add((X509Certificate) c);
                }
                java.security.Key key = store.getKey(chosen, password);
                if (!(key instanceof PrivateKey)) {
                    throw corrupt(location, "its key entry holds no private key", null);
                }
                return KeyPairing.checked(certificates, List.of((PrivateKey) key), certificates.get(0), location);
            }
        } catch (GeneralSecurityException e) {
            throw new CertificateUnusableException(Reason.WRONG_PASSWORD, location, "Cannot read the private key in "
                    + location + ": its password differs from the file's. Export the PFX again with one password.", e);
        }
        throw new CertificateUnusableException(Reason.NO_PRIVATE_KEY, location, "The PKCS#12 file " + location
                + " holds no private key, only certificates. Export the certificate with its private key "
                + "(a .pfx with the key marked exportable).", null);
    }

    private static KeyStore loadPkcs12(byte[] content, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(content), password);
        return store;
    }
}
