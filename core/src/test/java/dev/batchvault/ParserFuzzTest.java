package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchvault.emulator.SelfSignedCertificate;
import dev.batchvault.internal.CertificateFiles;
import dev.batchvault.spi.InvalidThumbprintException;
import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.Thumbprint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing of the parsers that read what others wrote: the thumbprint parser, the PEM reader, the
 * PKCS#12 reader and the Retry-After parser. Any input ends in a value or BatchVault's typed
 * exception; never another exception, a hang or unbounded memory (inputs are at most the 64 KiB
 * a certificate file may hold). Inputs are random text and bytes, and mutations (flipped bits,
 * cuts, insertions, splices, garbled base64) of a real PEM and a real PFX.
 *
 * <p>This class is the bounded run of the normal test command: fixed seeds, a few hundred tries
 * per parser, a few seconds in all. {@link ParserLongFuzzRun} is the long run (random seeds, many
 * more tries); see core/README.md.
 */
class ParserFuzzTest {
    static final String SEED = "20261128";
    /** jqwik says through java.util.logging when edge cases outnumber tries: not worth a console line. */
    private static final java.util.logging.Logger JQWIK_LOG = java.util.logging.Logger.getLogger("net.jqwik");

    static {
        JQWIK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final byte[] BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
            .getBytes(StandardCharsets.US_ASCII);

    /** A real certificate with its key, as PEM and as PKCS#12 (password {@code pw}). */
    static final class Material {
        static final SelfSignedCertificate POOL = SelfSignedCertificate.create("CN=fuzz");
        static final Thumbprint WANTED = Thumbprint.parse(POOL.thumbprint(), "t");
        static final byte[] PEM;
        static final byte[] PFX;

        static {
            try {
                Path dir = Files.createTempDirectory("fuzz");
                PEM = Files.readAllBytes(POOL.writePem(dir.resolve("p.pem")));
                PFX = Files.readAllBytes(POOL.writePfx(dir.resolve("p.pfx"), "pw".toCharArray()));
                try (var files = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Files.delete(p);
                    }
                }
                Files.delete(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Property(tries = 2000, seed = SEED)
    void thumbprints(@ForAll("thumbprintText") String text) {
        checkThumbprint(text);
    }

    @Property(tries = 400, seed = SEED)
    void pemFiles(@ForAll("pemBytes") byte[] content, @ForAll boolean wanted) {
        checkPem(content, wanted);
    }

    @Property(tries = 150, seed = SEED)
    void pkcs12Files(@ForAll("pfxBytes") byte[] content, @ForAll("passwords") String password) {
        checkPkcs12(content, password);
    }

    @Property(tries = 2000, seed = SEED)
    void retryAfterHeaders(@ForAll("headerText") String ms, @ForAll("headerText") String xMs,
            @ForAll("headerText") String retryAfter) {
        checkRetryAfter(ms, xMs, retryAfter);
    }

    @Example
    void theSeedsThemselvesParse() {
        assertThat(CertificateFiles.parsePem(Material.PEM, "seed.pem", Material.WANTED).thumbprint())
                .isEqualTo(Material.WANTED);
        assertThat(CertificateFiles.parsePkcs12(Material.PFX, "pw".toCharArray(), "seed.pfx", Material.WANTED)
                .thumbprint()).isEqualTo(Material.WANTED);
    }

    /** The worst case for the PEM pattern: a full-size file of BEGIN lines and base64 with no END. */
    @Example
    void aFullSizeFileOfUnterminatedBlocksEndsInTheTypedError() {
        StringBuilder text = new StringBuilder();
        while (text.length() < 64 * 1024 - 100) {
            text.append("-----BEGIN CERTIFICATE-----\nMIIB").append("A".repeat(64)).append('\n');
        }
        checkPem(text.toString().getBytes(StandardCharsets.US_ASCII), true);
        byte[] base64 = new byte[64 * 1024];
        Arrays.fill(base64, (byte) 'A');
        byte[] begin = "-----BEGIN CERTIFICATE-----".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(begin, 0, base64, 0, begin.length);
        checkPem(base64, false);
    }

    @Example
    void hugeAndNegativeDelaysAreBounded() {
        assertThat(RetryAfter.parse(null, null, "9223372036854775807", NOW)).hasValue(RetryAfter.MAX);
        assertThat(RetryAfter.parse("9223372036854775807", null, null, NOW)).hasValue(RetryAfter.MAX);
        assertThat(RetryAfter.parse("-5", null, null, NOW)).hasValue(Duration.ZERO);
        assertThat(RetryAfter.parse(null, null, "Fri, 31 Dec 9999 23:59:59 GMT", NOW)).hasValue(RetryAfter.MAX);
        assertThat(RetryAfter.parse(null, null, "Thu, 01 Jan 1970 00:00:00 GMT", NOW)).hasValue(Duration.ZERO);
    }

    // --- the checks, shared with the long run

    static void checkThumbprint(String text) {
        try {
            assertThat(Thumbprint.parse(text, "certificate-thumbprint").hex()).matches("[0-9A-F]{40}");
        } catch (InvalidThumbprintException e) {
            assertThat(e.getMessage()).startsWith("certificate-thumbprint is not a SHA-1 thumbprint");
        }
    }

    static void checkPem(byte[] content, boolean wanted) {
        try {
            PoolCertificate c = CertificateFiles.parsePem(content, "fuzz.pem", wanted ? Material.WANTED : null);
            assertThat(c.privateKey()).isNotNull();
        } catch (CertificateUnusableException e) {
            assertThat(e.location()).isEqualTo("fuzz.pem");
        }
        assertThat(CertificateFiles.thumbprintsInPem(content)).isNotNull();
    }

    static void checkPkcs12(byte[] content, String password) {
        try {
            PoolCertificate c = CertificateFiles.parsePkcs12(content, password.toCharArray(), "fuzz.pfx", Material.WANTED);
            assertThat(c.privateKey()).isNotNull();
        } catch (CertificateUnusableException e) {
            assertThat(e.location()).isEqualTo("fuzz.pfx");
        }
    }

    static void checkRetryAfter(String ms, String xMs, String retryAfter) {
        Optional<Duration> delay = RetryAfter.parse(ms, xMs, retryAfter, NOW);
        delay.ifPresent(d -> assertThat(d).isBetween(Duration.ZERO, RetryAfter.MAX));
    }

    // --- the generators

    @Provide
    Arbitrary<String> thumbprintText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(120),
                Arbitraries.strings().withChars("0123456789abcdefABCDEF :-\t\u200e\u200f\u200b\ufeff\u00a0g")
                        .ofMinLength(30).ofMaxLength(90),
                Arbitraries.strings().withChars("0123456789abcdef").ofLength(40)
                        .flatMap(hex -> Arbitraries.integers().between(0, 40).map(i -> hex.substring(0, i) + ":"
                                + hex.substring(i))));
    }

    @Provide
    Arbitrary<byte[]> pemBytes() {
        return Arbitraries.oneOf(randomBytes(4096), mutated(Material.PEM), mutated(Material.PEM), twoPairs());
    }

    @Provide
    Arbitrary<byte[]> pfxBytes() {
        return Arbitraries.oneOf(randomBytes(4096), mutated(Material.PFX), mutated(Material.PFX), mutated(Material.PFX));
    }

    @Provide
    Arbitrary<String> passwords() {
        return Arbitraries.oneOf(Arbitraries.just("pw"), Arbitraries.just(""), Arbitraries.strings().ofMaxLength(20));
    }

    @Provide
    Arbitrary<String> headerText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789-+ ").ofMaxLength(30),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.longs().between(-2_208_988_800L, 253_402_300_799L).map(s -> DateTimeFormatter
                        .RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(s), ZoneOffset.UTC))),
                Arbitraries.strings().all().ofMaxLength(80)).injectNull(0.3);
    }

    static Arbitrary<byte[]> randomBytes(int max) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
    }

    /** Two pairs in one PEM, mutated or not. */
    static Arbitrary<byte[]> twoPairs() {
        return mutated(concat(Material.PEM, SecondPair.PEM));
    }

    static final class SecondPair {
        static final byte[] PEM;

        static {
            try {
                Path file = Files.createTempFile("second", ".pem");
                PEM = Files.readAllBytes(SelfSignedCertificate.create("CN=second").writePem(file));
                Files.delete(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Up to 16 edits of one kind: flip bits, cut, insert bytes, splice a region, or garble base64. */
    static Arbitrary<byte[]> mutated(byte[] seed) {
        Arbitrary<int[]> edits = Arbitraries.integers().between(0, Integer.MAX_VALUE).array(int[].class)
                .ofMinSize(1).ofMaxSize(16);
        return Combinators.combine(Arbitraries.integers().between(0, 4), edits).as((kind, r) -> mutate(seed, kind, r))
                .edgeCases(edges -> edges.add(seed.clone()));
    }

    static byte[] mutate(byte[] seed, int kind, int[] r) {
        byte[] b = seed.clone();
        switch (kind) {
            case 0:
                for (int x : r) {
                    b[x % b.length] ^= (byte) (1 << ((x >>> 24) & 7));
                }
                return b;
            case 1:
                return Arrays.copyOf(b, r[0] % b.length);
            case 2: {
                int at = r[0] % b.length;
                byte[] inserted = new byte[r.length * 4];
                for (int i = 0; i < r.length; i++) {
                    inserted[4 * i] = (byte) r[i];
                    inserted[4 * i + 1] = (byte) (r[i] >>> 8);
                    inserted[4 * i + 2] = (byte) (r[i] >>> 16);
                    inserted[4 * i + 3] = (byte) (r[i] >>> 24);
                }
                return concat(Arrays.copyOf(b, at), inserted, Arrays.copyOfRange(b, at, b.length));
            }
            case 3: {
                int from = r[0] % b.length;
                int to = from + (r.length > 1 ? r[1] % (b.length - from) : 0);
                int at = r.length > 2 ? r[2] % b.length : 0;
                return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, from, to), Arrays.copyOfRange(b, at, b.length));
            }
            default:
                for (int x : r) {
                    int at = x % b.length;
                    if (Character.isLetterOrDigit(b[at])) {
                        b[at] = BASE64[(x >>> 16) % BASE64.length];
                    }
                }
                return b;
        }
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
