package dev.batchvault;

import java.util.ArrayList;
import java.util.List;

/**
 * One or more settings are missing or malformed. The message names each setting (its builder
 * method, system property and environment variable) and what a valid value looks like; when several
 * are wrong, all of them are listed in one exception, one per line.
 */
public final class InvalidConfigurationException extends BatchVaultException {
    private static final long serialVersionUID = 1L;
    /** The key of the (first) offending setting. */
    private final String setting;
    /** The keys of every offending setting, in the order found. */
    @SuppressWarnings("serial") // List.copyOf makes a serializable list
    private final List<String> settings;

    /**
     * @param setting the setting's key, as in {@code vault-url}
     * @param message what is wrong and how to fix it
     */
    public InvalidConfigurationException(String setting, String message) {
        this(setting, message, null);
    }

    /**
     * @param setting the setting's key, as in {@code vault-url}
     * @param message what is wrong and how to fix it
     * @param cause the underlying failure, or {@code null}
     */
    public InvalidConfigurationException(String setting, String message, Throwable cause) {
        super(message, cause);
        this.setting = setting;
        this.settings = setting == null ? List.of() : List.of(setting);
    }

    private InvalidConfigurationException(List<InvalidConfigurationException> problems, String message) {
        super(message, null);
        List<String> keys = new ArrayList<>();
        for (InvalidConfigurationException problem : problems) {
            for (String key : problem.settings()) {
                if (!keys.contains(key)) {
                    keys.add(key);
                }
            }
            addSuppressed(problem);
        }
        this.setting = keys.isEmpty() ? null : keys.get(0);
        this.settings = List.copyOf(keys);
    }

    /** @return one exception listing every problem, each as its own line; each is also a suppressed exception */
    static InvalidConfigurationException all(List<InvalidConfigurationException> problems) {
        StringBuilder message = new StringBuilder().append(problems.size())
                .append(" settings are missing or invalid; fix all of them:");
        for (InvalidConfigurationException problem : problems) {
            message.append("\n- ").append(problem.getMessage());
        }
        return new InvalidConfigurationException(problems, message.toString());
    }

    /** @return the key of the offending setting (the first, when several are), as in {@code vault-url} */
    public String setting() {
        return setting;
    }

    /** @return the keys of every offending setting, in the order they were found; one key for a single problem */
    public List<String> settings() {
        return settings;
    }
}
