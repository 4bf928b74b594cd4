package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Entra ID token endpoint, {@code POST /{tenant}/oauth2/v2.0/token}, for the client-credentials
 * grant with a certificate-signed client assertion, checked as Entra ID checks it.
 */
final class EntraId implements HttpHandler {
    static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static final Logger LOG = LoggerFactory.getLogger(EntraId.class);
    private static final Pattern TOKEN_PATH = Pattern.compile("/([^/]+)/oauth2/v2\\.0/token");
    private static final Pattern METADATA_PATH = Pattern.compile("/([^/]+)/v2\\.0/\\.well-known/openid-configuration");
    private static final long SKEW_SECONDS = 300;
    private static final Set<String> OIDC_SCOPES = Set.of("openid", "profile", "offline_access");

    private final Map<String, Tenant> tenants;
    private final KeyPair signingKeys;
    private final Set<String> usedJti = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong issued = new AtomicLong();
    private volatile String authorityHost;

    EntraId(Map<String, Tenant> tenants, KeyPair signingKeys) {
        this.tenants = tenants;
        this.signingKeys = signingKeys;
    }

    void authorityHost(String authorityHost) {
        this.authorityHost = authorityHost;
    }

    long requests() {
        return requests.get();
    }

    long issued() {
        return issued.get();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String requestId = exchange.getRequestHeaders().getFirst("client-request-id");
            if (requestId != null) {
                exchange.getResponseHeaders().set("client-request-id", requestId);
            }
            int status;
            Matcher token = TOKEN_PATH.matcher(path);
            Matcher metadata = METADATA_PATH.matcher(path);
            if (token.matches() && "POST".equals(exchange.getRequestMethod())) {
                requests.incrementAndGet();
                status = token(exchange, token.group(1));
            } else if (metadata.matches()) {
                status = metadata(exchange, metadata.group(1));
            } else if (path.equals("/common/discovery/instance")) {
                status = discovery(exchange);
            } else {
                ObjectNode body = Jwt.JSON.createObjectNode();
                body.put("error", "not_found");
                body.put("error_description", "The emulator has no route " + exchange.getRequestMethod() + " " + path);
                status = 404;
                Exchanges.json(exchange, status, body);
            }
            LOG.debug("{} {} -> {}", exchange.getRequestMethod(), path, status);
        }
    }

    private int token(HttpExchange exchange, String tenantId) throws IOException {
        Map<String, String> form = Exchanges.form(Exchanges.body(exchange));
        Tenant tenant = tenants.get(tenantId.toLowerCase(java.util.Locale.ROOT));
        if (tenant == null) {
            return error(exchange, 400, "invalid_request", 90002, "Tenant '" + tenantId + "' not found. Check to make "
                    + "sure you have the correct tenant ID and are signing into the correct cloud.");
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return error(exchange, 400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '"
                    + form.get("grant_type") + "'.");
        }
        String clientId = form.get("client_id");
        Application app = tenant.findApplication(clientId);
        if (app == null) {
            return error(exchange, 400, "unauthorized_client", 700016, "Application with identifier '" + clientId
                    + "' was not found in the directory '" + tenantId + "'. This can happen if the application has not "
                    + "been installed by the administrator of the tenant or consented to by any user in the tenant.");
        }
        // MSAL adds the OpenID scopes; the resource is the one scope ending in /.default.
        String scope = null;
        for (String s : String.valueOf(form.get("scope")).split(" ")) {
            if (!OIDC_SCOPES.contains(s) && !s.isEmpty()) {
                scope = scope == null ? s : scope + " " + s;
            }
        }
        if (scope == null || scope.contains(" ") || !scope.endsWith("/.default")) {
            return error(exchange, 400, "invalid_scope", 70011, "The provided request must include a 'scope' input "
                    + "parameter. The provided value for the input parameter 'scope' is not valid. The scope "
                    + scope + " is not valid. The scope format is invalid. Scope must be in a valid URI form "
                    + "<https://example/scope> or a valid Guid <guid/scope>.");
        }
        String assertion = form.get("client_assertion");
        if (!ASSERTION_TYPE.equals(form.get("client_assertion_type")) || assertion == null) {
            return error(exchange, 401, "invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' "
                    + "is required for the 'client_credentials' grant type.");
        }
        Jwt jwt;
        try {
            jwt = Jwt.parse(assertion);
        } catch (IllegalArgumentException e) {
            return error(exchange, 401, "invalid_client", 50027, "JWT token is invalid or malformed.");
        }
        if (!"RS256".equals(jwt.header.path("alg").asText())) {
            return error(exchange, 401, "invalid_client", 50027, "JWT token is invalid or malformed: alg '"
                    + jwt.header.path("alg").asText() + "' is not RS256.");
        }
        X509Certificate key = registeredKey(app, jwt);
        if (key == null) {
            return error(exchange, 401, "invalid_client", 700027, "Client assertion contains an invalid signature. "
                    + "[Reason - The key was not found., Thumbprint of key used by client: '" + presentedThumbprint(jwt)
                    + "', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys "
                    + "for app Id '" + app.clientId() + "'.]");
        }
        if (!jwt.verifies(key.getPublicKey())) {
            return error(exchange, 401, "invalid_client", 700027, "Client assertion contains an invalid signature. "
                    + "[Reason - The provided signature value did not match the expected signature value., Thumbprint "
                    + "of key used by client: '" + presentedThumbprint(jwt) + "', Found key 'Start=..., End=...']");
        }
        String expectedAud = authorityHost + "/" + tenantId + "/oauth2/v2.0/token";
        if (!expectedAud.equalsIgnoreCase(jwt.text("aud"))) {
            return error(exchange, 401, "invalid_client", 700212, "The client assertion's audience claim '"
                    + jwt.text("aud") + "' does not match the token endpoint '" + expectedAud + "'.");
        }
        if (!app.clientId().equalsIgnoreCase(jwt.text("iss")) || !app.clientId().equalsIgnoreCase(jwt.text("sub"))) {
            return error(exchange, 401, "invalid_client", 700023, "Client assertion issuer '" + jwt.text("iss")
                    + "' and subject '" + jwt.text("sub") + "' must both be the client id '" + app.clientId() + "'.");
        }
        long now = Instant.now().getEpochSecond();
        long nbf = jwt.seconds("nbf");
        long exp = jwt.seconds("exp");
        if (exp == Long.MIN_VALUE || exp < now - SKEW_SECONDS || (nbf != Long.MIN_VALUE && nbf > now + SKEW_SECONDS)) {
            return error(exchange, 401, "invalid_client", 700024, "Client assertion is not within its valid time range. "
                    + "Current time: " + Instant.ofEpochSecond(now) + ", assertion valid from "
                    + (nbf == Long.MIN_VALUE ? "unset" : Instant.ofEpochSecond(nbf)) + ", expiry time of assertion "
                    + (exp == Long.MIN_VALUE ? "unset" : Instant.ofEpochSecond(exp)) + ".");
        }
        String jti = jwt.text("jti");
        if (jti == null || !usedJti.add(app.clientId() + "/" + jti)) {
            return error(exchange, 401, "invalid_client", 700025, "Client assertion has already been used (jti '" + jti
                    + "'); each assertion must carry a new jti.");
        }
        issued.incrementAndGet();
        ObjectNode body = Jwt.JSON.createObjectNode();
        body.put("token_type", "Bearer");
        body.put("expires_in", 3599);
        body.put("ext_expires_in", 3599);
        body.put("access_token", accessToken(tenant.id(), app, scope.substring(0, scope.length() - "/.default".length()),
                now));
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    private String accessToken(String tenantId, Application app, String audience, long now) {
        ObjectNode header = Jwt.JSON.createObjectNode();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("kid", "batchvault-emulator");
        ObjectNode claims = Jwt.JSON.createObjectNode();
        claims.put("aud", audience);
        claims.put("iss", "https://sts.windows.net/" + tenantId + "/");
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", now + 3600);
        claims.put("appid", app.clientId());
        claims.put("oid", app.principalObjectId());
        claims.put("sub", app.principalObjectId());
        claims.put("tid", tenantId);
        return Jwt.sign(header, claims, signingKeys.getPrivate());
    }

    private static X509Certificate registeredKey(Application app, Jwt jwt) {
        byte[] s256 = decode(jwt.header.path("x5t#S256").asText(null));
        byte[] s1 = decode(jwt.header.path("x5t").asText(null));
        for (X509Certificate c : app.certificates()) {
            byte[] der = SelfSignedCertificate.der(c);
            if ((s256 != null && Arrays.equals(s256, SelfSignedCertificate.digest("SHA-256", der)))
                    || (s1 != null && Arrays.equals(s1, SelfSignedCertificate.digest("SHA-1", der)))) {
                return c;
            }
        }
        return null;
    }

    private static String presentedThumbprint(Jwt jwt) {
        byte[] s1 = decode(jwt.header.path("x5t").asText(null));
        byte[] s256 = decode(jwt.header.path("x5t#S256").asText(null));
        byte[] shown = s1 != null ? s1 : s256;
        return shown == null ? "none" : HexFormat.of().withUpperCase().formatHex(shown);
    }

    /** Base64url as RFC 7515 says, or plain base64 as some MSAL4J versions send {@code x5t#S256}. */
    private static byte[] decode(String base64Url) {
        if (base64Url == null) {
            return null;
        }
        try {
            String url = base64Url.replace('+', '-').replace('/', '_');
            int padding = url.indexOf('=');
            return java.util.Base64.getUrlDecoder().decode(padding < 0 ? url : url.substring(0, padding));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private int metadata(HttpExchange exchange, String tenantId) throws IOException {
        String base = authorityHost + "/" + tenantId;
        ObjectNode body = Jwt.JSON.createObjectNode();
        body.put("token_endpoint", base + "/oauth2/v2.0/token");
        body.put("authorization_endpoint", base + "/oauth2/v2.0/authorize");
        body.put("issuer", authorityHost + "/" + tenantId + "/v2.0");
        body.put("jwks_uri", authorityHost + "/" + tenantId + "/discovery/v2.0/keys");
        body.putArray("token_endpoint_auth_methods_supported").add("client_secret_post").add("private_key_jwt");
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    private int discovery(HttpExchange exchange) throws IOException {
        String host = java.net.URI.create(authorityHost).getAuthority();
        ObjectNode body = Jwt.JSON.createObjectNode();
        body.put("tenant_discovery_endpoint", authorityHost + "/common/v2.0/.well-known/openid-configuration");
        body.put("api-version", "1.1");
        ArrayNode metadata = body.putArray("metadata");
        ObjectNode entry = metadata.addObject();
        entry.put("preferred_network", host);
        entry.put("preferred_cache", host);
        entry.putArray("aliases").add(host);
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    private static int error(HttpExchange exchange, int status, String error, int code, String description)
            throws IOException {
        String trace = UUID.randomUUID().toString();
        String correlation = UUID.randomUUID().toString();
        String timestamp = Instant.now().toString();
        ObjectNode body = Jwt.JSON.createObjectNode();
        body.put("error", error);
        body.put("error_description", "AADSTS" + code + ": " + description + "\r\nTrace ID: " + trace
                + "\r\nCorrelation ID: " + correlation + "\r\nTimestamp: " + timestamp);
        body.putArray("error_codes").add(code);
        body.put("timestamp", timestamp);
        body.put("trace_id", trace);
        body.put("correlation_id", correlation);
        Exchanges.json(exchange, status, body);
        return status;
    }
}
