package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
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

    private static final Pattern SECRETS = Pattern.compile("/secrets/?");
    private static final Pattern SECRET = Pattern.compile("/secrets/([^/]+)(?:/([^/]*))?/?");
    private static final Pattern NAME = Pattern.compile("[0-9a-zA-Z-]{1,127}");
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
    private final Endpoint endpoint;

    Vault(String name, String tenantId, HttpsServer server, AccessTokens tokens, RequestJournal emulatorJournal) {
        this.name = name;
        this.tenantId = tenantId;
        this.server = server;
        this.tokens = tokens;
        this.endpoint = new Endpoint(new KeyVaultRoute(), emulatorJournal);
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

    private Version store(String secretName, String value, SecretAttributes attributes) {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        Version v = new Version(secretName, HexFormat.of().formatHex(id), value, attributes, Instant.now());
        secrets.computeIfAbsent(key(secretName), k -> new CopyOnWriteArrayList<>()).add(v);
        return v;
    }

    private static String invalid(String secretName, String value, SecretAttributes attributes) {
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
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (SECRETS.matcher(path).matches()) {
            if (!"GET".equals(method)) {
                return notAllowed(exchange, method, path);
            }
            return deny(exchange, token, "list") ? 403 : listSecrets(exchange);
        }
        Matcher m = SECRET.matcher(path);
        if (!m.matches()) {
            return error(exchange, 404, "NotFound", null, "The Azure emulator's vault has no route " + method + " "
                    + path + ". It serves GET /secrets, GET and PUT /secrets/{name}, GET /secrets/{name}/{version} "
                    + "and GET /secrets/{name}/versions.");
        }
        String secretName = m.group(1);
        String second = m.group(2) == null || m.group(2).isEmpty() ? null : m.group(2);
        if (!NAME.matcher(secretName).matches()) {
            return error(exchange, 400, "BadParameter", null, "The request URI contains an invalid name: " + secretName
                    + ". Secret names are 1-127 characters of letters, digits and '-'.");
        }
        if ("PUT".equals(method) && second == null) {
            return deny(exchange, token, "set") ? 403 : put(exchange, secretName);
        }
        if ("GET".equals(method) && "versions".equals(second)) {
            return deny(exchange, token, "list") ? 403 : listVersions(exchange, secretName);
        }
        if ("GET".equals(method)) {
            return deny(exchange, token, "get") ? 403 : get(exchange, secretName, second);
        }
        return notAllowed(exchange, method, path);
    }

    private static int notAllowed(HttpExchange exchange, String method, String path) throws IOException {
        return error(exchange, 405, "MethodNotAllowed", null, "The emulator does not support " + method + " " + path
                + ".");
    }

    private int get(HttpExchange exchange, String secretName, String version) throws IOException {
        List<Version> versions = secrets.get(key(secretName));
        Version found = null;
        if (versions != null && !versions.isEmpty()) {
            if (version == null) {
                found = versions.get(versions.size() - 1);
            } else {
                for (Version v : versions) {
                    if (v.version.equalsIgnoreCase(version)) {
                        found = v;
                    }
                }
            }
        }
        if (found == null) {
            return error(exchange, 404, "SecretNotFound", null, "A secret with (name/id) " + secretName
                    + (version == null ? "" : "/" + version) + " was not found in this key vault. If you recently "
                    + "deleted this secret you may be able to recover it using the correct recovery command. For help "
                    + "resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182");
        }
        if (!found.enabled) {
            return error(exchange, 403, "Forbidden", "SecretDisabled", "Operation get is not allowed on a disabled "
                    + "secret.");
        }
        // Key Vault serves a get outside the nbf/exp window: for secrets the dates are informational.
        Exchanges.json(exchange, 200, bundle(found, true));
        return 200;
    }

    private int listVersions(HttpExchange exchange, String secretName) throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ArrayNode value = body.putArray("value");
        for (Version v : secrets.getOrDefault(key(secretName), List.of())) {
            value.add(bundle(v, false));
        }
        body.putNull("nextLink");
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    private int listSecrets(HttpExchange exchange) throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ArrayNode value = body.putArray("value");
        for (List<Version> versions : new TreeMap<>(secrets).values()) {
            if (!versions.isEmpty()) {
                ObjectNode item = bundle(versions.get(versions.size() - 1), false);
                String id = item.get("id").asText();
                item.put("id", id.substring(0, id.lastIndexOf('/')));
                value.add(item);
            }
        }
        body.putNull("nextLink");
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    private int put(HttpExchange exchange, String secretName) throws IOException {
        JsonNode body;
        try {
            body = Jwt.JSON.readTree(Exchanges.body(exchange));
        } catch (IOException e) {
            return error(exchange, 400, "BadParameter", null, "The request body is not valid JSON.");
        }
        if (body == null || !body.path("value").isTextual()) {
            return error(exchange, 400, "BadParameter", null, "Property 'value' is required and must be a string.");
        }
        SecretAttributes attributes = SecretAttributes.defaults();
        if (body.hasNonNull("contentType")) {
            attributes = attributes.contentType(body.get("contentType").asText());
        }
        JsonNode a = body.path("attributes");
        if (a.hasNonNull("enabled")) {
            attributes = attributes.enabled(a.get("enabled").asBoolean(true));
        }
        if (a.hasNonNull("nbf")) {
            attributes = attributes.notBefore(Instant.ofEpochSecond(a.get("nbf").asLong()));
        }
        if (a.hasNonNull("exp")) {
            attributes = attributes.expiresOn(Instant.ofEpochSecond(a.get("exp").asLong()));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = body.path("tags").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> tag = it.next();
            attributes = attributes.tag(tag.getKey(), tag.getValue().asText());
        }
        String value = body.get("value").asText();
        String problem = invalid(secretName, value, attributes);
        if (problem != null) {
            return error(exchange, 400, "BadParameter", null, problem);
        }
        Exchanges.json(exchange, 200, bundle(store(secretName, value, attributes), true));
        return 200;
    }

    private boolean deny(HttpExchange exchange, Jwt token, String permission) throws IOException {
        String oid = token.text("oid");
        java.util.function.BiPredicate<String, String> roles = rbac;
        if (roles != null) {
            String action = "Microsoft.KeyVault/vaults/secrets/" + ("get".equals(permission) ? "getSecret/action"
                    : "set".equals(permission) ? "setSecret/action" : "list".equals(permission)
                    ? "readMetadata/action" : permission);
            if (oid != null && roles.test(oid, action)) {
                return false;
            }
            error(exchange, 403, "Forbidden", "ForbiddenByRbac", "Caller is not authorized to perform action on "
                    + "resource. If role assignments, deny assignments or role definitions were changed recently, please "
                    + "observe propagation time. Caller: appid=" + token.text("appid") + ";oid=" + oid + ";iss="
                    + token.text("iss") + " Action: '" + action + "' Resource: '" + name + "' Assignment: (not found) "
                    + "Vault: " + name + ";location=emulator");
            return true;
        }
        Set<String> granted = oid == null ? Set.of() : policies.getOrDefault(oid.toLowerCase(Locale.ROOT), Set.of());
        if (granted.contains(permission) || granted.contains("all")) {
            return false;
        }
        error(exchange, 403, "Forbidden", "AccessDenied", "The user, group or application 'appid=" + token.text("appid")
                + ";oid=" + oid + ";iss=" + token.text("iss") + "' does not have secrets " + permission
                + " permission on key vault '" + name + ";location=emulator'. For help resolving this issue, please "
                + "see https://go.microsoft.com/fwlink/?linkid=2125287");
        return true;
    }

    private ObjectNode bundle(Version v, boolean withValue) {
        ObjectNode node = Jwt.JSON.createObjectNode();
        if (withValue) {
            node.put("value", v.value);
        }
        node.put("id", url() + "/secrets/" + v.name + "/" + v.version);
        if (v.attributes.contentType != null) {
            node.put("contentType", v.attributes.contentType);
        }
        if (!v.attributes.tags.isEmpty()) {
            ObjectNode tags = node.putObject("tags");
            v.attributes.tags.forEach(tags::put);
        }
        ObjectNode attributes = node.putObject("attributes");
        attributes.put("enabled", v.enabled);
        if (v.attributes.notBefore != null) {
            attributes.put("nbf", v.attributes.notBefore.getEpochSecond());
        }
        if (v.attributes.expiresOn != null) {
            attributes.put("exp", v.attributes.expiresOn.getEpochSecond());
        }
        attributes.put("created", v.created.getEpochSecond());
        attributes.put("updated", v.updated.getEpochSecond());
        attributes.put("recoveryLevel", "Recoverable+Purgeable");
        attributes.put("recoverableDays", 90);
        return node;
    }

    private int unauthorized(HttpExchange exchange, String message) throws IOException {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer authorization=\"https://login.windows.net/"
                + tenantId + "\", resource=\"" + RESOURCE + "\"");
        return error(exchange, 401, "Unauthorized", null, message);
    }

    /** The outer error code (and {@code x-ms-error-code}) of an injected status. */
    static String faultCode(int status) {
        switch (status) {
            case 400: return "BadParameter";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "NotFound";
            case 405: return "MethodNotAllowed";
            case 408: return "RequestTimeout";
            case 409: return "Conflict";
            case 410: return "Gone";
            case 412: return "PreconditionFailed";
            case 413: return "RequestEntityTooLarge";
            case 429: return "Throttled";
            case 500: return "InternalServerError";
            case 501: return "NotImplemented";
            case 502: return "BadGateway";
            case 503: return "ServiceUnavailable";
            case 504: return "GatewayTimeout";
            default: return status < 500 ? "BadRequest" : "InternalServerError";
        }
    }

    private static String faultMessage(int status) {
        switch (status) {
            case 500: return "The service encountered an internal error. Please retry the request.";
            case 502: return "The service received an invalid response from an upstream server. Please retry the request.";
            case 503: return "The service is unavailable. Please retry the request later.";
            case 504: return "The service did not answer in time. Please retry the request.";
            case 408: return "The request timed out. Please retry the request.";
            default: return "The request failed with status " + status + ".";
        }
    }

    private static int error(HttpExchange exchange, int status, String code, String innerCode, String message)
            throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        if (innerCode != null) {
            error.putObject("innererror").put("code", innerCode);
        }
        exchange.getResponseHeaders().set("x-ms-error-code", code);
        Exchanges.json(exchange, status, body);
        return status;
    }

    private static String key(String secretName) {
        return secretName.toLowerCase(Locale.ROOT);
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
    private static final class Version {
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
