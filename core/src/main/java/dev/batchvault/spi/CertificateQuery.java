package dev.batchvault.spi;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a {@link CertificateSource} is asked to find: a thumbprint, and the settings a source may
 * read for places of its own (for instance extra directories).
 */
public final class CertificateQuery {
    private final Thumbprint thumbprint;
    private final Function<String, Optional<String>> settings;

    /**
     * @param thumbprint the certificate wanted
     * @param settings resolves a setting key (such as {@code certificate-dirs}) the way the
     *     library resolves all of them: builder, then system property {@code batchvault.<key>},
     *     then environment variable {@code BATCHVAULT_<KEY>}
     */
    public CertificateQuery(Thumbprint thumbprint, Function<String, Optional<String>> settings) {
        this.thumbprint = Objects.requireNonNull(thumbprint, "thumbprint == null");
        this.settings = Objects.requireNonNull(settings, "settings == null");
    }

    /** @return the thumbprint of the certificate wanted */
    public Thumbprint thumbprint() {
        return thumbprint;
    }

    /**
     * @param key a setting key in lower case with hyphens, such as {@code certificate-dirs}
     * @return its value, if set anywhere
     */
    public Optional<String> setting(String key) {
        return settings.apply(key);
    }
}
