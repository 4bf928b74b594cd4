package dev.batchvault.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.InvalidConfigurationException;
import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.spi.CertificateQuery;
import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.Thumbprint;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store logic against a fake native layer that fails as Windows does; every handle is closed on every path. */
class WindowsCertificateStoreTest {
    static final StoreName MACHINE_MY = StoreName.DEFAULT;
    static final StoreName USER_MY = new StoreName(StoreName.Location.CURRENT_USER, "My");
    static final String ACCOUNT = "'BATCHNODE\\PoolNonAdmin'";
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    static SelfSignedCertificate pool;
    static SelfSignedCertificate other;

    final FakeStores fake = new FakeStores();
    final List<String> searched = new ArrayList<>();

    @BeforeAll
    static void certificates() {
        pool = SelfSignedCertificate.create("CN=pool", NOW.minus(30, ChronoUnit.DAYS), NOW.plus(365, ChronoUnit.DAYS));
        other = SelfSignedCertificate.create("CN=other", NOW.minus(30, ChronoUnit.DAYS), NOW.plus(365, ChronoUnit.DAYS));
    }

    @AfterEach
    void everyHandleClosed() {
        assertThat(fake.open.get()).as("handles left open").isZero();
    }

    WindowsCertificateStore source() {
        return new WindowsCertificateStore(true, () -> fake, Clock.fixed(NOW, ZoneOffset.UTC), ACCOUNT);
    }

    Optional<PoolCertificate> find(SelfSignedCertificate wanted, Map<String, String> settings) {
        return find(wanted.thumbprint(), settings);
    }

    Optional<PoolCertificate> find(String thumbprint, Map<String, String> settings) {
        CertificateQuery query = new CertificateQuery(Thumbprint.parse(thumbprint, "certificate-thumbprint"),
                key -> Optional.ofNullable(settings.get(key)));
        return source().find(query, (location, finding) -> searched.add(location + ": " + finding));
    }

    @Test
    void findsTheCertificateInLocalMachineMyAndSignsInTheStore() throws Exception {
        fake.put(MACHINE_MY, other.certificate(), other.privateKey()).put(MACHINE_MY, pool.certificate(), pool.privateKey());

        PoolCertificate found = find(pool, Map.of()).orElseThrow();

        assertThat(found.thumbprint().hex()).isEqualTo(Thumbprint.of(pool.certificate()).hex());
        assertThat(found.hasPrivateKey()).isFalse();
        assertThat(found.location()).isEqualTo("Windows certificate store LocalMachine\\My");
        assertThat(found.toString()).contains("signs in its store");
        byte[] data = "header.claims".getBytes(StandardCharsets.US_ASCII);
        byte[] signature = found.signer().signSha256WithRsa(data);
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(pool.certificate().getPublicKey());
        verifier.update(data);
        assertThat(verifier.verify(signature)).isTrue();
        // The key check at find, then one store visit per signature: open, find, acquire, sign, release.
        assertThat(fake.signatures.get()).isEqualTo(2);
        assertThat(fake.opened.get()).isEqualTo(2);
        assertThatThrownBy(found::privateKey).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void storesComeFromTheSettingInOrder() {
        fake.emptyStore(USER_MY).put(MACHINE_MY, pool.certificate(), pool.privateKey());

        PoolCertificate found = find(pool, Map.of("certificate-store", "currentuser/My, LocalMachine\\My")).orElseThrow();

        assertThat(found.location()).endsWith("LocalMachine\\My");
        assertThat(searched).containsExactly("CurrentUser\\My: 0 certificates, none with thumbprint "
                + Thumbprint.of(pool.certificate()));
    }

    @Test
    void aMistypedThumbprintNamesTheStoreItsCountAndTheClosestOnes() {
        fake.put(MACHINE_MY, other.certificate(), other.privateKey()).put(MACHINE_MY, pool.certificate(), pool.privateKey());
        String real = Thumbprint.of(pool.certificate()).hex();
        char wrong = real.charAt(7) == 'A' ? 'B' : 'A';
        String typo = real.substring(0, 7) + wrong + real.substring(8);

        assertThat(find(typo, Map.of())).isEmpty();

        assertThat(searched).hasSize(1);
        assertThat(searched.get(0)).startsWith("LocalMachine\\My: 2 certificates, none with thumbprint " + typo
                + "; closest: " + real + " (1 digit differs), ");
    }

    @Test
    void aStoreThatCannotBeOpenedSaysWhyAndTheSearchGoesOn() {
        fake.failOpen(USER_MY, WindowsException.E_ACCESSDENIED).put(MACHINE_MY, pool.certificate(), pool.privateKey());

        assertThat(find(pool, Map.of("certificate-store", "CurrentUser\\My,LocalMachine\\My"))).isPresent();
        assertThat(searched.get(0)).startsWith("CurrentUser\\My: Cannot open the certificate store CurrentUser\\My: "
                + "CertOpenStore failed: 0x80070005 (E_ACCESSDENIED: access is denied).");
    }

    @Test
    void aCopyWithoutItsKeyDoesNotHideAUsableOneInTheNextStore() {
        fake.put(USER_MY, pool.certificate(), null).put(MACHINE_MY, pool.certificate(), pool.privateKey());

        PoolCertificate found = find(pool, Map.of("certificate-store", "CurrentUser\\My,LocalMachine\\My")).orElseThrow();

        assertThat(found.location()).endsWith("LocalMachine\\My");
        assertThat(searched).singleElement().asString().startsWith("CurrentUser\\My: NO_PRIVATE_KEY: The certificate ");
    }

    @Test
    void aStoreThatDoesNotExist() {
        assertThatThrownBy(() -> find(pool, Map.of("certificate-store", "LocalMachine\\Mine")))
                .isInstanceOfSatisfying(CertificateUnusableException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNREADABLE);
                    assertThat(e.location()).isEqualTo("LocalMachine\\Mine");
                })
                .hasMessage("Cannot open the certificate store LocalMachine\\Mine: CertOpenStore failed: 0x00000002 "
                        + "(ERROR_FILE_NOT_FOUND: the store does not exist). There is no store named 'Mine' in LocalMachine. "
                        + "Use the storeName the pool's certificate reference (or the Key Vault VM extension's "
                        + "certificateStoreName) gives, usually My, in certificate-store (BATCHVAULT_CERTIFICATE_STORE).");
    }

    @Test
    void aStoreThatDoesNotExistAsAnHresult() {
        fake.failOpen(MACHINE_MY, WindowsException.HRESULT_FILE_NOT_FOUND);
        assertThatThrownBy(() -> find(pool, Map.of()))
                .hasMessageContaining("0x80070002 (ERROR_FILE_NOT_FOUND: the store does not exist). There is no store named 'My'");
    }

    @Test
    void aStoreThatDeniesAccess() {
        fake.failOpen(MACHINE_MY, WindowsException.ERROR_ACCESS_DENIED);
        assertThatThrownBy(() -> find(pool, Map.of()))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("0x00000005 (ERROR_ACCESS_DENIED: access is denied)")
                .hasMessageContaining("The account " + ACCOUNT + " may not open it. Run the task elevated");
    }

    @Test
    void aCertificateWithoutItsKey() {
        fake.put(MACHINE_MY, pool.certificate(), null);
        assertThatThrownBy(() -> find(pool, Map.of()))
                .isInstanceOfSatisfying(CertificateUnusableException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NO_PRIVATE_KEY))
                .hasMessageStartingWith("The certificate " + Thumbprint.of(pool.certificate()) + " in LocalMachine\\My "
                        + "has no private key (CryptAcquireCertificatePrivateKey failed: 0x8009200B "
                        + "(CRYPT_E_NO_KEY_PROPERTY");
    }

    @Test
    void aKeyTheTaskUserMayNotReadAccessDenied() {
        keyNotAccessible(WindowsException.E_ACCESSDENIED, "0x80070005 (E_ACCESSDENIED: access is denied)");
    }

    @Test
    void aKeyTheTaskUserMayNotReadKeysetDoesNotExist() {
        keyNotAccessible(WindowsException.NTE_BAD_KEYSET, "0x80090016 (NTE_BAD_KEYSET: keyset does not exist)");
    }

    private void keyNotAccessible(int error, String described) {
        fake.put(MACHINE_MY, new FakeStores.Entry(pool.certificate(), pool.privateKey(), error, 0));
        assertThatThrownBy(() -> find(pool, Map.of()))
                .isInstanceOfSatisfying(CertificateUnusableException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNREADABLE))
                .hasMessageContaining("is not accessible to the account " + ACCOUNT)
                .hasMessageContaining(described)
                .hasMessageContaining("run the task elevated (Batch: userIdentity autoUser with elevationLevel admin)")
                .hasMessageContaining("\"accounts\" setting")
                .hasMessageContaining("Manage Private Keys > add " + ACCOUNT + " with Read");
    }

    @Test
    void aKeyThatWantsAPin() {
        fake.put(MACHINE_MY, new FakeStores.Entry(pool.certificate(), pool.privateKey(), 0,
                WindowsException.NTE_SILENT_CONTEXT));
        assertThatThrownBy(() -> find(pool, Map.of()))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("asks for user interaction")
                .hasMessageContaining("NCryptSignHash failed: 0x80090022");
    }

    @Test
    void aKeyOfAnotherCertificate() {
        fake.put(MACHINE_MY, pool.certificate(), other.privateKey());
        assertThatThrownBy(() -> find(pool, Map.of()))
                .isInstanceOfSatisfying(CertificateUnusableException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.KEY_MISMATCH));
    }

    @Test
    void expired() {
        SelfSignedCertificate old = SelfSignedCertificate.create("CN=old", NOW.minus(400, ChronoUnit.DAYS),
                NOW.minus(1, ChronoUnit.DAYS));
        fake.put(MACHINE_MY, old.certificate(), old.privateKey());
        assertThatThrownBy(() -> find(old, Map.of()))
                .isInstanceOfSatisfying(CertificateUnusableException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED))
                .hasMessageContaining("in LocalMachine\\My expired on " + old.certificate().getNotAfter().toInstant())
                .hasMessageContaining("register a new one on the application");
    }

    @Test
    void notYetValid() {
        SelfSignedCertificate future = SelfSignedCertificate.create("CN=future", NOW.plus(1, ChronoUnit.DAYS),
                NOW.plus(400, ChronoUnit.DAYS));
        fake.put(MACHINE_MY, future.certificate(), future.privateKey());
        assertThatThrownBy(() -> find(future, Map.of()))
                .isInstanceOfSatisfying(CertificateUnusableException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_YET_VALID))
                .hasMessageContaining("Check the node's clock");
    }

    @Test
    void aCertificateRemovedAfterItWasFound() {
        fake.put(MACHINE_MY, pool.certificate(), pool.privateKey());
        PoolCertificate found = find(pool, Map.of()).orElseThrow();
        fake.remove(MACHINE_MY);
        assertThatThrownBy(() -> found.signer().signSha256WithRsa(new byte[] {1}))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("was removed from LocalMachine\\My after it was found");
    }

    @Test
    void accessWithdrawnAfterItWasFound() {
        fake.put(MACHINE_MY, pool.certificate(), pool.privateKey());
        PoolCertificate found = find(pool, Map.of()).orElseThrow();
        fake.remove(MACHINE_MY);
        fake.put(MACHINE_MY, new FakeStores.Entry(pool.certificate(), pool.privateKey(), WindowsException.NTE_PERM, 0));
        assertThatThrownBy(() -> found.signer().signSha256WithRsa(new byte[] {1}))
                .isInstanceOf(CertificateUnusableException.class)
                .hasMessageContaining("0x80090010 (NTE_PERM: access denied)");
    }

    @Test
    void aStoreSettingThatNamesNoStore() {
        assertThatThrownBy(() -> find(pool, Map.of("certificate-store", "Machine\\My")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("certificate-store names 'Machine\\My', which is not a certificate store: the location "
                        + "'Machine' is neither LocalMachine nor CurrentUser. Expected LocalMachine\\My, CurrentUser\\My "
                        + "or another store name (Batch's storeName), several separated by ','.");
    }

    @Test
    void elsewhereItIsUnavailableAndTouchesNothingNative() {
        WindowsCertificateStore source = new WindowsCertificateStore(false, () -> {
            throw new AssertionError("the native layer must not be loaded");
        }, Clock.systemUTC(), ACCOUNT);
        CertificateQuery query = new CertificateQuery(Thumbprint.parse(pool.thumbprint(), "t"), k -> Optional.empty());
        assertThat(source.find(query, (location, finding) -> searched.add(location + ": " + finding))).isEmpty();
        assertThat(searched).containsExactly(System.getProperty("os.name") + ": not Windows: this source is unavailable here");
    }
}
