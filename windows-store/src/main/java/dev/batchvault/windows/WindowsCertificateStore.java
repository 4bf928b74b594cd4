package dev.batchvault.windows;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.spi.CertificateQuery;
import dev.batchvault.spi.CertificateSource;
import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.SearchLog;
import dev.batchvault.spi.Thumbprint;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Windows certificate store, where Batch (store location LocalMachine) and the Key Vault VM
 * extension put the pool certificate: {@code LocalMachine\My} unless {@code certificate-store}
 * (system property {@code batchvault.certificate-store}, environment
 * {@code BATCHVAULT_CERTIFICATE_STORE}) names others, such as {@code CurrentUser\My}. The store is
 * opened read-only and the certificate found by its SHA-1 thumbprint; its key never leaves the
 * store: the certificate comes back as {@link PoolCertificate#signing}, signing with
 * {@code NCryptSignHash}, also when the key is not exportable or lives in a legacy CryptoAPI provider.
 *
 * <p>On other operating systems the source reports itself unavailable and loads no native library,
 * so one set of jars serves Windows and Linux nodes.
 */
public final class WindowsCertificateStore implements CertificateSource {
    /** The setting naming the stores to search. */
    public static final String SETTING = "certificate-store";
    private static final Logger LOG = LoggerFactory.getLogger(WindowsCertificateStore.class);
    private static final String NAME = "Windows certificate store";
    private static final byte[] PROBE = "batchvault key check".getBytes(StandardCharsets.US_ASCII);

    private final boolean windows;
    private final Supplier<NativeStores> natives;
    private final Clock clock;
    private final String account;
    private NativeStores loaded;

    /** For {@link java.util.ServiceLoader}: the real store on Windows, unavailable elsewhere. */
    public WindowsCertificateStore() {
        this(isWindows(), WindowsCertificateStore::jna, Clock.systemUTC(), currentAccount());
    }

    WindowsCertificateStore(boolean windows, Supplier<NativeStores> natives, Clock clock, String account) {
        this.windows = windows;
        this.natives = natives;
        this.clock = clock;
        this.account = account;
    }

    /** @return whether this is Windows, the only place this source can search */
    public static boolean isAvailable() {
        return isWindows();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 150;
    }

    @Override
    public Optional<PoolCertificate> find(CertificateQuery query, SearchLog log) {
        if (!windows) {
            log.searched(System.getProperty("os.name"), "not Windows: this source is unavailable here");
            return Optional.empty();
        }
        Thumbprint wanted = query.thumbprint();
        List<StoreName> stores = StoreName.parseAll(query.setting(SETTING).orElse(StoreName.DEFAULT.toString()), SETTING);
        byte[] sha1 = Thumbprints.sha1Bytes(wanted);
        CertificateUnusableException firstProblem = null;
        for (StoreName store : stores) {
            try (NativeStores.Store opened = natives().open(store)) {
                Optional<NativeStores.Certificate> found = opened.findBySha1(sha1);
                if (found.isEmpty()) {
                    log.searched(store.toString(), describeMiss(wanted, opened.certificates()));
                    continue;
                }
                try (NativeStores.Certificate certificate = found.get()) {
                    return Optional.of(use(store, wanted, certificate));
                } catch (CertificateUnusableException e) {
                    // Here but unusable: another store may hold a usable copy; if none does, this is the answer.
                    log.searched(store.toString(), e.reason() + ": " + e.getMessage());
                    firstProblem = firstProblem == null ? e : firstProblem;
                }
            } catch (WindowsException e) {
                CertificateUnusableException problem = StoreProblems.cannotOpen(store, e, account);
                log.searched(store.toString(), problem.getMessage());
                firstProblem = firstProblem == null ? problem : firstProblem;
            }
        }
        if (firstProblem != null) {
            throw firstProblem;
        }
        return Optional.empty();
    }

    private PoolCertificate use(StoreName store, Thumbprint wanted, NativeStores.Certificate found) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(found.der())));
            List<byte[]> ders = found.chain();
            for (int i = 1; i < ders.size(); i++) {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(ders.get(i))));
            }
        } catch (CertificateException e) {
            throw new CertificateUnusableException(Reason.CORRUPT, store.toString(), "The certificate " + wanted + " in "
                    + store + " cannot be parsed: " + e.getMessage() + ". Re-import it.", e);
        }
        X509Certificate certificate = chain.get(0);
        checkDates(store, wanted, certificate);
        if (!"RSA".equals(certificate.getPublicKey().getAlgorithm())) {
            throw new CertificateUnusableException(Reason.CORRUPT, store.toString(), "The certificate " + wanted + " in "
                    + store + " has a " + certificate.getPublicKey().getAlgorithm() + " key; Entra ID client assertions "
                    + "are signed RS256, so the pool certificate needs an RSA key.", null);
        }
        StoreSigner signer = new StoreSigner(natives(), store, wanted, account);
        // Sign once now, with this handle: key problems surface here, with the store named, not at the first token.
        byte[] probe = signer.sign(found, StoreSigner.sha256(PROBE));
        if (!verifies(certificate, probe)) {
            throw new CertificateUnusableException(Reason.KEY_MISMATCH, store.toString(), "The private key attached to "
                    + "certificate " + wanted + " in " + store + " does not belong to it. Re-import the certificate "
                    + "with its own key.", null);
        }
        LOG.debug("Found certificate {} in {} with a key that signs in the store", wanted, store);
        return PoolCertificate.signing(chain, signer, NAME + " " + store);
    }

    private void checkDates(StoreName store, Thumbprint wanted, X509Certificate certificate) {
        Instant now = clock.instant();
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (now.isAfter(notAfter)) {
            throw new CertificateUnusableException(Reason.EXPIRED, store.toString(), "The certificate " + wanted + " in "
                    + store + " expired on " + notAfter + " (valid from " + notBefore + "; now " + now + "). Entra ID "
                    + "refuses expired certificates: register a new one on the application and put it on the pool (the "
                    + "Key Vault VM extension installs a renewed certificate under a new thumbprint; configure that one).",
                    null);
        }
        if (now.isBefore(notBefore)) {
            throw new CertificateUnusableException(Reason.NOT_YET_VALID, store.toString(), "The certificate " + wanted
                    + " in " + store + " is not valid before " + notBefore + " (valid until " + notAfter + "; now " + now
                    + "). Check the node's clock, or wait.", null);
        }
    }

    private static boolean verifies(X509Certificate certificate, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String describeMiss(Thumbprint wanted, List<byte[]> ders) {
        List<Thumbprint> present = new ArrayList<>();
        for (byte[] der : ders) {
            X509Certificate c = parseOrNull(der);
            if (c != null) {
                present.add(Thumbprint.of(c));
            }
        }
        String count = ders.size() == 1 ? "1 certificate" : ders.size() + " certificates";
        List<String> closest = Thumbprints.closest(wanted, present, 3);
        return count + ", none with thumbprint " + wanted + (closest.isEmpty() ? "" : "; closest: "
                + String.join(", ", closest));
    }

    private static X509Certificate parseOrNull(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            return null;
        }
    }

    private synchronized NativeStores natives() {
        if (loaded == null) {
            loaded = natives.get();
        }
        return loaded;
    }

    /** Only here is the JNA implementation named, so that it is loaded on Windows alone. */
    private static NativeStores jna() {
        return new JnaNativeStores();
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    /** DOMAIN\\user as Windows names the account, for messages about access to keys. */
    private static String currentAccount() {
        String user = System.getenv("USERNAME");
        String domain = System.getenv("USERDOMAIN");
        if (user == null || user.isEmpty()) {
            return "'" + System.getProperty("user.name") + "'";
        }
        return "'" + (domain == null || domain.isEmpty() ? user : domain + "\\" + user) + "'";
    }
}
