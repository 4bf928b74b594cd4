package dev.batchvault;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a Key Vault secret: its name, version, value, content type and expiry.
 * Immutable. {@link #toString()} never shows the value.
 */
public final class Secret {
    private final String name;
    private final String version;
    private final String value;
    private final String contentType;
    private final Instant expiresOn;

    Secret(String name, String version, String value, String contentType, Instant expiresOn) {
        this.name = Objects.requireNonNull(name, "name == null");
        this.version = Objects.requireNonNull(version, "version == null");
        this.value = Objects.requireNonNull(value, "value == null");
        this.contentType = contentType;
        this.expiresOn = expiresOn;
    }

    /** @return the secret's name */
    public String name() {
        return name;
    }

    /** @return the version identifier (32 hex digits in Azure) */
    public String version() {
        return version;
    }

    /** @return the secret's value; never log it */
    public String value() {
        return value;
    }

    /** @return the content type set on the secret, if any */
    public Optional<String> contentType() {
        return Optional.ofNullable(contentType);
    }

    /** @return the secret's own expiry ({@code exp}), if it has one */
    public Optional<Instant> expiresOn() {
        return Optional.ofNullable(expiresOn);
    }

    /** Equal when name, version and value are equal. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Secret)) {
            return false;
        }
        Secret other = (Secret) o;
        return name.equals(other.name) && version.equals(other.version) && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, version);
    }

    /** @return name, version, content type and expiry; the value is shown as {@code ***} */
    @Override
    public String toString() {
        return "Secret{name=" + name + ", version=" + version + ", value=***"
                + (contentType == null ? "" : ", contentType=" + contentType)
                + (expiresOn == null ? "" : ", expiresOn=" + expiresOn) + "}";
    }
}
