package dev.batchvault;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where each setting comes from: the builder, then system property {@code batchvault.<key>}, then
 * environment variable {@code BATCHVAULT_<KEY>} (upper case, hyphens and dots as underscores), so
 * that a Batch pool or job can configure every task through environment settings. Blank values
 * count as unset.
 */
final class Settings {
    private final Map<String, String> explicit;
    private final Properties properties;
    private final Map<String, String> environment;

    Settings(Map<String, String> explicit, Properties properties, Map<String, String> environment) {
        this.explicit = new HashMap<>(explicit);
        this.properties = properties;
        this.environment = environment;
    }

    static Settings fromSystem(Map<String, String> explicit) {
        return new Settings(explicit, System.getProperties(), System.getenv());
    }

    Optional<String> get(String key) {
        return Optional.ofNullable(nonBlank(explicit.get(key)))
                .or(() -> Optional.ofNullable(nonBlank(properties.getProperty(property(key)))))
                .or(() -> Optional.ofNullable(nonBlank(environment.get(variable(key)))));
    }

    /**
     * @param name an environment variable named outside BatchVault's scheme, such as {@code AZURE_CLIENT_ID}
     * @return its value, when set and not blank
     */
    Optional<String> environmentVariable(String name) {
        return Optional.ofNullable(nonBlank(environment.get(name)));
    }

    /** Names where a set value came from, for messages. */
    String origin(String key) {
        if (nonBlank(explicit.get(key)) != null) {
            return "the builder";
        }
        if (nonBlank(properties.getProperty(property(key))) != null) {
            return "system property " + property(key);
        }
        return "environment variable " + variable(key);
    }

    /** Names every way to set a key, for "missing" messages. */
    static String ways(String key) {
        return "system property " + property(key) + " or environment variable " + variable(key);
    }

    static String property(String key) {
        return "batchvault." + key;
    }

    static String variable(String key) {
        return "BATCHVAULT_" + key.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
