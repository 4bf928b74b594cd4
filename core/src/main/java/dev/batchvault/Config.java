package dev.batchvault;

import dev.batchvault.spi.InvalidThumbprintException;
import dev.batchvault.spi.Thumbprint;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/** The resolved, validated configuration of one {@link BatchVault}. */
final class Config {
    // The keys, for messages; each setting is declared once, in Settings.
    static final String VAULT_URL = Settings.VAULT_URL.key();
    static final String TENANT_ID = Settings.TENANT_ID.key();
    static final String CLIENT_ID = Settings.CLIENT_ID.key();
    static final String CERTIFICATE_THUMBPRINT = Settings.CERTIFICATE_THUMBPRINT.key();
    static final String CERTIFICATE_PATH = Settings.CERTIFICATE_PATH.key();
    static final String CERTIFICATE_PASSWORD_FILE = Settings.CERTIFICATE_PASSWORD_FILE.key();
    static final String AUTHORITY_HOST = Settings.AUTHORITY_HOST.key();
    static final String AUTH_MODE = Settings.AUTH_MODE.key();
    static final String MANAGED_IDENTITY_CLIENT_ID = Settings.MANAGED_IDENTITY_CLIENT_ID.key();
    static final String MANAGED_IDENTITY_RESOURCE_ID = Settings.MANAGED_IDENTITY_RESOURCE_ID.key();

    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+");
    private static final Pattern IDENTITY_RESOURCE_ID = Pattern.compile("/subscriptions/[^/]+/resourceGroups/[^/]+"
            + "/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/[^/]+", Pattern.CASE_INSENSITIVE);
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    final URI vaultUrl;
    /** {@link AuthMode#CERTIFICATE} or {@link AuthMode#MANAGED_IDENTITY}: {@code auto} resolved. */
    final AuthMode authMode;
    /** Why {@link #authMode}, for the log. */
    final String authModeReason;
    /** Certificate mode: the tenant; managed identity: as configured, or null. */
    final String tenantId;
    /** Certificate mode: the application's client id; managed identity: null. */
    final String clientId;
    /** Managed identity: the identity's client id, or null. */
    final String managedIdentityClientId;
    /** Managed identity: the identity's resource id, or null. */
    final String managedIdentityResourceId;
    /** Where the managed identity's id came from, for messages. */
    final String managedIdentityOrigin;
    final Thumbprint thumbprint;
    final Path certificatePath;
    final Path certificatePasswordFile;
    final URI authorityHost;
    final Duration cacheTtl;
    final double cacheJitter;
    final double cacheRefreshAhead;
    final Duration cacheMaxStaleness;
    final Duration cacheNegativeTtl;
    final long cacheMaxSize;
    final Duration callDeadline;
    final Duration requestTimeout;
    final int maxConcurrentRequests;
    final SSLContext sslContext;
    final Settings settings;

    private Config(Settings s, SSLContext sslContext) {
        this.settings = s;
        this.sslContext = sslContext;
        // Every missing or malformed setting is collected and reported in one exception, not one per run.
        Problems problems = new Problems(s);
        this.vaultUrl = problems.require(Settings.VAULT_URL, "the vault's URL, such as https://myvault.vault.azure.net");
        AuthMode mode = problems.valueOrNull(Settings.AUTH_MODE); // null when malformed: no mode is checked then
        // BatchVault's own settings decide before azure-identity's AZURE_* variables do: a certificate or an
        // identity named in BATCHVAULT_* (or a property, or the builder) wins over one named only in AZURE_*.
        boolean certificateFromAzure = s.fromFallback(Settings.CERTIFICATE_PATH);
        boolean certificateOwn = s.isSet(Settings.CERTIFICATE_THUMBPRINT)
                || (s.isSet(Settings.CERTIFICATE_PATH) && !certificateFromAzure);
        boolean certificateConfigured = certificateOwn || certificateFromAzure;
        // AZURE_CLIENT_ID (azure-identity's name for the identity's client id) names the identity only when no
        // certificate is configured: next to one it names the application, as in azure-identity's
        // EnvironmentCredential.
        boolean clientIdFromAzure = s.fromFallback(Settings.MANAGED_IDENTITY_CLIENT_ID);
        boolean identityClientIdSet = s.isSet(Settings.MANAGED_IDENTITY_CLIENT_ID)
                && !(clientIdFromAzure && (certificateConfigured || mode == AuthMode.CERTIFICATE));
        boolean identityResourceIdSet = s.isSet(Settings.MANAGED_IDENTITY_RESOURCE_ID);
        if (identityClientIdSet && identityResourceIdSet && !clientIdFromAzure) {
            problems.add(new InvalidConfigurationException(MANAGED_IDENTITY_RESOURCE_ID, "Both "
                    + MANAGED_IDENTITY_CLIENT_ID + " and " + MANAGED_IDENTITY_RESOURCE_ID + " are set; a managed "
                    + "identity is named by one of them. Unset one."));
        }
        boolean identityOwn = identityResourceIdSet || (identityClientIdSet && !clientIdFromAzure);
        boolean identityConfigured = identityClientIdSet || identityResourceIdSet;
        String reason = null;
        if (mode == AuthMode.AUTO) {
            if (certificateOwn || (certificateFromAzure && !identityOwn)) {
                mode = AuthMode.CERTIFICATE;
                reason = "auto: a certificate is configured";
            } else if (identityConfigured) {
                mode = AuthMode.MANAGED_IDENTITY;
                reason = "auto: " + (certificateConfigured ? "a managed identity is named in BatchVault's own "
                        + "settings, a certificate only in " + Settings.AZURE_CLIENT_CERTIFICATE_PATH
                        : "no certificate is configured, a managed identity is") + " ("
                        + s.origin(identityResourceIdSet ? Settings.MANAGED_IDENTITY_RESOURCE_ID
                        : Settings.MANAGED_IDENTITY_CLIENT_ID) + ")";
            } else {
                problems.add(new InvalidConfigurationException(AUTH_MODE, "No way to authenticate is configured. "
                        + "Either (1) the pool's managed identity: set " + MANAGED_IDENTITY_CLIENT_ID + " ("
                        + Settings.ways(MANAGED_IDENTITY_CLIENT_ID) + ") to the "
                        + "client id of the user-assigned identity on the pool, and give that identity get on the "
                        + "vault's secrets; or (2) a certificate: set " + CERTIFICATE_THUMBPRINT + " ("
                        + Settings.ways(CERTIFICATE_THUMBPRINT) + ") to the pool certificate's SHA-1 thumbprint, or "
                        + CERTIFICATE_PATH + " (" + Settings.ways(CERTIFICATE_PATH) + ") to a .pfx or .pem file, with "
                        + TENANT_ID + " and " + CLIENT_ID + " of the application the certificate is registered on. "
                        + AUTH_MODE + " (" + Settings.ways(AUTH_MODE) + ") chooses one explicitly."));
                mode = null;
            }
        } else if (mode != null) {
            reason = AUTH_MODE + " " + mode + " (from " + s.origin(Settings.AUTH_MODE) + ")";
        }
        this.authModeReason = reason;
        this.authMode = mode;
        if (mode == AuthMode.MANAGED_IDENTITY) {
            // A resource id named in BatchVault's own settings wins over a client id from AZURE_CLIENT_ID.
            boolean byResourceId = identityResourceIdSet;
            this.managedIdentityResourceId = byResourceId ? problems.value(Settings.MANAGED_IDENTITY_RESOURCE_ID) : null;
            this.managedIdentityClientId = !byResourceId && identityClientIdSet
                    ? problems.value(Settings.MANAGED_IDENTITY_CLIENT_ID) : null;
            this.managedIdentityOrigin = byResourceId ? s.origin(Settings.MANAGED_IDENTITY_RESOURCE_ID)
                    : identityClientIdSet ? s.origin(Settings.MANAGED_IDENTITY_CLIENT_ID) : null;
            this.tenantId = problems.value(Settings.TENANT_ID);
            this.clientId = null;
            this.thumbprint = null;
            this.certificatePath = null;
            this.certificatePasswordFile = null;
        } else if (mode == AuthMode.CERTIFICATE) {
            this.managedIdentityClientId = null;
            this.managedIdentityResourceId = null;
            this.managedIdentityOrigin = null;
            this.tenantId = problems.require(Settings.TENANT_ID, "the Entra ID tenant (directory) id");
            this.clientId = problems.require(Settings.CLIENT_ID,
                    "the application (client) id of the pool's service principal");
            this.thumbprint = problems.value(Settings.CERTIFICATE_THUMBPRINT);
            this.certificatePath = problems.value(Settings.CERTIFICATE_PATH);
            this.certificatePasswordFile = problems.value(Settings.CERTIFICATE_PASSWORD_FILE);
            if (!s.isSet(Settings.CERTIFICATE_THUMBPRINT) && !s.isSet(Settings.CERTIFICATE_PATH)) {
                problems.add(new InvalidConfigurationException(CERTIFICATE_THUMBPRINT, "No certificate is configured: "
                        + "set " + CERTIFICATE_THUMBPRINT + " (" + Settings.ways(CERTIFICATE_THUMBPRINT) + ") to the "
                        + "pool certificate's SHA-1 thumbprint, or " + CERTIFICATE_PATH + " ("
                        + Settings.ways(CERTIFICATE_PATH) + ") to a .pfx or .pem file."));
            }
            if (s.isSet(Settings.CERTIFICATE_PASSWORD_FILE) && !s.isSet(Settings.CERTIFICATE_PATH)) {
                problems.add(new InvalidConfigurationException(CERTIFICATE_PASSWORD_FILE, CERTIFICATE_PASSWORD_FILE
                        + " is set but " + CERTIFICATE_PATH + " is not: the password file belongs to a certificate "
                        + "file; set " + CERTIFICATE_PATH + " (" + Settings.ways(CERTIFICATE_PATH) + ") too."));
            }
        } else {
            // The mode is unknown (auth-mode malformed, or nothing configured): its settings are not checked.
            this.managedIdentityClientId = null;
            this.managedIdentityResourceId = null;
            this.managedIdentityOrigin = null;
            this.tenantId = null;
            this.clientId = null;
            this.thumbprint = null;
            this.certificatePath = null;
            this.certificatePasswordFile = null;
        }
        this.authorityHost = problems.value(Settings.AUTHORITY_HOST);
        this.cacheTtl = problems.value(Settings.CACHE_TTL);
        this.cacheJitter = problems.value(Settings.CACHE_JITTER);
        this.cacheRefreshAhead = problems.value(Settings.CACHE_REFRESH_AHEAD);
        this.cacheMaxStaleness = problems.value(Settings.CACHE_MAX_STALENESS);
        this.cacheNegativeTtl = problems.value(Settings.CACHE_NEGATIVE_TTL);
        this.cacheMaxSize = problems.value(Settings.CACHE_MAX_SIZE);
        this.callDeadline = problems.value(Settings.CALL_DEADLINE);
        this.requestTimeout = problems.value(Settings.REQUEST_TIMEOUT);
        this.maxConcurrentRequests = problems.value(Settings.MAX_CONCURRENT_REQUESTS);
        problems.throwIfAny();
    }

    /** The problems found while resolving, each as the exception it would have been on its own. */
    private static final class Problems {
        private final Settings settings;
        private final List<InvalidConfigurationException> found = new ArrayList<>();

        Problems(Settings settings) {
            this.settings = settings;
        }

        void add(InvalidConfigurationException e) {
            found.add(e);
        }

        /** @return the value, or the default (null when none) if it is malformed, the problem noted */
        <T> T value(Setting<T> setting) {
            try {
                return settings.valueOf(setting);
            } catch (InvalidConfigurationException e) {
                found.add(e);
                return setting.defaultValue();
            }
        }

        /** @return the value, or null if it is malformed (the problem noted) */
        <T> T valueOrNull(Setting<T> setting) {
            try {
                return settings.valueOf(setting);
            } catch (InvalidConfigurationException e) {
                found.add(e);
                return null;
            }
        }

        /** @return the value, or null if it is missing or malformed, the problem noted */
        <T> T require(Setting<T> setting, String what) {
            T value = value(setting);
            if (value == null && !settings.isSet(setting)) {
                found.add(new InvalidConfigurationException(setting.key(), setting.key() + " is not set: set it to "
                        + what + " with the builder, " + Settings.ways(setting.key()) + "."));
            }
            return value;
        }

        void throwIfAny() {
            if (found.size() == 1) {
                throw found.get(0);
            }
            if (!found.isEmpty()) {
                throw InvalidConfigurationException.all(found);
            }
        }
    }

    static Config resolve(Settings settings, SSLContext sslContext) {
        return new Config(settings, sslContext);
    }

    /** The vault's name, the first label of its host. */
    String vaultName() {
        String host = vaultUrl.getHost();
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }

    static boolean isLoopback(URI url) {
        return LOOPBACK_HOSTS.contains(url.getHost().toLowerCase(Locale.ROOT));
    }

    /** Who reads the vault, for messages: the application or the managed identity. */
    String principalDescription() {
        if (authMode == AuthMode.CERTIFICATE) {
            return "application " + clientId + " in tenant " + tenantId;
        }
        if (managedIdentityClientId != null) {
            return "managed identity with client id " + managedIdentityClientId;
        }
        if (managedIdentityResourceId != null) {
            return "managed identity " + managedIdentityResourceId;
        }
        return "the node's managed identity";
    }

    static String identityClientId(String value, String origin) {
        if (!GUID.matcher(value).matches()) {
            throw new InvalidConfigurationException(MANAGED_IDENTITY_CLIENT_ID, MANAGED_IDENTITY_CLIENT_ID + " '"
                    + value + "' (from " + origin + ") is not a client id: expected a GUID such as "
                    + "00000000-0000-0000-0000-000000000000 (the identity's \"Client ID\" in the portal, or "
                    + "az identity show --query clientId).");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    static String identityResourceId(String value, String origin) {
        if (!IDENTITY_RESOURCE_ID.matcher(value).matches()) {
            throw new InvalidConfigurationException(MANAGED_IDENTITY_RESOURCE_ID, MANAGED_IDENTITY_RESOURCE_ID + " '"
                    + value + "' (from " + origin + ") is not a user-assigned identity's resource id: expected "
                    + "/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/"
                    + "userAssignedIdentities/<name> (az identity show --query id).");
        }
        return value;
    }

    static Thumbprint thumbprint(String text) {
        try {
            return Thumbprint.parse(text, CERTIFICATE_THUMBPRINT);
        } catch (InvalidThumbprintException e) {
            throw new InvalidConfigurationException(CERTIFICATE_THUMBPRINT, e.getMessage(), e);
        }
    }

    static URI httpsUrl(String key, String value, String origin) {
        return HttpsUrls.parse(key, value, origin);
    }

    static String tenantId(String value, String origin) {
        if (!GUID.matcher(value).matches() && !DOMAIN.matcher(value).matches()) {
            throw new InvalidConfigurationException(TENANT_ID, TENANT_ID + " '" + value + "' (from " + origin
                    + ") is neither a directory id (a GUID) nor a domain such as contoso.onmicrosoft.com.");
        }
        return value;
    }

    static String clientId(String value, String origin) {
        if (!GUID.matcher(value).matches()) {
            throw new InvalidConfigurationException(CLIENT_ID, CLIENT_ID + " '" + value + "' (from " + origin
                    + ") is not an application (client) id: expected a GUID such as "
                    + "00000000-0000-0000-0000-000000000000 (Entra ID > App registrations > Application (client) ID).");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    static Path path(String key, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new InvalidConfigurationException(key, key + " '" + value + "' is not a valid path: " + e.getReason()
                    + ".", e);
        }
    }

    /** Accepts ISO-8601 ({@code PT10M}) or a number with a unit: {@code 90s}, {@code 10m}, {@code 1h}. */
    static Duration duration(String key, String value) {
        Duration d;
        try {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.startsWith("p")) {
                d = Duration.parse(v.toUpperCase(Locale.ROOT));
            } else if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            } else {
                d = Duration.ofSeconds(Long.parseLong(v));
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new InvalidConfigurationException(key, key + " '" + value
                    + "' is not a duration: use seconds (600), a unit (90s, 10m, 1h) or ISO-8601 (PT10M).", e);
        }
        return notNegative(key, d);
    }

    static Duration notNegative(String key, Duration d) {
        if (d.isNegative()) {
            throw new InvalidConfigurationException(key, key + " must not be negative but was " + d + ".");
        }
        return d;
    }

    /** A fraction in [min, max]; {@code min} exclusive when it is 0. */
    static double fraction(String key, String value, double min, double max) {
        double f;
        try {
            f = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(key, key + " '" + value + "' is not a number between " + min
                    + " and " + max + ".", e);
        }
        return fraction(key, f, min, max);
    }

    static double fraction(String key, double f, double min, double max) {
        if (!(f >= min && f <= max)) {
            throw new InvalidConfigurationException(key, key + " must be between " + min + " and " + max + " but was "
                    + f + ".");
        }
        return f;
    }

    static long count(String key, String value) {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(key, key + " '" + value + "' is not a whole number.", e);
        }
        return count(key, n);
    }

    static long count(String key, long n) {
        if (n <= 0) {
            throw new InvalidConfigurationException(key, key + " must be positive but was " + n + ".");
        }
        return n;
    }

    static Duration positive(String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new InvalidConfigurationException(key, key + " must be positive but was " + d + ".");
        }
        return d;
    }
}
