package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.emulator.SecretAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Each row of the cache contract, against the emulator, with a clock the test moves. */
class CacheContractTest extends WithFixture {
    final FakeTime time = new FakeTime();

    private BatchVault vault() {
        return fixture.builder().cacheJitter(0).timeSource(time).build();
    }

    /** Warms the token and the challenge, so that later counts are requests for secrets only. */
    private static void warm(BatchVault vault) {
        fixture.vault.setSecret("warm", "up");
        vault.get("warm");
    }

    @Test
    void hitMissAndTtl() {
        fixture.vault.setSecret("ttl", "v1");
        try (BatchVault vault = vault()) {
            warm(vault);
            long before = fixture.vault.requests();
            assertThat(vault.get("ttl").value()).isEqualTo("v1");
            fixture.vault.setSecret("ttl", "v2");
            time.advance(Duration.ofMinutes(9));
            assertThat(vault.get("ttl").value()).as("fresh for the TTL").isEqualTo("v1");
            assertThat(fixture.vault.requests() - before).isEqualTo(1);
            time.advance(Duration.ofMinutes(2));
            assertThat(vault.get("ttl").value()).as("past the TTL: asks the vault").isEqualTo("v2");
            assertThat(fixture.vault.requests() - before).isEqualTo(2);
            CacheStats stats = vault.cacheStats();
            assertThat(stats.hits()).isEqualTo(1);
            assertThat(stats.misses()).isEqualTo(3);
            assertThat(stats.loads()).isEqualTo(3);
            assertThat(stats.loadFailures()).isZero();
        }
    }

    @Test
    void jitterSpreadsTtls() {
        fixture.vault.setSecret("jittered", "v1");
        int refreshedEarly = 0;
        for (int i = 0; i < 20; i++) {
            FakeTime t = new FakeTime();
            try (BatchVault vault = fixture.builder().cacheJitter(0.1).cacheRefreshAhead(1).timeSource(t).build()) {
                vault.get("jittered");
                long before = fixture.vault.requests();
                t.advance(Duration.ofSeconds(595));
                vault.get("jittered");
                refreshedEarly += fixture.vault.requests() > before ? 1 : 0;
            }
        }
        // With +-10% a TTL of 10 minutes ends anywhere from 9 to 11: some end before 9:55, some after.
        assertThat(refreshedEarly).isBetween(1, 19);
    }

    @Test
    void refreshAheadNeverBlocksTheCaller() {
        fixture.vault.setSecret("hot", "v1");
        List<Runnable> background = new ArrayList<>();
        try (BatchVault vault = fixture.builder().cacheJitter(0).timeSource(time).refreshExecutor(background::add)
                .build()) {
            warm(vault);
            assertThat(vault.get("hot").value()).isEqualTo("v1");
            fixture.vault.setSecret("hot", "v2");
            long before = fixture.vault.requests();
            time.advance(Duration.ofMinutes(9));
            assertThat(vault.get("hot").value()).as("served at once, refreshed behind").isEqualTo("v1");
            assertThat(vault.get("hot").value()).as("one refresh at a time").isEqualTo("v1");
            assertThat(background).as("one refresh handed to the executor").hasSize(1);
            assertThat(fixture.vault.requests()).as("nothing asked yet").isEqualTo(before);
            background.remove(0).run();
            assertThat(fixture.vault.requests() - before).isEqualTo(1);
            assertThat(vault.get("hot").value()).isEqualTo("v2");
            assertThat(vault.cacheStats().misses()).isEqualTo(2);
            assertThat(vault.cacheStats().loads()).isEqualTo(3);
            assertThat(background).isEmpty();
        }
    }

    @Test
    void neverPastTheSecretsOwnExpiry() {
        fixture.vault.setSecret("shortLived", "v1", SecretAttributes.defaults().expiresOn(Instant.now().plusSeconds(60)));
        try (BatchVault vault = vault()) {
            warm(vault);
            assertThat(vault.get("shortLived").value()).isEqualTo("v1");
            fixture.vault.setSecret("shortLived", "v2");
            time.advance(Duration.ofSeconds(30));
            assertThat(vault.get("shortLived").value()).isEqualTo("v1");
            time.advance(Duration.ofSeconds(31));
            assertThat(vault.get("shortLived").value()).as("exp passed before the TTL").isEqualTo("v2");
        }
    }

    @Test
    void pinnedVersionsStayUntilEvicted() {
        String v1 = fixture.vault.setSecret("pinned", "one");
        try (BatchVault vault = vault()) {
            warm(vault);
            assertThat(vault.get("pinned", v1).value()).isEqualTo("one");
            long before = fixture.vault.requests();
            time.advance(Duration.ofDays(30));
            assertThat(vault.get("pinned", v1).value()).isEqualTo("one");
            assertThat(fixture.vault.requests()).isEqualTo(before);
        }
    }

    @Test
    void notFoundIsRememberedForTheNegativeTtl() {
        try (BatchVault vault = vault()) {
            warm(vault);
            long before = fixture.vault.requests();
            assertThatThrownBy(() -> vault.get("comingSoon")).isInstanceOf(SecretNotFoundException.class);
            assertThatThrownBy(() -> vault.get("comingSoon")).isInstanceOf(SecretNotFoundException.class)
                    .hasMessageContaining("remembered");
            assertThat(fixture.vault.requests() - before).isEqualTo(1);
            fixture.vault.setSecret("comingSoon", "here");
            time.advance(Duration.ofSeconds(31));
            assertThat(vault.get("comingSoon").value()).isEqualTo("here");
            assertThat(vault.cacheStats().loadFailures()).isEqualTo(1);
        }
    }

    @Test
    void accessRevokedAndDisabledAreNeverMasked() {
        String clientId = Fixture.randomClientId();
        var app = fixture.emulator.tenant(Fixture.TENANT).application(clientId)
                .registerCertificate(fixture.certificate.certificate());
        fixture.vault.grant(app.principalObjectId(), "get");
        fixture.vault.setSecret("revocable", "v1");
        fixture.vault.setSecret("disableable", "v1");
        try (BatchVault vault = fixture.builder().clientId(clientId).cacheJitter(0).timeSource(time).build()) {
            vault.get("revocable");
            vault.get("disableable");
            fixture.vault.setEnabled("disableable", false);
            time.advance(Duration.ofMinutes(11));
            assertThatThrownBy(() -> vault.get("disableable")).isInstanceOf(SecretDisabledException.class);
            fixture.vault.revoke(app.principalObjectId());
            assertThatThrownBy(() -> vault.get("revocable")).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> vault.get("revocable")).as("the entry is gone").isInstanceOf(AccessDeniedException.class);
            assertThat(vault.cacheStats().staleServes()).isZero();
        }
    }

    @Test
    void aDeletedSecretIsNeverMasked() {
        fixture.vault.setSecret("deleted", "v1");
        try (BatchVault vault = vault()) {
            assertThat(vault.get("deleted").value()).isEqualTo("v1");
            fixture.vault.deleteSecret("deleted");
            time.advance(Duration.ofMinutes(11));
            assertThatThrownBy(() -> vault.get("deleted")).isInstanceOf(SecretNotFoundException.class);
            assertThat(vault.cacheStats().staleServes()).isZero();
        }
    }

    @Test
    void singleFlightFor64Callers() throws Exception {
        fixture.vault.setSecret("contended", "v1");
        try (BatchVault vault = vault()) {
            warm(vault);
            long before = fixture.vault.requests();
            List<String> values = concurrently(64, () -> vault.get("contended").value());
            assertThat(values).hasSize(64).containsOnly("v1");
            assertThat(fixture.vault.requests() - before).isEqualTo(1);
            assertThat(vault.cacheStats().loads()).isEqualTo(2);
        }
    }

    @Test
    void oneTokenForAHundredSecrets() throws Exception {
        for (int i = 0; i < 100; i++) {
            fixture.vault.setSecret("many-" + i, "value-" + i);
        }
        long tokensBefore = fixture.emulator.tokensIssued();
        try (BatchVault vault = vault()) {
            List<String> values = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<String>> futures = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    String name = "many-" + i;
                    futures.add(pool.submit(() -> vault.get(name).value()));
                }
                for (Future<String> f : futures) {
                    values.add(f.get());
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(values).hasSize(100).contains("value-0", "value-99");
        }
        assertThat(fixture.emulator.tokensIssued() - tokensBefore).isEqualTo(1);
    }

    @Test
    void invalidateRefreshAndStatistics() {
        fixture.vault.setSecret("managed", "v1");
        try (BatchVault vault = vault()) {
            warm(vault);
            assertThat(vault.get("managed").value()).isEqualTo("v1");
            fixture.vault.setSecret("managed", "v2");
            assertThat(vault.get("managed").value()).isEqualTo("v1");
            vault.invalidate("managed");
            assertThat(vault.get("managed").value()).isEqualTo("v2");
            fixture.vault.setSecret("managed", "v3");
            assertThat(vault.refresh("managed").value()).isEqualTo("v3");
            assertThat(vault.get("managed").value()).isEqualTo("v3");
            assertThat(vault.cacheStats()).hasToString("CacheStats{hits=2, misses=3, loads=4, loadFailures=0, staleServes=0}");
        }
    }

    @Test
    void aHitReadsTheTickerOnceAndStillChecksNewNames() {
        fixture.vault.setSecret("hit", "v1");
        try (BatchVault vault = vault()) {
            vault.get("hit");
            long reads = time.reads();
            long requests = fixture.vault.requests();
            assertThat(vault.get("hit").value()).isEqualTo("v1");
            assertThat(time.reads() - reads).as("ticker reads on a hit").isEqualTo(1);
            assertThat(fixture.vault.requests()).isEqualTo(requests);
            assertThat(vault.cacheStats().hits()).isEqualTo(1);
            assertThatThrownBy(() -> vault.get("hit_")).isInstanceOf(InvalidSecretNameException.class);
            assertThatThrownBy(() -> vault.get(null)).isInstanceOf(InvalidSecretNameException.class);
            closeEarly(vault);
            assertThatThrownBy(() -> vault.get("hit")).as("closed: nothing is served")
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    /** Closes before the end of its try block (javac's lint flags a direct close() of a try resource). */
    private static void closeEarly(BatchVault vault) {
        vault.close();
    }

    @Test
    void namesAreCaseInsensitiveAsInKeyVault() {
        fixture.vault.setSecret("MixedCase", "v1");
        try (BatchVault vault = vault()) {
            warm(vault);
            long before = fixture.vault.requests();
            assertThat(vault.get("MixedCase").value()).isEqualTo("v1");
            assertThat(vault.get("mixedcase").value()).isEqualTo("v1");
            assertThat(vault.get("MIXEDCASE").value()).isEqualTo("v1");
            assertThat(fixture.vault.requests() - before).as("one entry, one request").isEqualTo(1);
            fixture.vault.setSecret("MixedCase", "v2");
            vault.invalidate("mixedCASE");
            assertThat(vault.get("MixedCase").value()).as("invalidate forgets every spelling").isEqualTo("v2");
            assertThat(fixture.vault.requests() - before).isEqualTo(2);
        }
    }

    static <T> List<T> concurrently(int threads, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return task.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
