package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Key Vault on its own HTTPS port: the secrets API with Key Vault's challenge, token checks,
 * access policies and error bodies.
 */
public final class Vault {
    private static final Logger LOG = LoggerFactory.getLogger(Vault.class);
    private static final Pattern ROUTE = Pattern.compile("/secrets/([^/]+)(?:/([^/]+))?/?");
    private static final Pattern NAME = Pattern.compile("[0-9a-zA-Z-]{1,127}");
    /** 7.x, or the dated versions newer clients send (secrets 4.11 sends 2025-07-01). */
    private static final Pattern API_VERSION = Pattern.compile("7\\.\\d+(-preview(\\.\\d+)?)?|20\\d\\d-\\d\\d-\\d\\d(-preview)?");
    private static final String RESOURCE = "https://vault.azure.net";
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final String name;
    private final String tenantId;
    private final HttpsServer server;
    private final PublicKey tokenKey;
    private final Map<String, List<Version>> secrets = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> policies = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong requestsWithToken = new AtomicLong();

    Vault(String name, String tenantId, HttpsServer server, PublicKey tokenKey) {
        this.name = name;
        this.tenantId = tenantId;
        this.server = server;
        this.tokenKey = tokenKey;
    }

    /** @return the vault's name */
    public String name() {
        return name;
    }

    /** @return {@code https://localhost:<port>} */
    public String url() {
        return "https://localhost:" + port();
    }

    /** @return the HTTPS port it listens on */
    public int port() {
        return server.getAddress().getPort();
    }

    /** @return the tenant whose tokens it accepts */
    public String tenantId() {
        return tenantId;
    }

    /**
     * Stores a new version.
     *
     * @param secretName the secret's name
     * @param value its value
     * @return the new version id (32 lower-case hex digits, as Azure makes them)
     */
    public String setSecret(String secretName, String value) {
        return setSecret(secretName, value, SecretAttributes.defaults());
    }

    /**
     * Stores a new version with attributes.
     *
     * @param secretName the secret's name
     * @param value its value
     * @param attributes content type, enabled, nbf, exp, tags
     * @return the new version id
     */
    public String setSecret(String secretName, String value, SecretAttributes attributes) {
        if (!NAME.matcher(secretName).matches()) {
            throw new IllegalArgumentException("secret names are 1-127 letters, digits and '-': " + secretName);
        }
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        Version v = new Version(secretName, HexFormat.of().formatHex(id), value, attributes, Instant.now());
        secrets.computeIfAbsent(key(secretName), k -> new CopyOnWriteArrayList<>()).add(v);
        return v.version;
    }

    /**
     * Enables or disables the latest version.
     *
     * @param secretName the secret's name
     * @param enabled whether it may be read
     */
    public void setEnabled(String secretName, boolean enabled) {
        List<Version> versions = secrets.get(key(secretName));
        if (versions == null || versions.isEmpty()) {
            throw new IllegalArgumentException("no secret " + secretName);
        }
        Version latest = versions.get(versions.size() - 1);
        latest.enabled = enabled;
    }

    /**
     * Adds secret permissions to the access policy of an object id.
     *
     * @param objectId a service principal's object id
     * @param secretPermissions such as {@code get}, {@code list}, {@code set}
     */
    public void grant(String objectId, String... secretPermissions) {
        Set<String> granted = policies.computeIfAbsent(objectId.toLowerCase(Locale.ROOT), k -> ConcurrentHashMap.newKeySet());
        for (String p : secretPermissions) {
            granted.add(p.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Removes the access policy of an object id.
     *
     * @param objectId a service principal's object id
     */
    public void revoke(String objectId) {
        policies.remove(objectId.toLowerCase(Locale.ROOT));
    }

    /** @return how many requests this vault received */
    public long requests() {
        return requests.get();
    }

    /** @return how many of them carried an Authorization header */
    public long requestsWithToken() {
        return requestsWithToken.get();
    }

    void stop() {
        server.stop(0);
    }

    void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            int status = route(exchange);
            LOG.debug("{} {} {} -> {}", name, exchange.getRequestMethod(), exchange.getRequestURI().getPath(), status);
        }
    }

    private int route(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null) {
            requestsWithToken.incrementAndGet();
        }
        String apiVersion = Exchanges.query(exchange).get("api-version");
        if (apiVersion == null || !API_VERSION.matcher(apiVersion).matches()) {
            return error(exchange, 400, "BadParameter", null, apiVersion == null
                    ? "The 'api-version' query parameter is missing." : "The specified version (" + apiVersion
                    + ") is not recognized. Consider using the latest supported version (7.6).");
        }
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return unauthorized(exchange, "AKV10000: Request is missing a Bearer or PoP token.");
        }
        Jwt token;
        try {
            token = Jwt.parse(authorization.substring("Bearer ".length()).trim());
        } catch (IllegalArgumentException e) {
            return unauthorized(exchange, "AKV10022: Invalid token: the bearer token is malformed.");
        }
        if (!token.verifies(tokenKey)) {
            return unauthorized(exchange, "AKV10021: Invalid token signature.");
        }
        String aud = token.text("aud");
        if (aud == null || !(aud.equals(RESOURCE) || aud.equals(RESOURCE + "/"))) {
            return unauthorized(exchange, "AKV10022: Invalid audience. Expected " + RESOURCE + ", found: " + aud + ".");
        }
        if (token.seconds("exp") < Instant.now().getEpochSecond()) {
            return unauthorized(exchange, "AKV10017: The token has expired.");
        }
        if (!tenantId.equalsIgnoreCase(token.text("tid"))) {
            return unauthorized(exchange, "AKV10032: Invalid issuer. Expected one of https://sts.windows.net/"
                    + tenantId + "/, found https://sts.windows.net/" + token.text("tid") + "/.");
        }
        Matcher m = ROUTE.matcher(exchange.getRequestURI().getPath());
        if (!m.matches()) {
            return error(exchange, 404, "NotFound", null, "The emulator's vault has no route "
                    + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + ".");
        }
        String secretName = m.group(1);
        String second = m.group(2);
        if (!NAME.matcher(secretName).matches()) {
            return error(exchange, 400, "BadParameter", null, "The secret name '" + secretName + "' is invalid: "
                    + "names are 1-127 characters of letters, digits and '-'.");
        }
        String method = exchange.getRequestMethod();
        if ("PUT".equals(method) && second == null) {
            return deny(exchange, token, "set") ? 403 : put(exchange, secretName);
        }
        if ("GET".equals(method) && "versions".equals(second)) {
            return deny(exchange, token, "list") ? 403 : listVersions(exchange, secretName);
        }
        if ("GET".equals(method)) {
            return deny(exchange, token, "get") ? 403 : get(exchange, secretName, second);
        }
        return error(exchange, 405, "MethodNotAllowed", null, method + " is not supported here.");
    }

    private int get(HttpExchange exchange, String secretName, String version) throws IOException {
        List<Version> versions = secrets.get(key(secretName));
        Version found = null;
        if (versions != null && !versions.isEmpty()) {
            if (version == null || version.isEmpty()) {
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
            return error(exchange, 403, "Forbidden", "SecretDisabled", "Operation get is not allowed on a disabled secret.");
        }
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

    private int put(HttpExchange exchange, String secretName) throws IOException {
        JsonNode body;
        try {
            body = Jwt.JSON.readTree(Exchanges.body(exchange));
        } catch (IOException e) {
            return error(exchange, 400, "BadParameter", null, "The request body is not JSON.");
        }
        if (body == null || !body.hasNonNull("value")) {
            return error(exchange, 400, "BadParameter", null, "Property 'value' is required.");
        }
        SecretAttributes attributes = SecretAttributes.defaults();
        if (body.hasNonNull("contentType")) {
            attributes = attributes.contentType(body.get("contentType").asText());
        }
        JsonNode a = body.path("attributes");
        if (a.has("enabled")) {
            attributes = attributes.enabled(a.get("enabled").asBoolean(true));
        }
        if (a.hasNonNull("nbf")) {
            attributes = attributes.notBefore(Instant.ofEpochSecond(a.get("nbf").asLong()));
        }
        if (a.hasNonNull("exp")) {
            attributes = attributes.expiresOn(Instant.ofEpochSecond(a.get("exp").asLong()));
        }
        for (Map.Entry<String, JsonNode> tag : iterable(body.path("tags").fields())) {
            attributes = attributes.tag(tag.getKey(), tag.getValue().asText());
        }
        String version = setSecret(secretName, body.get("value").asText(), attributes);
        List<Version> versions = secrets.get(key(secretName));
        for (Version v : versions) {
            if (v.version.equals(version)) {
                Exchanges.json(exchange, 200, bundle(v, true));
            }
        }
        return 200;
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }

    private boolean deny(HttpExchange exchange, Jwt token, String permission) throws IOException {
        String oid = String.valueOf(token.text("oid")).toLowerCase(Locale.ROOT);
        Set<String> granted = policies.getOrDefault(oid, Set.of());
        if (granted.contains(permission) || granted.contains("all")) {
            return false;
        }
        error(exchange, 403, "Forbidden", "AccessDenied", "The user, group or application 'appid=" + token.text("appid")
                + ";oid=" + token.text("oid") + ";iss=https://sts.windows.net/" + token.text("tid") + "/' does not have "
                + "secrets " + permission + " permission on key vault '" + name + ";location=emulator'. For help "
                + "resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287");
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
        attributes.put("updated", v.created.getEpochSecond());
        attributes.put("recoveryLevel", "Recoverable+Purgeable");
        attributes.put("recoverableDays", 90);
        return node;
    }

    private int unauthorized(HttpExchange exchange, String message) throws IOException {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer authorization=\"https://login.windows.net/"
                + tenantId + "\", resource=\"" + RESOURCE + "\"");
        return error(exchange, 401, "Unauthorized", null, message);
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

    /** One version of a secret. */
    private static final class Version {
        final String name;
        final String version;
        final String value;
        final SecretAttributes attributes;
        final Instant created;
        volatile boolean enabled;

        Version(String name, String version, String value, SecretAttributes attributes, Instant created) {
            this.name = name;
            this.version = version;
            this.value = value;
            this.attributes = attributes;
            this.created = created;
            this.enabled = attributes.enabled;
        }
    }
}
