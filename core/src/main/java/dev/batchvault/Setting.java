package dev.batchvault;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One setting, declared once in {@link Settings}: its key, type, default, check and a one-line doc.
 * Every source (the builder with typed values; system property {@code batchvault.<key>} and
 * environment variable {@code BATCHVAULT_<KEY>} as text) goes through the same parse and check.
 *
 * @param <T> the type of its value
 */
final class Setting<T> {
    /** Turns the text of a system property or environment variable into a value, or says why not. */
    interface Parser<T> {
        T parse(String key, String text, String origin);
    }

    /** Checks a value (from text or from the builder); returns it, possibly normalised, or says why not. */
    interface Check<T> {
        T check(String key, T value);
    }

    private final String key;
    private final Class<T> type;
    private final T defaultValue;
    private final String defaultText;
    private final String doc;
    private final Parser<T> parser;
    private final Check<T> check;
    private final List<String> fallbackVariables;

    private Setting(String key, Class<T> type, T defaultValue, String defaultText, String doc, Parser<T> parser,
            Check<T> check, List<String> fallbackVariables) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.doc = doc;
        this.parser = parser;
        this.check = check;
        this.fallbackVariables = fallbackVariables;
    }

    /**
     * @param key the key, lower case with hyphens ({@code cache-ttl})
     * @param type the type of its value
     * @param doc what it means, in one line (the README's "meaning" column says the same)
     * @param parser text to value
     * @return a setting without default and without further check; add them with the {@code with} methods
     */
    static <T> Setting<T> of(String key, Class<T> type, String doc, Parser<T> parser) {
        return new Setting<>(key, type, null, "", doc, parser, (k, v) -> v, List.of());
    }

    /**
     * @param value the default
     * @param text the default as a user would write it, as the README shows it
     * @return this setting with that default
     */
    Setting<T> withDefault(T value, String text) {
        return new Setting<>(key, type, value, text, doc, parser, check, fallbackVariables);
    }

    /** @return this setting with a check for every value, whatever its source */
    Setting<T> withCheck(Check<T> check) {
        return new Setting<>(key, type, defaultValue, defaultText, doc, parser, check, fallbackVariables);
    }

    /**
     * @param variables environment variables read, in this order, after {@code BATCHVAULT_<KEY>}
     *     (such as {@code AZURE_TENANT_ID})
     * @return this setting with those fallbacks
     */
    Setting<T> withFallbackVariables(String... variables) {
        return new Setting<>(key, type, defaultValue, defaultText, doc, parser, check, List.of(variables));
    }

    String key() {
        return key;
    }

    Class<T> type() {
        return type;
    }

    /** @return the default, or null when there is none */
    T defaultValue() {
        return defaultValue;
    }

    /** @return the default as the README writes it; empty when there is none */
    String defaultText() {
        return defaultText;
    }

    String doc() {
        return doc;
    }

    List<String> fallbackVariables() {
        return fallbackVariables;
    }

    /** @return the system property, {@code batchvault.<key>} */
    String property() {
        return Settings.property(key);
    }

    /** @return the environment variable, {@code BATCHVAULT_<KEY>} */
    String variable() {
        return Settings.variable(key);
    }

    /**
     * @param text a value as text, trimmed and not blank
     * @param origin where it came from, for messages ("environment variable BATCHVAULT_CACHE_TTL")
     * @return the value, parsed and checked
     * @throws InvalidConfigurationException naming the key when it is malformed
     */
    T parse(String text, String origin) {
        return check(parser.parse(key, text, origin));
    }

    /**
     * @param value a typed value, as the builder is given it
     * @return the value, checked (and normalised)
     * @throws InvalidConfigurationException naming the key when it is out of range
     */
    T check(T value) {
        return check.check(key, Objects.requireNonNull(value, key + " == null"));
    }

    @Override
    public String toString() {
        return key + " (" + type.getSimpleName() + (defaultText.isEmpty() ? "" : ", default " + defaultText) + ")";
    }

    static String upper(String key) {
        return key.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }
}
