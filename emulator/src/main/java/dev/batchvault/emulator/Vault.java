package dev.batchvault.emulator;

import static dev.batchvault.emulator.KeyVaultErrors.error;
import static dev.batchvault.emulator.KeyVaultErrors.faultCode;
import static dev.batchvault.emulator.KeyVaultErrors.faultMessage;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * One Key Vault on its own HTTPS port: the secrets API with Key Vault's challenge, token checks,
 * access policies and error bodies. Made by {@link AzureEmulator#createVault(String, String)}.
 */
public final class Vault {
    /** The resource Key Vault tokens are issued for. */
    static final String RESOURCE = "https://vault.azure.net";
    /** Key Vault's limit on a secret value. */
    static final int MAX_VALUE_BYTES = 25 * 1024;

    /** A secret's name as Key Vault takes it. */
    static final Pattern NAME = Pattern.compile("[0-9a-zA-Z-]{1,127}");
    /** 7.x (7.0 to 7.6 exist), or the dated versions newer clients send (secrets 4.11 sends 2025-07-01). */
    private static final Pattern API_VERSION =
            Pattern.compile("7\\.\\d+(-preview(\\.\\d+)?)?|20\\d\\d-\\d\\d-\\d\\d(-preview)?");
    private static final String LATEST_API_VERSION = "7.6";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final String tenantId;
    private final HttpsServer server;
    private final AccessTokens tokens;
    private final Map<String, List<Version>> secrets = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> policies = new ConcurrentHashMap<>();
    /** Set by {@link ResourceManager} when the vault uses Azure RBAC: (object id, data action) -> allowed. */
    private volatile java.util.function.BiPredicate<String, String> rbac;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong requestsWithToken = new AtomicLong();
    private volatile String challengeResource = RESOURCE;
    private final Endpoint endpoint;
    private final VaultCertificates certificates = new VaultCertificates(this);
    private final SecretsRoutes secretsRoutes = new SecretsRoutes(this);

    Vault(String name, String tenantId, HttpsServer server, AccessTokens tokens, RequestJournal emulatorJournal) {
        this.name = name;
        this.tenantId = tenantId;
        this.server = server;
        this.tokens = tokens;
        this.endpoint = new Endpoint(new KeyVaultRoute(), emulatorJournal);
    }

    /** @return the vault's certificates (Key Vault's certificates API; each kept as the secret of its name) */
    public VaultCertificates certificates() {
        return certificates;
    }

    /** @return the vault's name */
    public String name() {
        return name;
    }

    /** @return {@code https://localhost:<port>}, the vault URL for {@code SecretClientBuilder.vaultUrl} */
    public String url() {
        return "https://localhost:" + port();
    }

    /** @return the HTTPS port it listens on (on every address) */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Makes the challenge name another resource, as a listener that is not a vault would, to test
     * that clients refuse to fetch a token for it. Tokens are still checked against Key Vault's.
     *
     * @param resource the {@code resource} of the challenge, such as {@code https://storage.azure.com};
     *     {@code null} restores {@code https://vault.azure.net}
     */
    public void challengeResource(String resource) {
        this.challengeResource = resource == null ? RESOURCE : resource;
    }

    /** @return the tenant whose tokens it accepts, named in its challenge */
    public String tenantId() {
        return tenantId;
    }

    /**
     * Stores a new version, enabled, with no attributes.
     *
     * @param secretName the secret's name: 1-127 letters, digits and {@code -}
     * @param value its value, at most 25 KB
     * @return the new version id (32 lower-case hex digits, as Azure makes them)
     * @throws IllegalArgumentException if the name or value is not one Key Vault takes
     */
    public String setSecret(String secretName, String value) {
        return setSecret(secretName, value, SecretAttributes.defaults());
    }

    /**
     * Stores a new version with attributes.
     *
     * @param secretName the secret's name: 1-127 letters, digits and {@code -}
     * @param value its value, at most 25 KB
     * @param attributes content type, enabled, nbf, exp, tags
     * @return the new version id (32 lower-case hex digits)
     * @throws IllegalArgumentException if the name, value or content type is not one Key Vault takes
     */
    public String setSecret(String secretName, String value, SecretAttributes attributes) {
        String problem = invalid(secretName, value, attributes);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return store(secretName, value, attributes).version;
    }

    Version store(String secretName, String value, SecretAttributes attributes) {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        Version v = new Version(secretName, HexFormat.of().formatHex(id), value, attributes, Instant.now());
        secrets.computeIfAbsent(key(secretName), k -> new CopyOnWriteArrayList<>()).add(v);
        return v;
    }

    /** @return why Key Vault would refuse this secret, or null when it takes it */
    static String invalid(String secretName, String value, SecretAttributes attributes) {
        if (secretName == null || !NAME.matcher(secretName).matches()) {
            return "The secret name '" + secretName + "' is invalid: names are 1-127 characters of letters, digits "
                    + "and '-'.";
        }
        if (value == null) {
            return "A secret value is required.";
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            return "The secret value is larger than Key Vault's limit of " + MAX_VALUE_BYTES + " bytes.";
        }
        if (attributes.contentType != null && attributes.contentType.length() > 255) {
            return "The content type is longer than 255 characters.";
        }
        return null;
    }

    /**
     * Enables or disables the latest version, as {@code az keyvault secret set-attributes --enabled} does.
     *
     * @param secretName the secret's name
     * @param enabled whether it may be read
     * @throws IllegalArgumentException if there is no such secret
     */
    public void setEnabled(String secretName, boolean enabled) {
        List<Version> versions = secrets.get(key(secretName));
        if (versions == null || versions.isEmpty()) {
            throw new IllegalArgumentException("vault " + name + " has no secret " + secretName);
        }
        Version latest = versions.get(versions.size() - 1);
        latest.enabled = enabled;
        latest.updated = Instant.now();
    }

    /**
     * Deletes a secret and all its versions, as {@code az keyvault secret delete} followed by a
     * purge does: from then on reads answer 404 {@code SecretNotFound}.
     *
     * @param secretName the secret's name
     * @throws IllegalArgumentException if there is no such secret
     */
    public void deleteSecret(String secretName) {
        if (secrets.remove(key(secretName)) == null) {
            throw new IllegalArgumentException("vault " + name + " has no secret " + secretName);
        }
    }

    /**
     * Adds secret permissions to the access policy of an object id, as
     * {@code Set-AzKeyVaultAccessPolicy -ObjectId <oid> -PermissionsToSecrets get,list} does.
     *
     * @param objectId a service principal's object id (see {@link Application#principalObjectId()})
     * @param secretPermissions such as {@code get}, {@code list}, {@code set}, or {@code all}
     */
    public void grant(String objectId, String... secretPermissions) {
        Set<String> granted = policies.computeIfAbsent(objectId.toLowerCase(Locale.ROOT),
                k -> ConcurrentHashMap.newKeySet());
        for (String p : secretPermissions) {
            granted.add(p.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Removes the whole access policy of an object id.
     *
     * @param objectId a service principal's object id
     */
    public void revoke(String objectId) {
        policies.remove(objectId.toLowerCase(Locale.ROOT));
    }

    /** @return how many requests this vault received, with or without a token */
    public long requests() {
        return requests.get();
    }

    /** @return how many of them carried an {@code Authorization} header */
    public long requestsWithToken() {
        return requestsWithToken.get();
    }

    /**
     * Injects a fault into this vault's authenticated requests: those carrying an {@code Authorization}
     * header, so that Key Vault's challenge (the clients' first request, without a token) is never
     * taken by a fault. Faults queue: each request takes the first one still active; a
     * {@link Fault#rateLimit rate limit} is charged for every request and answers only those over it.
     * {@link #requests()} and {@link #requestsWithToken()} count faulted requests too.
     *
     * @param fault the fault; see {@link Fault}
     */
    public void inject(Fault fault) {
        endpoint.faults().add(fault);
    }

    /** Removes every fault injected into this vault. Requests held by {@link Fault#hang()} stay held. */
    public void clearFaults() {
        endpoint.faults().clear();
    }

    /** @return how many requests a fault answered (or delayed, or dropped, or held) at this vault */
    public long faultsServed() {
        return endpoint.faults().served();
    }

    /**
     * The requests this vault received, challenges included, each with its status and the fault
     * applied to it. The emulator's {@link AzureEmulator#journal()} has them too.
     *
     * @return this vault's journal
     */
    public RequestJournal journal() {
        return endpoint.journal();
    }

    @Override
    public String toString() {
        return "Vault{" + name + ", " + url() + ", tenant " + tenantId + "}";
    }

    List<Fault> faults() {
        return endpoint.faults().active();
    }

    /** @return the handler running this vault's requests */
    Endpoint endpoint() {
        return endpoint;
    }

    /** @param check null for access policies, else the role check Azure RBAC makes (object id, data action) */
    void permissionModel(java.util.function.BiPredicate<String, String> check) {
        this.rbac = check;
    }

    Map<String, Set<String>> policies() {
        return policies;
    }

    boolean hasPolicy(String objectId) {
        return objectId != null && !policies.getOrDefault(objectId.toLowerCase(Locale.ROOT), Set.of()).isEmpty();
    }

    void stop() {
        endpoint.faults().releaseHeld();
        server.stop(0);
    }

    /** Key Vault's secrets API as a {@link Route}: the endpoint runs the lifecycle around it. */
    private final class KeyVaultRoute implements Route {
        @Override
        public String name() {
            return "vault " + name;
        }

        @Override
        public void received(HttpExchange exchange) {
            requests.incrementAndGet();
            if (exchange.getRequestHeaders().containsKey("Authorization")) {
                requestsWithToken.incrementAndGet();
            }
            String requestId = exchange.getRequestHeaders().getFirst("x-ms-client-request-id");
            if (requestId != null) {
                exchange.getResponseHeaders().set("x-ms-client-request-id", requestId);
            }
            exchange.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
        }

        /** Only authenticated requests meet faults: the challenge request is never consumed by one. */
        @Override
        public boolean faultable(HttpExchange exchange) {
            return exchange.getRequestHeaders().containsKey("Authorization");
        }

        @Override
        public void faultStatus(HttpExchange exchange, int status) throws IOException {
            String message = faultMessage(status) + " (Fault injected by the emulator.)";
            if (status == 401) {
                unauthorized(exchange, message);
            } else {
                error(exchange, status, faultCode(status), null, message);
            }
        }

        @Override
        public void throttled(HttpExchange exchange, boolean rateLimited) throws IOException {
            error(exchange, 429, "Throttled", null, "Request was not processed because too many requests were "
                    + "received. Reason: " + (rateLimited ? "VaultRequestTypeLimitReached" : "VaultOperationLimitReached"));
        }

        @Override
        public void crashed(HttpExchange exchange, RuntimeException failure) throws IOException {
            error(exchange, 500, "InternalServerError", null, "The emulator failed: " + failure.getClass().getName());
        }

        @Override
        public void answer(HttpExchange exchange) throws IOException {
            String apiVersion = Exchanges.query(exchange).get("api-version");
            if (apiVersion == null || !API_VERSION.matcher(apiVersion).matches()) {
                error(exchange, 400, "BadParameter", null, apiVersion == null
                        ? "The 'api-version' query parameter is missing."
                        : "The specified version (" + apiVersion + ") is not recognized. Consider using the latest "
                                + "supported version (" + LATEST_API_VERSION + ").");
                return;
            }
            AccessTokens.Verdict verdict = tokens.verify(exchange.getRequestHeaders().getFirst("Authorization"), RESOURCE,
                    tenantId);
            if (!verdict.accepted()) {
                unauthorized(exchange, refusal(verdict));
                return;
            }
            route(exchange, verdict.token);
        }

        /** Key Vault's words for a refused token. */
        private String refusal(AccessTokens.Verdict verdict) {
            switch (verdict.refusal) {
                case MISSING:
                    return "AKV10000: Request is missing a Bearer or PoP token.";
                case NOT_A_JWT:
                    return "[TokenInvalid] Error validating token: the bearer token is not a JWT.";
                case UNKNOWN_KEY:
                    return "AKV10046: Unable to resolve the key used for signature validation. EncodedJwtHeader: '"
                            + verdict.detail + "'.";
                case EXPIRED:
                    return "[TokenExpired] Error validating token: 'S2S12086'.";
                case NOT_YET_VALID:
                    return "Token not yet valid (Activity ID: " + UUID.randomUUID() + ")";
                case WRONG_AUDIENCE:
                    return "AKV10022: Invalid audience. Expected " + RESOURCE + ", found: " + verdict.detail + ".";
                case WRONG_ISSUER:
                    return "AKV10032: Invalid issuer. Expected one of " + AccessTokens.issuer(tenantId) + ", found "
                            + verdict.detail + ".";
                default:
                    throw new IllegalStateException("unknown refusal " + verdict.refusal);
            }
        }
    }

    private int route(HttpExchange exchange, Jwt token) throws IOException {
        if (exchange.getRequestURI().getPath().startsWith("/certificates/")) {
            return certificates.route(exchange, token, rbac);
        }
        return secretsRoutes.route(exchange, token, rbac);
    }

    private int unauthorized(HttpExchange exchange, String message) throws IOException {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer authorization=\"https://login.windows.net/"
                + tenantId + "\", resource=\"" + challengeResource + "\"");
        return error(exchange, 401, "Unauthorized", null, message);
    }

    private static String key(String secretName) {
        return secretName.toLowerCase(Locale.ROOT);
    }

    /** @return the versions of a secret, oldest first; empty when there is none */
    List<Version> versions(String secretName) {
        return secrets.getOrDefault(key(secretName), List.of());
    }

    /** @return each secret's versions, by name */
    Collection<List<Version>> versionsByName() {
        return new TreeMap<>(secrets).values();
    }

    List<String> secretNames() {
        List<String> names = new ArrayList<>();
        for (List<Version> versions : new TreeMap<>(secrets).values()) {
            if (!versions.isEmpty()) {
                names.add(versions.get(versions.size() - 1).name);
            }
        }
        return names;
    }

    /** One version of a secret. Its value never appears in logs or in {@link #toString()}. */
    static final class Version {
        final String name;
        final String version;
        final String value;
        final SecretAttributes attributes;
        final Instant created;
        volatile Instant updated;
        volatile boolean enabled;

        Version(String name, String version, String value, SecretAttributes attributes, Instant created) {
            this.name = name;
            this.version = version;
            this.value = value;
            this.attributes = attributes;
            this.created = created;
            this.updated = created;
            this.enabled = attributes.enabled;
        }

        @Override
        public String toString() {
            return "Version{" + name + "/" + version + "}";
        }
    }
}
