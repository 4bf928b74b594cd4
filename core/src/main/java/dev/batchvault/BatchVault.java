package dev.batchvault;

import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.Thumbprint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key Vault secrets for code on an Azure Batch node, authenticated by the pool's certificate.
 *
 * <p>In a task, one line:
 * <pre>{@code String password = BatchVault.secret("batchAdminPass");}</pre>
 * reads the secret through a process-wide instance configured from system properties
 * ({@code batchvault.vault-url}, {@code batchvault.tenant-id}, {@code batchvault.client-id},
 * {@code batchvault.certificate-thumbprint} or {@code batchvault.certificate-path}, ...) or the
 * matching environment variables ({@code BATCHVAULT_VAULT_URL}, ...), which a pool or job can set
 * for every task. For explicit configuration use {@link #builder()}; what the builder sets wins over
 * system properties, which win over the environment.
 *
 * <p>Values are cached: 10 minutes by default (with jitter), refreshed in the background before they
 * go stale, served stale for up to an hour when the vault is unavailable, never past the secret's
 * own expiry; see {@link Builder}. Every failure is
 * a {@link BatchVaultException} subtype whose message says what to do. Secret values never appear in
 * logs, messages or {@code toString}.
 */
public final class BatchVault implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchVault.class);
    private static final Object DEFAULT_LOCK = new Object();
    private static volatile BatchVault defaultInstance;

    private final Config config;
    private final SecretCache cache;
    private volatile boolean closed;

    private BatchVault(Config config, VaultAccess vault, TimeSource time) {
        this.config = config;
        this.cache = new SecretCache(config, vault::fetch, time);
    }

    /**
     * The latest value of a secret, through the process-wide instance.
     *
     * @param name the secret's name: 1-127 letters, digits and '-'
     * @return the secret's value
     * @throws BatchVaultException (a subtype) when the configuration is incomplete, the certificate
     *     cannot be found or used, or the vault refuses; see {@link #get(String)}
     */
    public static String secret(String name) {
        return defaultInstance().get(name).value();
    }

    /**
     * One version of a secret, through the process-wide instance.
     *
     * @param name the secret's name
     * @param version the version identifier
     * @return the value of that version
     * @throws BatchVaultException (a subtype) as {@link #get(String, String)} does
     */
    public static String secret(String name, String version) {
        return defaultInstance().get(name, version).value();
    }

    /**
     * The process-wide instance, built on first use from system properties and the environment.
     * A configuration error is thrown to each caller until the configuration is fixed.
     *
     * @return the process-wide instance
     * @throws InvalidConfigurationException when a setting is missing or malformed
     * @throws CertificateNotFoundException when the certificate cannot be found
     * @throws CertificateUnusableException when the certificate cannot be used
     */
    public static BatchVault defaultInstance() {
        BatchVault instance = defaultInstance;
        if (instance == null) {
            synchronized (DEFAULT_LOCK) {
                instance = defaultInstance;
                if (instance == null) {
                    instance = new Builder().build();
                    defaultInstance = instance;
                }
            }
        }
        return instance;
    }

    /** @return a builder for an explicitly configured instance */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The latest version of a secret, from the cache or the vault.
     *
     * @param name the secret's name: 1-127 letters, digits and '-'
     * @return the secret
     * @throws InvalidSecretNameException if the name cannot be a Key Vault secret name
     * @throws SecretNotFoundException if the vault has no such secret
     * @throws SecretDisabledException if the secret is disabled
     * @throws AccessDeniedException if the principal may not read secrets in the vault
     * @throws AuthenticationRefusedException if Entra ID does not accept the certificate
     * @throws VaultUnavailableException if the vault or Entra ID cannot be reached
     * @throws IllegalStateException if this instance is closed
     */
    public Secret get(String name) {
        checkName(name);
        checkOpen();
        return cache.get(name);
    }

    /**
     * One version of a secret. Versions never change, so it stays cached until evicted (or until
     * its own expiry).
     *
     * @param name the secret's name
     * @param version the version identifier (letters and digits, as in the secret's id)
     * @return that version of the secret
     * @throws InvalidSecretNameException if the name or version is malformed
     * @throws BatchVaultException (a subtype) as {@link #get(String)} does
     */
    public Secret get(String name, String version) {
        checkName(name);
        checkVersion(version);
        checkOpen();
        return cache.get(new SecretCache.Pinned(name, version));
    }

    /**
     * Fetches the latest version now, whatever the cache holds, and caches it. If the vault is
     * unavailable, the last good value is returned within the maximum staleness, as {@link #get}
     * does.
     *
     * @param name the secret's name
     * @return the secret as the vault has it now
     * @throws BatchVaultException (a subtype) as {@link #get(String)} does
     */
    public Secret refresh(String name) {
        checkName(name);
        checkOpen();
        return cache.refresh(name);
    }

    /**
     * Forgets what is cached for a secret (the latest and any pinned versions); the next call asks
     * the vault.
     *
     * @param name the secret's name
     */
    public void invalidate(String name) {
        checkName(name);
        cache.invalidate(name);
    }

    /** @return what the cache has done so far: hits, misses, loads, load failures, stale serves */
    public CacheStats cacheStats() {
        return cache.stats();
    }

    /** Drops every cached value; later calls fail with {@link IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
        cache.close();
        synchronized (DEFAULT_LOCK) {
            if (defaultInstance == this) {
                defaultInstance = null;
            }
        }
    }

    /** @return the vault URL and client id; nothing secret */
    @Override
    public String toString() {
        return "BatchVault{vault=" + config.vaultUrl + ", clientId=" + config.clientId + "}";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this BatchVault is closed");
        }
    }

    static void checkName(String name) {
        if (name == null) {
            throw new InvalidSecretNameException("secret name == null");
        }
        int length = name.length();
        if (length == 0 || length > 127) {
            throw new InvalidSecretNameException("Secret name has " + length
                    + " characters; Key Vault names have 1 to 127 (letters, digits and '-').");
        }
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            if (!(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                throw new InvalidSecretNameException("Secret name '" + name + "' has '" + (Character.isISOControl(c)
                        ? "?" : String.valueOf(c)) + "' at position " + (i + 1)
                        + "; Key Vault names use only letters, digits and '-' (no '_' or '.').");
            }
        }
    }

    private static void checkVersion(String version) {
        if (version == null) {
            throw new InvalidSecretNameException("secret version == null");
        }
        if (version.isEmpty() || version.length() > 64 || !version.chars().allMatch(Character::isLetterOrDigit)) {
            throw new InvalidSecretNameException("Secret version '" + version
                    + "' is malformed; a version is the last part of the secret's id, 32 hex digits.");
        }
    }

    /**
     * Configures a {@link BatchVault}. Each setter checks its value at once; {@link #build()} fills
     * what was not set from system properties ({@code batchvault.<key>}) and the environment
     * ({@code BATCHVAULT_<KEY>}), checks the whole, and finds the certificate.
     */
    public static final class Builder {
        private final Map<String, String> explicit = new HashMap<>();
        private SSLContext sslContext;
        private TimeSource time = TimeSource.SYSTEM;

        private Builder() {
        }

        /**
         * @param vaultUrl the vault, such as {@code https://myvault.vault.azure.net}; https only
         * @return this builder
         * @throws InvalidConfigurationException if it is not an absolute https URL without a path
         */
        public Builder vaultUrl(String vaultUrl) {
            Objects.requireNonNull(vaultUrl, "vaultUrl == null");
            explicit.put(Config.VAULT_URL, Config.httpsUrl(Config.VAULT_URL, vaultUrl, "the builder").toString());
            return this;
        }

        /**
         * @param tenantId the Entra ID tenant (directory) id, or its domain
         * @return this builder
         * @throws InvalidConfigurationException if it is neither a GUID nor a domain name
         */
        public Builder tenantId(String tenantId) {
            Objects.requireNonNull(tenantId, "tenantId == null");
            explicit.put(Config.TENANT_ID, Config.tenantId(tenantId.trim(), "the builder"));
            return this;
        }

        /**
         * @param clientId the application (client) id of the service principal that owns the certificate
         * @return this builder
         * @throws InvalidConfigurationException if it is not a GUID
         */
        public Builder clientId(String clientId) {
            Objects.requireNonNull(clientId, "clientId == null");
            explicit.put(Config.CLIENT_ID, Config.clientId(clientId.trim(), "the builder"));
            return this;
        }

        /**
         * @param thumbprint the pool certificate's SHA-1 thumbprint; spaces, colons and invisible
         *     characters (as copied from the Windows certificate dialog) are ignored
         * @return this builder
         * @throws InvalidConfigurationException if it is not 40 hex digits
         */
        public Builder certificateThumbprint(String thumbprint) {
            explicit.put(Config.CERTIFICATE_THUMBPRINT, Thumbprint.parse(thumbprint, Config.CERTIFICATE_THUMBPRINT).hex());
            return this;
        }

        /**
         * @param path a PKCS#12 ({@code .pfx}) or PEM file with the certificate and its private key
         * @return this builder
         */
        public Builder certificatePath(Path path) {
            explicit.put(Config.CERTIFICATE_PATH, Objects.requireNonNull(path, "path == null").toString());
            return this;
        }

        /**
         * @param path a file holding the PKCS#12 password in plain text, as Batch writes it beside the
         *     certificate ({@code sha1-<thumbprint>.pfx.pw})
         * @return this builder
         */
        public Builder certificatePasswordFile(Path path) {
            explicit.put(Config.CERTIFICATE_PASSWORD_FILE, Objects.requireNonNull(path, "path == null").toString());
            return this;
        }

        /**
         * @param authorityHost the Entra ID host, {@code https://login.microsoftonline.com} by default
         * @return this builder
         * @throws InvalidConfigurationException if it is not an absolute https URL
         */
        public Builder authorityHost(String authorityHost) {
            Objects.requireNonNull(authorityHost, "authorityHost == null");
            explicit.put(Config.AUTHORITY_HOST, Config.httpsUrl(Config.AUTHORITY_HOST, authorityHost, "the builder").toString());
            return this;
        }

        /**
         * @param ttl how long a value is served from the cache; 10 minutes by default
         * @return this builder
         * @throws InvalidConfigurationException if it is zero or negative
         */
        public Builder cacheTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl == null");
            explicit.put(Config.CACHE_TTL, Config.positive(Config.CACHE_TTL, ttl).toString());
            return this;
        }

        /**
         * @param jitter how much each TTL varies at random, as a fraction: 0.1 (the default) makes
         *     10 minutes anything from 9 to 11, so a pool's nodes do not all refresh at once
         * @return this builder
         * @throws InvalidConfigurationException unless 0 &lt;= jitter &lt;= 0.5
         */
        public Builder cacheJitter(double jitter) {
            explicit.put(Config.CACHE_JITTER, String.valueOf(Config.fraction(Config.CACHE_JITTER, jitter, 0, 0.5)));
            return this;
        }

        /**
         * @param fraction the point of the TTL from which a hit also starts a background refresh;
         *     0.8 by default, 1 for never
         * @return this builder
         * @throws InvalidConfigurationException unless 0.1 &lt;= fraction &lt;= 1
         */
        public Builder cacheRefreshAhead(double fraction) {
            explicit.put(Config.CACHE_REFRESH_AHEAD, String.valueOf(Config.fraction(Config.CACHE_REFRESH_AHEAD,
                    fraction, 0.1, 1)));
            return this;
        }

        /**
         * @param maxStaleness how long past its TTL the last good value may be served while the vault
         *     is unavailable; 1 hour by default, zero for never
         * @return this builder
         * @throws InvalidConfigurationException if it is negative
         */
        public Builder cacheMaxStaleness(Duration maxStaleness) {
            Objects.requireNonNull(maxStaleness, "maxStaleness == null");
            explicit.put(Config.CACHE_MAX_STALENESS, Config.notNegative(Config.CACHE_MAX_STALENESS, maxStaleness).toString());
            return this;
        }

        /**
         * @param ttl how long a "not found" answer is remembered; 30 seconds by default, zero for never
         * @return this builder
         * @throws InvalidConfigurationException if it is negative
         */
        public Builder cacheNegativeTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl == null");
            explicit.put(Config.CACHE_NEGATIVE_TTL, Config.notNegative(Config.CACHE_NEGATIVE_TTL, ttl).toString());
            return this;
        }

        /**
         * @param size how many secrets (and pinned versions) the cache holds at most; 1,000 by default
         * @return this builder
         * @throws InvalidConfigurationException if it is not positive
         */
        public Builder cacheMaxSize(long size) {
            explicit.put(Config.CACHE_MAX_SIZE, String.valueOf(Config.count(Config.CACHE_MAX_SIZE, size)));
            return this;
        }

        /**
         * @param deadline how long one call may spend on retries (throttling, server errors, timeouts)
         *     before it fails with {@link VaultUnavailableException}; 30 seconds by default
         * @return this builder
         * @throws InvalidConfigurationException if it is not positive
         */
        public Builder callDeadline(Duration deadline) {
            Objects.requireNonNull(deadline, "deadline == null");
            explicit.put(Config.CALL_DEADLINE, Config.positive(Config.CALL_DEADLINE, deadline).toString());
            return this;
        }

        /**
         * @param timeout how long one request may wait for connection and answer; 10 seconds by default
         * @return this builder
         * @throws InvalidConfigurationException if it is not positive
         */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout == null");
            explicit.put(Config.REQUEST_TIMEOUT, Config.positive(Config.REQUEST_TIMEOUT, timeout).toString());
            return this;
        }

        /**
         * @param max how many requests this process sends to one vault at once; 8 by default. All
         *     instances with the same vault and the same bound share one limit.
         * @return this builder
         * @throws InvalidConfigurationException if it is not positive
         */
        public Builder maxConcurrentRequests(int max) {
            explicit.put(Config.MAX_CONCURRENT_REQUESTS, String.valueOf(Config.count(Config.MAX_CONCURRENT_REQUESTS, max)));
            return this;
        }

        /** For tests: the cache's clocks. */
        Builder timeSource(TimeSource time) {
            this.time = Objects.requireNonNull(time, "time == null");
            return this;
        }

        /**
         * @param sslContext TLS settings for the vault and Entra ID connections, for instance to
         *     trust a private CA; the JVM's default otherwise
         * @return this builder
         */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext == null");
            return this;
        }

        /**
         * Resolves the configuration and finds the certificate; no network call is made.
         *
         * @return the configured instance
         * @throws InvalidConfigurationException when a setting is missing or malformed, or the Azure SDK
         *     jars on the class path are older than the ones this BatchVault is tested with
         * @throws CertificateNotFoundException when the certificate cannot be found
         * @throws CertificateUnusableException when the certificate cannot be used
         */
        public BatchVault build() {
            AzureVersions.check();
            Config config = Config.resolve(Settings.fromSystem(explicit), sslContext);
            PoolCertificate certificate = CertificateLocator.withInstalledSources().locate(config);
            LOG.debug("BatchVault for {} as application {} in tenant {}, certificate {}", config.vaultUrl,
                    config.clientId, config.tenantId, certificate.thumbprint());
            return new BatchVault(config, new VaultAccess(config, certificate), time);
        }
    }
}
