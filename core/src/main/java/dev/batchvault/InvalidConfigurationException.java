package dev.batchvault;

/**
 * A setting is missing or malformed. The message names the setting (its builder method, system
 * property and environment variable) and what a valid value looks like.
 */
public final class InvalidConfigurationException extends BatchVaultException {
    private static final long serialVersionUID = 1L;
    /** The key of the offending setting. */
    private final String setting;

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
    }

    /** @return the key of the offending setting, as in {@code vault-url} */
    public String setting() {
        return setting;
    }
}
