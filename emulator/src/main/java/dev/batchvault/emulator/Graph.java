package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Microsoft Graph v1.0, the part the Azure management libraries call to register an application with
 * a certificate and its service principal: {@code /v1.0/applications} and {@code /v1.0/servicePrincipals}
 * (list with {@code $filter} on {@code displayName} or {@code appId}, create, get, update).
 *
 * <p>Wired to the emulator's Entra ID: when an application has a service principal, its certificate
 * key credentials are the certificates it may sign client assertions with, and the principal's object
 * id is the {@code oid} of its tokens (so vault access policies and role assignments name it).
 *
 * <p>Callers need a token for {@code https://graph.microsoft.com} (or this server's own URL, which is
 * what a client asks for when the environment's Microsoft Graph endpoint points here) from a principal
 * granted {@code Application.ReadWrite.All} with {@link #grantApplicationReadWriteAll(String)}.
 * Obtained from {@link AzureEmulator#graph()}. Thread-safe.
 */
public final class Graph extends BearerService {
    /** The application permission needed to create and update applications and service principals. */
    public static final String APPLICATION_READ_WRITE_ALL = "Application.ReadWrite.All";

    private static final Pattern COLLECTION = Pattern.compile("/v1\\.0/(applications|servicePrincipals)/?");
    private static final Pattern ITEM = Pattern.compile("/v1\\.0/(applications|servicePrincipals)/([^/]+)/?");
    private static final Pattern FILTER = Pattern.compile("\\s*(displayName|appId)\\s+eq\\s+'((?:[^']|'')*)'\\s*");
    private static final String KEY_TYPE = "AsymmetricX509Cert";

    private final Function<String, Tenant> tenants;
    private final Map<String, Set<String>> permissions = new ConcurrentHashMap<>();
    /** tenant id -> object id -> application or service principal JSON (as stored, with keys). */
    private final Map<String, Map<String, ObjectNode>> applications = new ConcurrentHashMap<>();
    private final Map<String, Map<String, ObjectNode>> servicePrincipals = new ConcurrentHashMap<>();

    Graph(PublicKey tokenKey, Function<String, Tenant> tenants) {
        super(tokenKey);
        this.tenants = tenants;
    }

    /** @return {@code https://localhost:<port>}: set it as the environment's Microsoft Graph endpoint */
    @Override
    public String url() {
        return super.url();
    }

    /**
     * Grants a principal the Graph application permission {@code Application.ReadWrite.All}, as an
     * administrator's consent to that app role does.
     *
     * @param principalObjectId the object id of the caller's service principal (its tokens' {@code oid})
     */
    public void grantApplicationReadWriteAll(String principalObjectId) {
        permissions.computeIfAbsent(principalObjectId.toLowerCase(Locale.ROOT), k -> ConcurrentHashMap.newKeySet())
                .add(APPLICATION_READ_WRITE_ALL);
    }

    /**
     * @param tenantId a tenant
     * @param displayName an application's display name
     * @return the application's JSON as a {@code GET} with {@code $select=keyCredentials} would show it,
     *     or {@code null} if there is none by that name
     */
    public String application(String tenantId, String displayName) {
        for (ObjectNode app : apps(tenantId).values()) {
            if (displayName.equals(app.path("displayName").asText())) {
                return app.toString();
            }
        }
        return null;
    }

    /**
     * @param tenantId a tenant
     * @return the display names of its applications, in no particular order
     */
    public List<String> applicationNames(String tenantId) {
        List<String> names = new ArrayList<>();
        apps(tenantId).values().forEach(a -> names.add(a.path("displayName").asText()));
        return names;
    }

    /**
     * @return the applications and service principals per tenant, one line each, for the standalone
     *     summary (ids, names and counts; never a key)
     */
    public String summary() {
        StringBuilder out = new StringBuilder("Microsoft Graph " + url() + "\n");
        applications.forEach((tenant, apps) -> apps.values().forEach(app -> {
            String appId = app.path("appId").asText();
            String sp = principals(tenant).values().stream().filter(p -> appId.equalsIgnoreCase(p.path("appId").asText()))
                    .map(p -> p.path("id").asText()).findFirst().orElse("none");
            out.append("  application '").append(app.path("displayName").asText()).append("' ").append(appId)
                    .append(" in tenant ").append(tenant).append(": ").append(app.path("keyCredentials").size())
                    .append(" certificate(s), service principal ").append(sp).append('\n');
        }));
        return out.toString();
    }

    @Override
    public String name() {
        return "graph";
    }

    private Map<String, ObjectNode> apps(String tenantId) {
        return applications.computeIfAbsent(tenantId.toLowerCase(Locale.ROOT), k -> new ConcurrentHashMap<>());
    }

    private Map<String, ObjectNode> principals(String tenantId) {
        return servicePrincipals.computeIfAbsent(tenantId.toLowerCase(Locale.ROOT), k -> new ConcurrentHashMap<>());
    }

    @Override
    public void received(HttpExchange exchange) {
        count();
        String requestId = exchange.getRequestHeaders().getFirst("client-request-id");
        if (requestId != null) {
            exchange.getResponseHeaders().set("client-request-id", requestId);
        }
        exchange.getResponseHeaders().set("request-id", UUID.randomUUID().toString());
    }

    @Override
    public void answer(HttpExchange exchange) throws IOException {
        answerWithToken(exchange, exchange.getRequestURI().getPath(), Set.of("https://graph.microsoft.com",
                "00000003-0000-0000-c000-000000000000", url().toLowerCase(Locale.ROOT)));
    }

    @Override
    void unauthorized(HttpExchange exchange, String problem) throws IOException {
        error(exchange, 401, "InvalidAuthenticationToken", "missing".equals(problem) ? "Access token is empty."
                : "Access token validation failure. Invalid audience or signature (" + problem + ").");
    }

    @Override
    public void faultStatus(HttpExchange exchange, int status) throws IOException {
        error(exchange, status, status >= 500 ? "serviceNotAvailable" : "badRequest", "Fault injected by the emulator.");
    }

    @Override
    public void throttled(HttpExchange exchange, boolean rateLimited) throws IOException {
        error(exchange, 429, "TooManyRequests", "Too many requests. (Fault injected by the emulator.)");
    }

    @Override
    public void crashed(HttpExchange exchange, RuntimeException failure) throws IOException {
        error(exchange, 500, "generalException", "The emulator failed: " + failure);
    }

    @Override
    int route(HttpExchange exchange, String method, String path, Jwt token) throws IOException {
        String tenantId = token.text("tid");
        String oid = token.text("oid");
        boolean allowed = oid != null && permissions.getOrDefault(oid.toLowerCase(Locale.ROOT), Set.of())
                .contains(APPLICATION_READ_WRITE_ALL);
        if (!allowed) {
            return error(exchange, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the "
                    + "operation. (The caller needs the application permission " + APPLICATION_READ_WRITE_ALL + ".)");
        }
        Matcher collection = COLLECTION.matcher(path);
        if (collection.matches()) {
            boolean apps = collection.group(1).equals("applications");
            if ("GET".equals(method)) {
                return list(exchange, tenantId, apps);
            }
            if ("POST".equals(method)) {
                return apps ? createApplication(exchange, tenantId) : createServicePrincipal(exchange, tenantId);
            }
        }
        Matcher item = ITEM.matcher(path);
        if (item.matches()) {
            boolean apps = item.group(1).equals("applications");
            Map<String, ObjectNode> store = apps ? apps(tenantId) : principals(tenantId);
            ObjectNode found = store.get(item.group(2).toLowerCase(Locale.ROOT));
            if (found == null) {
                return error(exchange, 404, "Request_ResourceNotFound", "Resource '" + item.group(2) + "' does not "
                        + "exist or one of its queried reference-property objects are not present.");
            }
            if ("GET".equals(method)) {
                String select = Exchanges.query(exchange).getOrDefault("$select", "");
                boolean keys = List.of(select.split(",")).contains("keyCredentials");
                Exchanges.json(exchange, 200, view(found, apps ? "applications" : "servicePrincipals", keys, true));
                return 200;
            }
            if ("PATCH".equals(method) && apps) {
                return updateApplication(exchange, tenantId, found);
            }
        }
        return error(exchange, 400, "BadRequest", "The emulator's Microsoft Graph has no route " + method + " " + path
                + ". It serves GET, POST /v1.0/applications and /v1.0/servicePrincipals, GET /v1.0/{collection}/{id} "
                + "and PATCH /v1.0/applications/{id}.");
    }

    private ObjectNode view(ObjectNode stored, String collection, boolean withKeys, boolean single) {
        ObjectNode copy = stored.deepCopy();
        if (single) {
            copy.put("@odata.context", url() + "/v1.0/$metadata#" + collection + "/$entity");
        }
        if (copy.has("keyCredentials")) {
            for (JsonNode k : copy.get("keyCredentials")) {
                if (!withKeys) {
                    ((ObjectNode) k).putNull("key"); // returned only on $select for a single object
                }
            }
        }
        return copy;
    }

    private int list(HttpExchange exchange, String tenantId, boolean apps) throws IOException {
        String filter = Exchanges.query(exchange).get("$filter");
        String field = null;
        String value = null;
        if (filter != null) {
            Matcher m = FILTER.matcher(filter);
            if (!m.matches()) {
                return error(exchange, 400, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause "
                        + "specified for property of resource. (The emulator filters on displayName or appId with eq.)");
            }
            field = m.group(1);
            value = m.group(2).replace("''", "'");
        }
        String collection = apps ? "applications" : "servicePrincipals";
        ObjectNode body = Jwt.JSON.createObjectNode();
        body.put("@odata.context", url() + "/v1.0/$metadata#" + collection);
        ArrayNode values = body.putArray("value");
        for (ObjectNode o : (apps ? apps(tenantId) : principals(tenantId)).values()) {
            if (field == null || value.equals(o.path(field).asText())) {
                values.add(view(o, collection, false, false));
            }
        }
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    private int createApplication(HttpExchange exchange, String tenantId) throws IOException {
        ObjectNode body = readObject(exchange);
        if (body == null || !body.hasNonNull("displayName") || body.get("displayName").asText().isBlank()) {
            return error(exchange, 400, "Request_BadRequest", "A value is required for property 'displayName' of "
                    + "resource 'Application'.");
        }
        ObjectNode app = Jwt.JSON.createObjectNode();
        String id = UUID.randomUUID().toString();
        app.put("id", id);
        app.put("appId", UUID.randomUUID().toString());
        app.put("displayName", body.get("displayName").asText());
        app.put("createdDateTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        app.put("signInAudience", body.path("signInAudience").asText("AzureADMyOrg"));
        app.set("identifierUris", body.has("identifierUris") ? body.get("identifierUris") : Jwt.JSON.createArrayNode());
        app.set("passwordCredentials", Jwt.JSON.createArrayNode());
        ArrayNode keys = Jwt.JSON.createArrayNode();
        String problem = keyCredentials(body.get("keyCredentials"), null, keys);
        if (problem != null) {
            return error(exchange, 400, "KeyCredentialsInvalid", problem);
        }
        app.set("keyCredentials", keys);
        apps(tenantId).put(id, app);
        exchange.getResponseHeaders().set("Location", url() + "/v1.0/applications/" + id);
        Exchanges.json(exchange, 201, view(app, "applications", false, true));
        return 201;
    }

    private int updateApplication(HttpExchange exchange, String tenantId, ObjectNode app) throws IOException {
        ObjectNode body = readObject(exchange);
        if (body == null) {
            return error(exchange, 400, "BadRequest", "Empty Payload. JSON content expected.");
        }
        synchronized (app) {
            if (body.hasNonNull("keyCredentials")) {
                ArrayNode keys = Jwt.JSON.createArrayNode();
                String problem = keyCredentials(body.get("keyCredentials"), (ArrayNode) app.get("keyCredentials"), keys);
                if (problem != null) {
                    return error(exchange, 400, "KeyCredentialsInvalid", problem);
                }
                app.set("keyCredentials", keys);
            }
            if (body.hasNonNull("displayName")) {
                app.put("displayName", body.get("displayName").asText());
            }
        }
        syncPrincipal(tenantId, app);
        exchange.sendResponseHeaders(204, -1);
        return 204;
    }

    private int createServicePrincipal(HttpExchange exchange, String tenantId) throws IOException {
        ObjectNode body = readObject(exchange);
        String appId = body == null ? null : body.path("appId").asText(null);
        if (appId == null) {
            return error(exchange, 400, "Request_BadRequest", "A value is required for property 'appId' of resource "
                    + "'ServicePrincipal'.");
        }
        ObjectNode app = null;
        for (ObjectNode a : apps(tenantId).values()) {
            if (appId.equalsIgnoreCase(a.path("appId").asText())) {
                app = a;
            }
        }
        if (app == null) {
            return error(exchange, 400, "Request_BadRequest", "The appId '" + appId + "' of the service principal does "
                    + "not reference a valid application object.");
        }
        for (ObjectNode sp : principals(tenantId).values()) {
            if (appId.equalsIgnoreCase(sp.path("appId").asText())) {
                return error(exchange, 409, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same "
                        + "value for property servicePrincipalNames already exists.");
            }
        }
        ObjectNode sp = Jwt.JSON.createObjectNode();
        String id = UUID.randomUUID().toString();
        sp.put("id", id);
        sp.put("appId", app.get("appId").asText());
        sp.put("displayName", app.get("displayName").asText());
        sp.put("accountEnabled", true);
        sp.put("servicePrincipalType", "Application");
        sp.put("appOwnerOrganizationId", tenantId);
        sp.putArray("servicePrincipalNames").add(app.get("appId").asText());
        principals(tenantId).put(id, sp);
        syncPrincipal(tenantId, app);
        Exchanges.json(exchange, 201, view(sp, "servicePrincipals", false, true));
        return 201;
    }

    /** The application's certificates become the emulator's Entra ID key credentials once it has a principal. */
    private void syncPrincipal(String tenantId, ObjectNode app) {
        String appId = app.get("appId").asText();
        String principalId = null;
        for (ObjectNode sp : principals(tenantId).values()) {
            if (appId.equalsIgnoreCase(sp.path("appId").asText())) {
                principalId = sp.get("id").asText();
            }
        }
        if (principalId == null) {
            return;
        }
        Application entra = tenants.apply(tenantId).application(appId, principalId);
        List<X509Certificate> wanted = new ArrayList<>();
        for (JsonNode k : app.get("keyCredentials")) {
            X509Certificate c = certificate(k.path("key").asText(null));
            if (c != null) {
                wanted.add(c);
                entra.registerCertificate(c);
            }
        }
        for (X509Certificate c : List.copyOf(entra.certificates())) {
            if (!wanted.contains(c)) {
                entra.removeCertificate(c);
            }
        }
    }

    /**
     * Checks key credentials as Graph does and fills {@code out}; an entry without {@code key} keeps an
     * existing credential of the same {@code keyId}.
     *
     * @return the problem, or null
     */
    private static String keyCredentials(JsonNode given, ArrayNode existing, ArrayNode out) {
        if (given == null || given.isNull()) {
            return null;
        }
        if (!given.isArray()) {
            return "keyCredentials must be an array.";
        }
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        if (existing != null) {
            existing.forEach(k -> byId.put(k.path("keyId").asText(), k));
        }
        for (JsonNode k : given) {
            String keyId = k.path("keyId").asText(null);
            String key = k.path("key").asText(null);
            if (key == null) {
                JsonNode old = keyId == null ? null : byId.get(keyId);
                if (old == null) {
                    return "Key credential " + keyId + " has no key value and matches no existing credential.";
                }
                out.add(old.deepCopy());
                continue;
            }
            if (!KEY_TYPE.equals(k.path("type").asText())) {
                return "Key credential type '" + k.path("type").asText() + "' is not supported; use " + KEY_TYPE + ".";
            }
            if (!"Verify".equals(k.path("usage").asText())) {
                return "Key credential usage '" + k.path("usage").asText() + "' is not supported for " + KEY_TYPE
                        + "; use Verify.";
            }
            X509Certificate c = certificate(key);
            if (c == null) {
                return "Key credential " + keyId + ": the key is not a base64 X.509 certificate.";
            }
            Instant notBefore = c.getNotBefore().toInstant();
            Instant notAfter = c.getNotAfter().toInstant();
            Instant start = k.hasNonNull("startDateTime") ? Instant.parse(k.get("startDateTime").asText()) : notBefore;
            Instant end = k.hasNonNull("endDateTime") ? Instant.parse(k.get("endDateTime").asText()) : notAfter;
            if (end.isAfter(notAfter) || start.isBefore(notBefore.minusSeconds(1))) {
                return "Key credential end date is invalid: the credential's dates (" + start + " .. " + end
                        + ") must lie within the certificate's (" + notBefore + " .. " + notAfter + ").";
            }
            ObjectNode stored = Jwt.JSON.createObjectNode();
            stored.put("keyId", keyId == null ? UUID.randomUUID().toString() : keyId);
            stored.put("type", KEY_TYPE);
            stored.put("usage", "Verify");
            // Graph documents the key as "the certificate's raw data ... converted to Base64 string"
            // (standard base64); the Java management library sends base64url. Both are accepted; the
            // documented form is returned.
            stored.put("key", Base64.getEncoder().encodeToString(SelfSignedCertificate.der(c)));
            stored.put("displayName", k.path("displayName").asText("CN=" + c.getSubjectX500Principal().getName()));
            stored.put("customKeyIdentifier", Base64.getEncoder().encodeToString(
                    SelfSignedCertificate.digest("SHA-1", SelfSignedCertificate.der(c))));
            stored.put("startDateTime", start.toString());
            stored.put("endDateTime", end.toString());
            out.add(stored);
        }
        return null;
    }

    /** Base64url (as OData writes Edm.Binary) or plain base64, with or without padding. */
    private static X509Certificate certificate(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            String url = base64.replace('+', '-').replace('/', '_').replaceAll("[=\\s]", "");
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Base64.getUrlDecoder().decode(url)));
        } catch (IllegalArgumentException | CertificateException e) {
            return null;
        }
    }

    private static ObjectNode readObject(HttpExchange exchange) throws IOException {
        String text = Exchanges.body(exchange);
        try {
            JsonNode node = Jwt.JSON.readTree(text);
            return node instanceof ObjectNode ? (ObjectNode) node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static int error(HttpExchange exchange, int status, String code, String message) throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        ObjectNode inner = error.putObject("innerError");
        inner.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        inner.put("request-id", exchange.getResponseHeaders().getFirst("request-id"));
        String clientRequestId = exchange.getRequestHeaders().getFirst("client-request-id");
        if (clientRequestId != null) {
            inner.put("client-request-id", clientRequestId);
        }
        Exchanges.json(exchange, status, body);
        return status;
    }
}
