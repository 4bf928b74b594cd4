package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConfigTest {
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String CLIENT = "0b5c1c8a-4c5a-4b8e-9f57-1b9f5d7d3e21";
    private static final String THUMBPRINT = "3B1EFD3A66EA28B16697394703A72CA340A05BD5";

    private static Map<String, String> complete() {
        Map<String, String> m = new HashMap<>();
        m.put("vault-url", "https://myvault.vault.azure.net");
        m.put("tenant-id", TENANT);
        m.put("client-id", CLIENT);
        m.put("certificate-thumbprint", THUMBPRINT);
        return m;
    }

    /** Settings with the given texts set as the builder would set them: parsed and checked through the table. */
    static Settings settings(Map<String, String> explicit, Properties properties, Map<String, String> environment) {
        Map<Setting<?>, Object> typed = new HashMap<>();
        for (Setting<?> s : Settings.ALL) {
            if (explicit.containsKey(s.key())) {
                typed.put(s, s.parse(explicit.get(s.key()), "the builder"));
            }
        }
        return new Settings(typed, properties, environment);
    }

    @Test
    void builderBeatsSystemPropertiesWhichBeatTheEnvironment() {
        Properties props = new Properties();
        props.setProperty("batchvault.vault-url", "https://fromprops.vault.azure.net");
        props.setProperty("batchvault.cache-ttl", "90s");
        Map<String, String> env = new HashMap<>(Map.of(
                "BATCHVAULT_VAULT_URL", "https://fromenv.vault.azure.net",
                "BATCHVAULT_TENANT_ID", TENANT,
                "BATCHVAULT_CLIENT_ID", CLIENT,
                "BATCHVAULT_CERTIFICATE_THUMBPRINT", "3b:1e:fd:3a:66:ea:28:b1:66:97:39:47:03:a7:2c:a3:40:a0:5b:d5",
                "BATCHVAULT_CACHE_TTL", "5m"));

        Config fromEnv = Config.resolve(settings(Map.of(), new Properties(), env), null);
        assertThat(fromEnv.vaultUrl).hasToString("https://fromenv.vault.azure.net");
        assertThat(fromEnv.thumbprint.hex()).isEqualTo(THUMBPRINT);
        assertThat(fromEnv.cacheTtl).isEqualTo(Duration.ofMinutes(5));
        assertThat(fromEnv.authorityHost).hasToString("https://login.microsoftonline.com");

        Config fromProps = Config.resolve(settings(Map.of(), props, env), null);
        assertThat(fromProps.vaultUrl).hasToString("https://fromprops.vault.azure.net");
        assertThat(fromProps.cacheTtl).isEqualTo(Duration.ofSeconds(90));

        Config fromBuilder = Config.resolve(settings(Map.of("vault-url", "https://frombuilder.vault.azure.net/"),
                props, env), null);
        assertThat(fromBuilder.vaultUrl).hasToString("https://frombuilder.vault.azure.net");
        assertThat(fromBuilder.vaultName()).isEqualTo("frombuilder");
    }

    @Test
    void aSettingMayFallBackToFurtherVariables() {
        Setting<String> tenant = Setting.of("tenant-id", String.class, "Entra ID tenant",
                (key, text, origin) -> Config.tenantId(text, origin)).withFallbackVariables("AZURE_TENANT_ID");
        Map<String, String> env = new HashMap<>(Map.of("AZURE_TENANT_ID", TENANT));
        Settings s = settings(Map.of(), new Properties(), env);
        assertThat(s.get(tenant)).hasValue(TENANT);
        assertThat(s.origin(tenant)).isEqualTo("environment variable AZURE_TENANT_ID");
        env.put("BATCHVAULT_TENANT_ID", "contoso.onmicrosoft.com");
        assertThat(s.get(tenant)).as("BATCHVAULT_ comes first").hasValue("contoso.onmicrosoft.com");
        env.put("AZURE_TENANT_ID", "not a tenant");
        assertThat(s.get(tenant)).as("an unused fallback is not checked").hasValue("contoso.onmicrosoft.com");
    }

    @Test
    void theBuilderHoldsTypedValuesCheckedOnce() {
        Settings s = new Settings(Map.of(Settings.CACHE_TTL, Duration.ofMillis(1500)), new Properties(),
                Map.of("BATCHVAULT_CACHE_TTL", "5m"));
        assertThat(s.valueOf(Settings.CACHE_TTL)).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.origin(Settings.CACHE_TTL)).isEqualTo("the builder");
        assertThat(s.origin("cache-ttl")).isEqualTo("the builder");
        assertThat(s.valueOf(Settings.CACHE_JITTER)).as("the default").isEqualTo(0.1);
        assertThatThrownBy(() -> Settings.CACHE_JITTER.check(0.7))
                .hasMessageContaining("cache-jitter must be between 0.0 and 0.5 but was 0.7");
        assertThat(Settings.MAX_CONCURRENT_REQUESTS.parse("5000", "x")).as("capped").isEqualTo(1_000);
    }

    @Test
    void blankValuesCountAsUnset() {
        Map<String, String> env = new HashMap<>(Map.of("BATCHVAULT_VAULT_URL", "https://fromenv.vault.azure.net"));
        Properties props = new Properties();
        props.setProperty("batchvault.vault-url", "  ");
        assertThat(settings(Map.of(), props, env).get(Settings.VAULT_URL))
                .hasValue(java.net.URI.create("https://fromenv.vault.azure.net"));
    }

    @Test
    void missingSettingsNameEveryWayToSetThem() {
        Map<String, String> m = complete();
        m.remove("vault-url");
        assertThatThrownBy(() -> Config.resolve(settings(m, new Properties(), Map.of()), null))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("vault-url is not set")
                .hasMessageContaining("system property batchvault.vault-url or environment variable BATCHVAULT_VAULT_URL")
                .extracting(e -> ((InvalidConfigurationException) e).setting()).isEqualTo("vault-url");

        Map<String, String> noCertificate = complete();
        noCertificate.remove("certificate-thumbprint");
        assertThatThrownBy(() -> Config.resolve(settings(noCertificate, new Properties(), Map.of()), null))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("No way to authenticate is configured")
                .hasMessageContaining("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID")
                .hasMessageContaining("BATCHVAULT_CERTIFICATE_THUMBPRINT")
                .hasMessageContaining("BATCHVAULT_CERTIFICATE_PATH");
        noCertificate.put("auth-mode", "certificate");
        assertThatThrownBy(() -> Config.resolve(settings(noCertificate, new Properties(), Map.of()), null))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("No certificate is configured")
                .hasMessageContaining("BATCHVAULT_CERTIFICATE_THUMBPRINT")
                .hasMessageContaining("BATCHVAULT_CERTIFICATE_PATH");
    }

    @Test
    void vaultUrlMustBeAbsoluteHttpsWithoutAPath() {
        assertThatThrownBy(() -> Config.httpsUrl("vault-url", "http://myvault.vault.azure.net", "environment variable X"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("vault-url 'http://myvault.vault.azure.net' (from environment variable X) uses http; it must use https");
        assertThatThrownBy(() -> Config.httpsUrl("vault-url", "myvault.vault.azure.net", "the builder"))
                .hasMessageContaining("is not an absolute URL");
        assertThatThrownBy(() -> Config.httpsUrl("vault-url", "https://myvault.vault.azure.net/secrets/x", "the builder"))
                .hasMessageContaining("has a path (/secrets/x)");
        assertThatThrownBy(() -> Config.httpsUrl("vault-url", "https://myvault.vault.azure.net?x=1", "the builder"))
                .hasMessageContaining("has a query");
        assertThatThrownBy(() -> Config.httpsUrl("vault-url", "https://bad host", "the builder"))
                .hasMessageContaining("is not a URL");
        assertThat(Config.httpsUrl("vault-url", "https://myvault.vault.azure.net:443/", "the builder"))
                .hasToString("https://myvault.vault.azure.net:443");
    }

    @Test
    void idsAreChecked() {
        assertThatThrownBy(() -> Config.clientId("my-app", "the builder"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("client-id 'my-app' (from the builder) is not an application (client) id");
        assertThatThrownBy(() -> Config.tenantId("not a tenant", "the builder"))
                .hasMessageContaining("tenant-id 'not a tenant' (from the builder) is neither a directory id");
        assertThat(Config.tenantId("contoso.onmicrosoft.com", "x")).isEqualTo("contoso.onmicrosoft.com");
        assertThat(Config.clientId(CLIENT.toUpperCase(), "x")).isEqualTo(CLIENT);
    }

    @Test
    void durations() {
        assertThat(Config.duration("cache-ttl", "600")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Config.duration("cache-ttl", "PT1H")).isEqualTo(Duration.ofHours(1));
        assertThat(Config.duration("cache-ttl", "1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Config.duration("cache-ttl", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> Config.duration("cache-ttl", "ten minutes"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("cache-ttl 'ten minutes' is not a duration");
        assertThatThrownBy(() -> Config.positive("cache-ttl", Config.duration("cache-ttl", "0")))
                .hasMessageContaining("cache-ttl must be positive");
        assertThatThrownBy(() -> Config.duration("cache-max-staleness", "-5s"))
                .hasMessageContaining("cache-max-staleness must not be negative");
        assertThat(Config.duration("cache-negative-ttl", "0")).isZero();
    }

    @Test
    void cacheAndRetrySettings() {
        Map<String, String> m = complete();
        Config defaults = Config.resolve(settings(m, new Properties(), Map.of()), null);
        assertThat(defaults.cacheTtl).isEqualTo(Duration.ofMinutes(10));
        assertThat(defaults.cacheJitter).isEqualTo(0.1);
        assertThat(defaults.cacheRefreshAhead).isEqualTo(0.8);
        assertThat(defaults.cacheMaxStaleness).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.cacheNegativeTtl).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.cacheMaxSize).isEqualTo(1_000);
        assertThat(defaults.callDeadline).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.requestTimeout).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.maxConcurrentRequests).isEqualTo(8);

        m.put("cache-jitter", "0.7");
        assertThatThrownBy(() -> Config.resolve(settings(m, new Properties(), Map.of()), null))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("cache-jitter must be between 0.0 and 0.5 but was 0.7");
        m.remove("cache-jitter");
        m.put("cache-max-size", "lots");
        assertThatThrownBy(() -> Config.resolve(settings(m, new Properties(), Map.of()), null))
                .hasMessageContaining("cache-max-size 'lots' is not a whole number");
        m.put("cache-max-size", "0");
        assertThatThrownBy(() -> Config.resolve(settings(m, new Properties(), Map.of()), null))
                .hasMessageContaining("cache-max-size must be positive but was 0");
        assertThatThrownBy(() -> BatchVault.builder().cacheRefreshAhead(0))
                .hasMessageContaining("cache-refresh-ahead must be between 0.1 and 1.0 but was 0.0");
        assertThatThrownBy(() -> BatchVault.builder().callDeadline(Duration.ZERO))
                .hasMessageContaining("call-deadline must be positive but was PT0S");
        assertThatThrownBy(() -> BatchVault.builder().cacheMaxStaleness(Duration.ofSeconds(-1)))
                .hasMessageContaining("cache-max-staleness must not be negative but was PT-1S");
        assertThatThrownBy(() -> BatchVault.builder().maxConcurrentRequests(0))
                .hasMessageContaining("max-concurrent-requests must be positive but was 0");
    }

    @Test
    void onlyLoopbackHostsRelaxChallengeVerification() {
        assertThat(Config.isLoopback(java.net.URI.create("https://localhost:8443"))).isTrue();
        assertThat(Config.isLoopback(java.net.URI.create("https://127.0.0.1:8443"))).isTrue();
        assertThat(Config.isLoopback(java.net.URI.create("https://[::1]:8443"))).isTrue();
        assertThat(Config.isLoopback(java.net.URI.create("https://127.0.0.2:8443"))).isFalse();
        assertThat(Config.isLoopback(java.net.URI.create("https://localhost.evil.example"))).isFalse();
        assertThat(Config.isLoopback(java.net.URI.create("https://myvault.vault.azure.net"))).isFalse();
    }
}
