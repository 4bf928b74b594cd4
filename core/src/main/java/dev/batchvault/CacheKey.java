package dev.batchvault;

import java.util.Locale;
import java.util.Objects;

/**
 * What the cache keys a value by: the secret's name in lower case (Key Vault names are
 * case-insensitive, so {@code Foo} and {@code foo} are one secret), and a version, or none for the
 * latest. It also carries the name as the caller spelled it, which is what the vault is asked for
 * and what messages show; that spelling takes no part in equality. Immutable.
 */
final class CacheKey {
    /** The name as the caller spelled it: asked for and shown in messages. */
    final String name;
    /** The name in lower case: what equality compares. */
    final String lower;
    /** The version, or null for the latest. */
    final String version;
    private final int hash;

    private CacheKey(String name, String version) {
        this.name = name;
        this.lower = name.toLowerCase(Locale.ROOT);
        this.version = version;
        this.hash = lower.hashCode() * 31 + Objects.hashCode(version);
    }

    /** @param name a valid secret name, in any case */
    static CacheKey latest(String name) {
        return new CacheKey(name, null);
    }

    /**
     * @param name a valid secret name, in any case
     * @param version a valid version
     */
    static CacheKey pinned(String name, String version) {
        return new CacheKey(name, Objects.requireNonNull(version, "version == null"));
    }

    boolean isPinned() {
        return version != null;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CacheKey)) {
            return false;
        }
        CacheKey other = (CacheKey) o;
        return hash == other.hash && lower.equals(other.lower) && Objects.equals(version, other.version);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return version == null ? name : name + "/" + version;
    }
}
