package dev.batchvault;

import dev.batchvault.spi.PoolCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
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
    /** How many times a static read is made again on a rebuilt process-wide instance closed under it. */
    private static final int CLOSED_RETRIES = 3;

    private final Config config;
    private final SecretCache cache;
    private volatile boolean closed;

    private BatchVault(Config config, VaultAccess vault, TimeSource time, Executor refresher) {
        this.config = config;
        this.cache = new SecretCache(config, vault::fetch, time, refresher);
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
        return fromDefault(name, null, false);
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
        return fromDefault(name, version, true);
    }

    /**
     * Reads through the process-wide instance. When that instance is closed during the read (by
     * another thread), the read is made again on a rebuilt one; after {@link #CLOSED_RETRIES} such
     * closes in a row it fails with {@link VaultUnavailableException}. Never {@link IllegalStateException}.
     * No lambda: a cache hit through here allocates nothing.
     */
    private static String fromDefault(String name, String version, boolean pinned) {
        for (int tries = 0; ; tries++) {
            BatchVault instance = defaultInstance();
            try {
                return (pinned ? instance.get(name, version) : instance.get(name)).value();
            } catch (IllegalStateException | BatchVaultException e) {
                if (!instance.closed) {
                    throw e;
                }
                if (tries >= CLOSED_RETRIES) {
                    throw new VaultUnavailableException("The process-wide BatchVault was closed during this read "
                            + (tries + 1) + " times in a row (BatchVault.defaultInstance().close() from another "
                            + "thread); try again.", 0, null);
                }
            }
        }
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
     * The latest version of a secret, from the cache or the vault. Names are case-insensitive, as in
     * Key Vault: {@code get("Foo")} and {@code get("foo")} share one cache entry.
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
        // The hit path looks up first: only a name checked before can hit, and close() empties the cache.
        Secret fresh = cache.getIfFresh(name);
        if (fresh != null) {
            return fresh;
        }
        checkName(name);
        checkOpen();
        return cache.get(cache.key(name));
    }

    /**
     * One version of a secret. A version's value never changes, but access to it can: it is
     * revalidated on the same TTL as the latest version, and a 403 or 404 then reaches the caller.
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
        return cache.get(CacheKey.pinned(name, version));
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
        return cache.refresh(cache.key(name));
    }

    /**
     * Forgets what is cached for a secret (the latest and any pinned versions, however the name is
     * spelled: Key Vault names are case-insensitive); the next call asks the vault.
     *
     * @param name the secret's name
     */
    public void invalidate(String name) {
        checkName(name);
        cache.invalidate(name);
    }

    /** @return how many entries the cache holds now (for tests) */
    long cacheSize() {
        return cache.size();
    }

    /** @return what the cache has done so far: hits, misses, loads, load failures, stale serves */
    public CacheStats cacheStats() {
        return cache.stats();
    }

    /**
     * Drops every cached value. The HTTP transport is shared by the instances of the process with the
     * same TLS context and request timeout, so building and closing instances does not add threads
     * or connections. Later calls on this instance fail with {@link IllegalStateException}; a
     * read still running may end with its value or with {@link VaultUnavailableException}, and
     * leaves nothing in the cache. {@link #secret(String)} never sees the closed process-wide
     * instance: it reads again through a rebuilt one.
     */
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
        return config.authMode == AuthMode.MANAGED_IDENTITY
                ? "BatchVault{vault=" + config.vaultUrl + ", " + config.principalDescription() + "}"
                : "BatchVault{vault=" + config.vaultUrl + ", clientId=" + config.clientId + "}";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this BatchVault is closed");
        }
    }

    /**
     * Refuses a name Key Vault would never accept. An invalid name is described by its length and
     * its first bad character's position and code point, never echoed: it may be a value passed by
     * mistake, or hold a line break that would forge a log line.
     */
    static void checkName(String name) {
        if (name == null) {
            throw new InvalidSecretNameException("secret name == null");
        }
        int length = name.length();
        if (length == 0 || length > 127) {
            throw new InvalidSecretNameException("Secret name has " + length
                    + " characters; Key Vault names have 1 to 127 (letters, digits and '-'). The name is not shown.");
        }
        int bad = firstNotIn(name, false);
        if (bad >= 0) {
            throw new InvalidSecretNameException("Secret name of " + length + " characters has "
                    + codePoint(name, bad) + " at position " + (bad + 1) + "; Key Vault names use only letters, "
                    + "digits and '-' (no '_' or '.'). The name is not shown, in case it is a value passed by mistake.");
        }
    }

    static void checkVersion(String version) {
        if (version == null) {
            throw new InvalidSecretNameException("secret version == null");
        }
        int bad = firstNotIn(version, true);
        if (version.isEmpty() || version.length() > 64 || bad >= 0) {
            throw new InvalidSecretNameException("Secret version of " + version.length() + " characters is "
                    + "malformed" + (bad >= 0 ? " (" + codePoint(version, bad) + " at position " + (bad + 1) + ")" : "")
                    + "; a version is the last part of the secret's id, 32 hex digits. The version is not shown.");
        }
    }

    /** @return the index of the first character that is not an ASCII letter or digit (or '-' in a name), or -1 */
    private static int firstNotIn(String s, boolean version) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c == '-' && !version) || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return i;
            }
        }
        return -1;
    }

    private static String codePoint(String s, int index) {
        return String.format(java.util.Locale.ROOT, "U+%04X", s.codePointAt(index));
    }

    /**
     * Configures a {@link BatchVault}. Each setter checks its value at once; {@link #build()} fills
     * what was not set from system properties ({@code batchvault.<key>}) and the environment
     * ({@code BATCHVAULT_<KEY>}), checks the whole, and finds the certificate.
     *
     * <p>No setter takes {@code null}: each throws {@link NullPointerException} naming its parameter
     * ({@code "vaultUrl == null"}). To leave a setting to system properties and the environment, do
     * not call its setter.
     */
    public static final class Builder {
        private final Map<Setting<?>, Object> explicit = new HashMap<>();
        private SSLContext sslContext;
        private TimeSource time = TimeSource.SYSTEM;
        private ProcessWide process = ProcessWide.PROCESS;
        private Executor refresher;

        private Builder() {
        }

        /**
         * @param vaultUrl the vault, such as {@code https://myvault.vault.azure.net}; https only
         * @return this builder
         * @throws InvalidConfigurationException if it is not an absolute https URL without a path
         */
        public Builder vaultUrl(String vaultUrl) {
            Objects.requireNonNull(vaultUrl, "vaultUrl == null");
            return set(Settings.VAULT_URL, Settings.VAULT_URL.parse(vaultUrl, "the builder"));
        }

        /**
         * @param tenantId the Entra ID tenant (directory) id, or its domain
         * @return this builder
         * @throws InvalidConfigurationException if it is neither a GUID nor a domain name
         */
        public Builder tenantId(String tenantId) {
            Objects.requireNonNull(tenantId, "tenantId == null");
            return set(Settings.TENANT_ID, Settings.TENANT_ID.parse(tenantId.trim(), "the builder"));
        }

        /**
         * @param clientId the application (client) id of the service principal that owns the certificate
         * @return this builder
         * @throws InvalidConfigurationException if it is not a GUID
         */
        public Builder clientId(String clientId) {
            Objects.requireNonNull(clientId, "clientId == null");
            return set(Settings.CLIENT_ID, Settings.CLIENT_ID.parse(clientId.trim(), "the builder"));
        }

        /**
         * @param thumbprint the pool certificate's SHA-1 thumbprint; spaces, colons and invisible
         *     characters (as copied from the Windows certificate dialog) are ignored
         * @return this builder
         * @throws InvalidConfigurationException if it is not 40 hex digits
         */
        public Builder certificateThumbprint(String thumbprint) {
            Objects.requireNonNull(thumbprint, "thumbprint == null");
            return set(Settings.CERTIFICATE_THUMBPRINT, Settings.CERTIFICATE_THUMBPRINT.parse(thumbprint, "the builder"));
        }

        /**
         * @param path a PKCS#12 ({@code .pfx}) or PEM file with the certificate and its private key
         * @return this builder
         */
        public Builder certificatePath(Path path) {
            return set(Settings.CERTIFICATE_PATH, Objects.requireNonNull(path, "path == null"));
        }

        /**
         * @param path a file holding the PKCS#12 password in plain text, as Batch writes it beside the
         *     certificate ({@code sha1-<thumbprint>.pfx.pw})
         * @return this builder
         */
        public Builder certificatePasswordFile(Path path) {
            return set(Settings.CERTIFICATE_PASSWORD_FILE, Objects.requireNonNull(path, "path == null"));
        }

        /**
         * @param authorityHost the Entra ID host, {@code https://login.microsoftonline.com} by default
         * @return this builder
         * @throws InvalidConfigurationException if it is not an absolute https URL
         */
        public Builder authorityHost(String authorityHost) {
            Objects.requireNonNull(authorityHost, "authorityHost == null");
            return set(Settings.AUTHORITY_HOST, Settings.AUTHORITY_HOST.parse(authorityHost, "the builder"));
        }

        /**
         * @param ttl how long a value is served from the cache; 10 minutes by default
         * @return this builder
         * @throws InvalidConfigurationException if it is zero or negative
         */
        public Builder cacheTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl == null");
            return set(Settings.CACHE_TTL, ttl);
        }

        /**
         * @param jitter how much each TTL varies at random, as a fraction: 0.1 (the default) makes
         *     10 minutes anything from 9 to 11, so a pool's nodes do not all refresh at once
         * @return this builder
         * @throws InvalidConfigurationException unless 0 &lt;= jitter &lt;= 0.5
         */
        public Builder cacheJitter(double jitter) {
            return set(Settings.CACHE_JITTER, jitter);
        }

        /**
         * @param fraction the point of the TTL from which a hit also starts a background refresh;
         *     0.8 by default, 1 for never
         * @return this builder
         * @throws InvalidConfigurationException unless 0.1 &lt;= fraction &lt;= 1
         */
        public Builder cacheRefreshAhead(double fraction) {
            return set(Settings.CACHE_REFRESH_AHEAD, fraction);
        }

        /**
         * @param maxStaleness how long past its TTL the last good value may be served while the vault
         *     is unavailable; 1 hour by default, zero for never
         * @return this builder
         * @throws InvalidConfigurationException if it is negative
         */
        public Builder cacheMaxStaleness(Duration maxStaleness) {
            Objects.requireNonNull(maxStaleness, "maxStaleness == null");
            return set(Settings.CACHE_MAX_STALENESS, maxStaleness);
        }

        /**
         * @param ttl how long a "not found" answer is remembered; 30 seconds by default, zero for never
         * @return this builder
         * @throws InvalidConfigurationException if it is negative
         */
        public Builder cacheNegativeTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl == null");
            return set(Settings.CACHE_NEGATIVE_TTL, ttl);
        }

        /**
         * @param size how many secrets (and pinned versions) the cache holds at most; 1,000 by default
         * @return this builder
         * @throws InvalidConfigurationException if it is not positive
         */
        public Builder cacheMaxSize(long size) {
            return set(Settings.CACHE_MAX_SIZE, size);
        }

        /**
         * @param deadline how long one call may spend on retries (throttling, server errors, timeouts)
         *     before it fails with {@link VaultUnavailableException}; 30 seconds by default
         * @return this builder
         * @throws InvalidConfigurationException if it is not positive
         */
        public Builder callDeadline(Duration deadline) {
            Objects.requireNonNull(deadline, "deadline == null");
            return set(Settings.CALL_DEADLINE, deadline);
        }

        /**
         * @param timeout how long one request may wait for connection and answer; 10 seconds by default
         * @return this builder
         * @throws InvalidConfigurationException if it is not positive
         */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout == null");
            return set(Settings.REQUEST_TIMEOUT, timeout);
        }

        /**
         * @param max how many requests this process sends to one vault at once; 8 by default. All
         *     instances with the same vault and the same bound share one limit.
         * @return this builder
         * @throws InvalidConfigurationException if it is not positive
         */
        public Builder maxConcurrentRequests(int max) {
            return set(Settings.MAX_CONCURRENT_REQUESTS, max);
        }

        /**
         * @param mode {@link AuthMode#CERTIFICATE}, {@link AuthMode#MANAGED_IDENTITY}, or {@link AuthMode#AUTO}
         *     (the default: the certificate when one is configured, otherwise the managed identity when one is)
         * @return this builder
         */
        public Builder authMode(AuthMode mode) {
            return set(Settings.AUTH_MODE, Objects.requireNonNull(mode, "mode == null"));
        }

        /**
         * @param clientId the client id of the pool's user-assigned managed identity (a GUID)
         * @return this builder
         * @throws InvalidConfigurationException if it is not a GUID
         */
        public Builder managedIdentityClientId(String clientId) {
            Objects.requireNonNull(clientId, "clientId == null");
            return set(Settings.MANAGED_IDENTITY_CLIENT_ID,
                    Settings.MANAGED_IDENTITY_CLIENT_ID.parse(clientId.trim(), "the builder"));
        }

        /**
         * @param resourceId the resource id of the pool's user-assigned managed identity,
         *     {@code /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>}
         * @return this builder
         * @throws InvalidConfigurationException if it is not such a resource id
         */
        public Builder managedIdentityResourceId(String resourceId) {
            Objects.requireNonNull(resourceId, "resourceId == null");
            return set(Settings.MANAGED_IDENTITY_RESOURCE_ID,
                    Settings.MANAGED_IDENTITY_RESOURCE_ID.parse(resourceId.trim(), "the builder"));
        }

        private <T> Builder set(Setting<T> setting, T value) {
            explicit.put(setting, setting.check(value));
            return this;
        }

        /** For tests: the cache's clocks. */
        Builder timeSource(TimeSource time) {
            this.time = Objects.requireNonNull(time, "time == null");
            return this;
        }

        /** For tests: runs the cache's background refreshes when the test says. */
        Builder refreshExecutor(Executor refresher) {
            this.refresher = Objects.requireNonNull(refresher, "refresher == null");
            return this;
        }

        /** For tests: process-wide state of their own instead of the process's. */
        Builder processWide(ProcessWide process) {
            this.process = Objects.requireNonNull(process, "process == null");
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
            if (config.authMode == AuthMode.MANAGED_IDENTITY) {
                LOG.debug("BatchVault for {} as {} ({})", config.vaultUrl, config.principalDescription(),
                        config.authModeReason);
                return new BatchVault(config, new VaultAccess(config, null, process), time, refresher);
            }
            PoolCertificate certificate = CertificateLocator.withInstalledSources(process).locate(config);
            LOG.debug("BatchVault for {} as application {} in tenant {}, certificate {} ({})", config.vaultUrl,
                    config.clientId, config.tenantId, certificate.thumbprint(), config.authModeReason);
            return new BatchVault(config, new VaultAccess(config, certificate, process), time, refresher);
        }
    }
}
