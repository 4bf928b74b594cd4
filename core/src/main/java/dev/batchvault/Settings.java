package dev.batchvault;

import dev.batchvault.spi.Thumbprint;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Every setting of core, declared once ({@link Setting}: key, type, default, check, doc), and where
 * each one's value comes from: the builder (a typed value), then system property
 * {@code batchvault.<key>}, then environment variable {@code BATCHVAULT_<KEY>} (upper case, hyphens
 * and dots as underscores), then the setting's fallback variables if it has any: azure-identity's
 * {@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID}, {@code AZURE_CLIENT_CERTIFICATE_PATH} and
 * {@code AZURE_AUTHORITY_HOST}, so that BatchVault's own settings always win. Text values are
 * trimmed; blank counts as unset. Adding a setting is one entry in {@link #ALL} (and its row in the
 * README, which {@code SettingsReadmeTest} checks).
 */
final class Settings {
    /** azure-identity's variables, read after BatchVault's own (ours win); the same names its credentials read. */
    static final String AZURE_TENANT_ID = "AZURE_TENANT_ID";
    /** azure-identity's variable for a user-assigned identity's client id; read only when no certificate is set. */
    static final String AZURE_CLIENT_ID = "AZURE_CLIENT_ID";
    static final String AZURE_CLIENT_CERTIFICATE_PATH = "AZURE_CLIENT_CERTIFICATE_PATH";
    static final String AZURE_AUTHORITY_HOST = "AZURE_AUTHORITY_HOST";

    static final Setting<URI> VAULT_URL = Setting.of("vault-url", URI.class, "the vault",
            Config::httpsUrl);
    static final Setting<String> TENANT_ID = Setting.of("tenant-id", String.class,
            "Entra ID tenant (also read from `AZURE_TENANT_ID`)", (key, text, origin) -> Config.tenantId(text, origin))
            .withFallbackVariables(AZURE_TENANT_ID);
    static final Setting<String> CLIENT_ID = Setting.of("client-id", String.class,
            "the application (client) id (also read from `AZURE_CLIENT_ID` when a certificate is set)",
            (key, text, origin) -> Config.clientId(text, origin)).withFallbackVariables(AZURE_CLIENT_ID);
    static final Setting<Thumbprint> CERTIFICATE_THUMBPRINT = Setting.of("certificate-thumbprint", Thumbprint.class,
            "SHA-1 thumbprint of the pool certificate", (key, text, origin) -> Config.thumbprint(text));
    static final Setting<Path> CERTIFICATE_PATH = Setting.of("certificate-path", Path.class,
            "`.pfx`/`.p12` or `.pem` file (key + certificate; also read from `AZURE_CLIENT_CERTIFICATE_PATH`)",
            (key, text, origin) -> Config.path(key, text)).withFallbackVariables(AZURE_CLIENT_CERTIFICATE_PATH);
    static final Setting<Path> CERTIFICATE_PASSWORD_FILE = Setting.of("certificate-password-file", Path.class,
            "the PKCS#12 password in plain text, as Batch's `.pfx.pw` (one trailing newline ignored; empty = no password)",
            (key, text, origin) -> Config.path(key, text));
    static final Setting<URI> AUTHORITY_HOST = Setting.of("authority-host", URI.class,
            "Entra ID host (also read from `AZURE_AUTHORITY_HOST`)", Config::httpsUrl)
            .withFallbackVariables(AZURE_AUTHORITY_HOST).withDefault(URI.create("https://login.microsoftonline.com"), "https://login.microsoftonline.com");
    static final Setting<Duration> CACHE_TTL = duration("cache-ttl", "how long a value is fresh")
            .withDefault(Duration.ofMinutes(10), "10m").withCheck(Config::positive);
    static final Setting<Double> CACHE_JITTER = fraction("cache-jitter", "random spread of each TTL (0.1: ±10%)", 0, 0.5)
            .withDefault(0.1, "0.1");
    static final Setting<Double> CACHE_REFRESH_AHEAD = fraction("cache-refresh-ahead",
            "point of the TTL from which a hit starts a background refresh (1: never)", 0.1, 1).withDefault(0.8, "0.8");
    static final Setting<Duration> CACHE_MAX_STALENESS = duration("cache-max-staleness",
            "how long past its TTL the last good value may be served while the vault is unavailable")
            .withDefault(Duration.ofHours(1), "1h");
    static final Setting<Duration> CACHE_NEGATIVE_TTL = duration("cache-negative-ttl", "how long a 404 is remembered")
            .withDefault(Duration.ofSeconds(30), "30s");
    static final Setting<Long> CACHE_MAX_SIZE = Setting.of("cache-max-size", Long.class, "entries at most",
            (key, text, origin) -> Config.count(key, text)).withCheck(Config::count).withDefault(1_000L, "1000");
    static final Setting<Duration> CALL_DEADLINE = duration("call-deadline", "how long one call may spend retrying")
            .withDefault(Duration.ofSeconds(30), "30s").withCheck(Config::positive);
    static final Setting<Duration> REQUEST_TIMEOUT = duration("request-timeout",
            "connect and answer timeout of one request").withDefault(Duration.ofSeconds(10), "10s")
            .withCheck(Config::positive);
    static final Setting<Integer> MAX_CONCURRENT_REQUESTS = Setting.of("max-concurrent-requests", Integer.class,
            "requests this process sends to one vault at once (at most 1000)",
            (key, text, origin) -> (int) Math.min(Config.count(key, text), 1_000))
            .withCheck((key, n) -> (int) Math.min(Config.count(key, n), 1_000)).withDefault(8, "8");

    static final Setting<AuthMode> AUTH_MODE = Setting.of("auth-mode", AuthMode.class,
            "`certificate`, `managed-identity`, or `auto`: the certificate when a thumbprint or path is set, else the "
            + "managed identity when one is named", AuthMode::parse).withDefault(AuthMode.AUTO, "auto");
    static final Setting<String> MANAGED_IDENTITY_CLIENT_ID = Setting.of("managed-identity-client-id", String.class,
            "client id of the pool's user-assigned managed identity (also read from `AZURE_CLIENT_ID` when no "
            + "certificate is set)", (key, text, origin) -> Config.identityClientId(text, origin))
            .withFallbackVariables(AZURE_CLIENT_ID);
    static final Setting<String> MANAGED_IDENTITY_RESOURCE_ID = Setting.of("managed-identity-resource-id", String.class,
            "or: its resource id (`/subscriptions/.../userAssignedIdentities/<name>`)",
            (key, text, origin) -> Config.identityResourceId(text, origin));

    /** The table: every setting core reads, in the README's order. */
    static final List<Setting<?>> ALL = List.of(VAULT_URL, AUTH_MODE, TENANT_ID, CLIENT_ID, CERTIFICATE_THUMBPRINT,
            CERTIFICATE_PATH, CERTIFICATE_PASSWORD_FILE, MANAGED_IDENTITY_CLIENT_ID, MANAGED_IDENTITY_RESOURCE_ID,
            AUTHORITY_HOST, CACHE_TTL, CACHE_JITTER, CACHE_REFRESH_AHEAD,
            CACHE_MAX_STALENESS, CACHE_NEGATIVE_TTL, CACHE_MAX_SIZE, CALL_DEADLINE, REQUEST_TIMEOUT,
            MAX_CONCURRENT_REQUESTS);

    private final Map<Setting<?>, Object> explicit;
    private final Properties properties;
    private final Map<String, String> environment;

    /**
     * @param explicit typed values from the builder, already checked
     * @param properties system properties
     * @param environment environment variables
     */
    Settings(Map<Setting<?>, Object> explicit, Properties properties, Map<String, String> environment) {
        this.explicit = new HashMap<>(explicit);
        this.properties = properties;
        this.environment = environment;
    }

    static Settings fromSystem(Map<Setting<?>, Object> explicit) {
        return new Settings(explicit, System.getProperties(), System.getenv());
    }

    /**
     * @return the value from the first source that sets it, parsed and checked
     * @throws InvalidConfigurationException when the text found is malformed
     */
    <T> Optional<T> get(Setting<T> setting) {
        Object value = explicit.get(setting);
        if (value != null) {
            return Optional.of(setting.type().cast(value));
        }
        return text(setting).map(text -> setting.parse(text, origin(setting)));
    }

    /** @return the value, or the setting's default (null when it has none) */
    <T> T valueOf(Setting<T> setting) {
        return get(setting).orElse(setting.defaultValue());
    }

    /**
     * A setting core does not declare (a store module's, such as {@code certificate-dirs}), as text.
     *
     * @param key the key
     * @return its text from system property or environment variable, trimmed, if not blank
     */
    Optional<String> raw(String key) {
        for (Setting<?> s : ALL) {
            if (s.key().equals(key)) {
                Object value = explicit.get(s);
                return value != null ? Optional.of(String.valueOf(value)) : text(s);
            }
        }
        return Optional.ofNullable(nonBlank(properties.getProperty(property(key))))
                .or(() -> Optional.ofNullable(nonBlank(environment.get(variable(key)))));
    }

    private Optional<String> text(Setting<?> setting) {
        String found = nonBlank(properties.getProperty(setting.property()));
        if (found == null) {
            found = nonBlank(environment.get(setting.variable()));
        }
        for (int i = 0; found == null && i < setting.fallbackVariables().size(); i++) {
            found = nonBlank(environment.get(setting.fallbackVariables().get(i)));
        }
        return Optional.ofNullable(found);
    }

    /** @return whether any source sets the setting (without parsing its text) */
    boolean isSet(Setting<?> setting) {
        return explicit.get(setting) != null || text(setting).isPresent();
    }

    /** Names where a set value came from, for messages. */
    String origin(Setting<?> setting) {
        if (explicit.get(setting) != null) {
            return "the builder";
        }
        if (nonBlank(properties.getProperty(setting.property())) != null) {
            return "system property " + setting.property();
        }
        if (nonBlank(environment.get(setting.variable())) != null) {
            return "environment variable " + setting.variable();
        }
        for (String variable : setting.fallbackVariables()) {
            if (nonBlank(environment.get(variable)) != null) {
                return "environment variable " + variable;
            }
        }
        return "the default";
    }

    /**
     * @param key a key of the table
     * @return where its value came from, as {@link #origin(Setting)} says
     * @throws IllegalArgumentException if the table has no such key
     */
    String origin(String key) {
        return origin(setting(key));
    }

    /**
     * @param key a key
     * @return the table's setting with that key
     * @throws IllegalArgumentException if the table has none
     */
    static Setting<?> setting(String key) {
        for (Setting<?> s : ALL) {
            if (s.key().equals(key)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no setting " + key);
    }

    /**
     * @return whether the value comes from one of the setting's fallback variables (azure-identity's
     *     {@code AZURE_*}), not from the builder, a system property or {@code BATCHVAULT_<KEY>}
     */
    boolean fromFallback(Setting<?> setting) {
        return setting.fallbackVariables().stream().anyMatch(v -> ("environment variable " + v).equals(origin(setting)));
    }

    /** Names every way to set a key, for "missing" messages. */
    static String ways(String key) {
        for (Setting<?> s : ALL) {
            if (s.key().equals(key) && !s.fallbackVariables().isEmpty()) {
                return "system property " + property(key) + " or environment variable " + variable(key) + ", or "
                        + String.join(", or ", s.fallbackVariables());
            }
        }
        return "system property " + property(key) + " or environment variable " + variable(key);
    }

    static String property(String key) {
        return "batchvault." + key;
    }

    static String variable(String key) {
        return "BATCHVAULT_" + Setting.upper(key);
    }

    private static Setting<Duration> duration(String key, String doc) {
        return Setting.of(key, Duration.class, doc, (k, text, origin) -> Config.duration(k, text))
                .withCheck(Config::notNegative);
    }

    private static Setting<Double> fraction(String key, String doc, double min, double max) {
        return Setting.of(key, Double.class, doc, (k, text, origin) -> Config.fraction(k, text, min, max))
                .withCheck((k, f) -> Config.fraction(k, f, min, max));
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
