package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The cache alone, with a loader of its own (no vault) and a clock the test moves. */
class SecretCacheTest {
    private final FakeTime time = new FakeTime();
    private final List<String> asked = new ArrayList<>();
    private final List<Runnable> background = new ArrayList<>();
    private final Config config = Config.resolve(ConfigTest.settings(Map.of(
            "vault-url", "https://myvault.vault.azure.net",
            "tenant-id", "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "client-id", "0b5c1c8a-4c5a-4b8e-9f57-1b9f5d7d3e21",
            "certificate-thumbprint", "3B1EFD3A66EA28B16697394703A72CA340A05BD5",
            "cache-jitter", "0",
            "cache-max-staleness", "0"), new Properties(), Map.of()), null);

    /** Secrets whose name starts with "short" expire a minute after they are read; others never. */
    private SecretCache cache() {
        return new SecretCache(config, (name, version) -> {
            asked.add(name + (version == null ? "" : "/" + version));
            Instant expiresOn = name.startsWith("short") ? time.now().plus(Duration.ofMinutes(1)) : null;
            return new Secret(name, version == null ? "v" + asked.size() : version, "value", null, expiresOn);
        }, time, background::add);
    }

    @Test
    void oneEntryForEverySpellingOfAName() {
        try (SecretCache cache = cache()) {
            cache.get(cache.key("Db-Password"));
            cache.get(cache.key("db-password"));
            assertThat(cache.getIfFresh("DB-PASSWORD")).as("a spelling never checked is a miss").isNull();
            cache.get(cache.key("DB-PASSWORD"));
            assertThat(cache.getIfFresh("DB-PASSWORD")).isNotNull();
            assertThat(asked).as("the vault is asked with the caller's spelling, once").containsExactly("Db-Password");
            cache.get(CacheKey.pinned("DB-password", "abc"));
            assertThat(cache.size()).isEqualTo(2);
            cache.invalidate("db-PASSWORD");
            assertThat(cache.size()).as("the latest and the pinned version, whatever the spelling").isZero();
        }
    }

    @Test
    void entriesPastEveryDeadlineGoAfterTheNextLoad() {
        try (SecretCache cache = cache()) {
            cache.get(cache.key("short"));
            time.advance(Duration.ofMinutes(2));
            assertThat(cache.getIfFresh("short")).as("past its exp").isNull();
            assertThat(cache.size()).as("still held until a load").isEqualTo(1);
            cache.get(cache.key("other"));
            assertThat(cache.size()).as("only what the load just put").isEqualTo(1);
            assertThat(cache.getIfFresh("other")).isNotNull();
        }
    }

    @Test
    void backgroundRefreshesRunWhenTheExecutorSays() {
        try (SecretCache cache = cache()) {
            Secret first = cache.get(cache.key("hot"));
            time.advance(Duration.ofMinutes(9));
            assertThat(cache.getIfFresh("hot")).isSameAs(first);
            assertThat(cache.getIfFresh("hot")).isSameAs(first);
            assertThat(background).hasSize(1);
            background.remove(0).run();
            assertThat(cache.getIfFresh("hot")).isNotSameAs(first);
            assertThat(asked).containsExactly("hot", "hot");
        }
    }
}
