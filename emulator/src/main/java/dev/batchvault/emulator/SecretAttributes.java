package dev.batchvault.emulator;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Attributes of a secret version set through the emulator's Java API. Immutable. */
public final class SecretAttributes {
    final String contentType;
    final boolean enabled;
    final Instant notBefore;
    final Instant expiresOn;
    final Map<String, String> tags;

    private SecretAttributes(String contentType, boolean enabled, Instant notBefore, Instant expiresOn,
            Map<String, String> tags) {
        this.contentType = contentType;
        this.enabled = enabled;
        this.notBefore = notBefore;
        this.expiresOn = expiresOn;
        this.tags = Collections.unmodifiableMap(tags);
    }

    /** @return enabled, no content type, no dates, no tags */
    public static SecretAttributes defaults() {
        return new SecretAttributes(null, true, null, null, new LinkedHashMap<>());
    }

    /**
     * @param contentType the content type
     * @return a copy with it set
     */
    public SecretAttributes contentType(String contentType) {
        return new SecretAttributes(contentType, enabled, notBefore, expiresOn, new LinkedHashMap<>(tags));
    }

    /**
     * @param enabled whether the version may be read
     * @return a copy with it set
     */
    public SecretAttributes enabled(boolean enabled) {
        return new SecretAttributes(contentType, enabled, notBefore, expiresOn, new LinkedHashMap<>(tags));
    }

    /**
     * @param notBefore the {@code nbf} attribute
     * @return a copy with it set
     */
    public SecretAttributes notBefore(Instant notBefore) {
        return new SecretAttributes(contentType, enabled, notBefore, expiresOn, new LinkedHashMap<>(tags));
    }

    /**
     * @param expiresOn the {@code exp} attribute
     * @return a copy with it set
     */
    public SecretAttributes expiresOn(Instant expiresOn) {
        return new SecretAttributes(contentType, enabled, notBefore, expiresOn, new LinkedHashMap<>(tags));
    }

    /**
     * @param key tag name
     * @param value tag value
     * @return a copy with the tag added
     */
    public SecretAttributes tag(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(tags);
        copy.put(key, value);
        return new SecretAttributes(contentType, enabled, notBefore, expiresOn, copy);
    }
}
