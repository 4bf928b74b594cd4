package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Entra ID token endpoint, {@code POST /{tenant}/oauth2/v2.0/token}, for the client-credentials
 * grant with a certificate-signed client assertion, checked as Entra ID checks it; plus the
 * discovery, OpenID metadata and JWKS documents MSAL may ask for.
 */
final class EntraId implements Route {
    static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    static final long SKEW_SECONDS = 300;
    static final int TOKEN_LIFETIME_SECONDS = 3600;

    // Codes documented by Microsoft (see the module README for sources).
    static final int TENANT_NOT_FOUND = 90002;
    static final int APPLICATION_NOT_FOUND = 700016;
    static final int UNSUPPORTED_GRANT_TYPE = 70003;
    static final int INVALID_SCOPE = 70011;
    static final int ASSERTION_MISSING = 7000216;
    static final int MALFORMED_JWT = 50027;
    static final int INVALID_SIGNATURE = 700027;
    static final int WRONG_ISSUER_OR_SUBJECT = 700021;
    static final int SUBJECT_NOT_ISSUER = 50048;
    static final int WRONG_AUDIENCE = 700023;
    static final int OUTSIDE_TIME_RANGE = 700024;
    /** Stand-in: Entra ID documents no code for a replayed assertion; 50013 is its generic "InvalidAssertion". */
    static final int REPLAYED = 50013;
    // Codes of injected faults (Entra ID error code reference; which error a throttle or an outage gets is a stand-in).
    static final int TOKEN_ISSUANCE_ERROR = 50000;
    static final int SERVICE_UNAVAILABLE = 90033;
    static final int INVALID_REQUEST = 90023;
    static final int TENANT_THROTTLED = 90055;

    private static final Pattern TOKEN_PATH = Pattern.compile("/([^/]+)/oauth2/v2\\.0/token/?");
    private static final Pattern METADATA_PATH = Pattern.compile("/([^/]+)/v2\\.0/\\.well-known/openid-configuration/?");
    private static final Pattern KEYS_PATH = Pattern.compile("/([^/]+)/discovery/v2\\.0/keys/?");
    private static final Set<String> OIDC_SCOPES = Set.of("openid", "profile", "offline_access");

    private final Map<String, Tenant> tenants;
    private final AccessTokens tokens;
    /** client id + "/" + jti, to the instant after which the assertion could not be accepted anyway. */
    private final Map<String, Long> usedJti = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong issued = new AtomicLong();
    private volatile String authorityHost;

    EntraId(Map<String, Tenant> tenants, AccessTokens tokens) {
        this.tenants = tenants;
        this.tokens = tokens;
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
    public String name() {
        return "login";
    }

    @Override
    public void received(HttpExchange exchange) {
        String requestId = exchange.getRequestHeaders().getFirst("client-request-id");
        if (requestId != null) {
            exchange.getResponseHeaders().set("client-request-id", requestId);
        }
        if (faultable(exchange)) {
            requests.incrementAndGet();
        }
    }

    /** Only the token endpoint meets faults, not the metadata, discovery or keys documents. */
    @Override
    public boolean faultable(HttpExchange exchange) {
        return "POST".equals(exchange.getRequestMethod()) && TOKEN_PATH.matcher(exchange.getRequestURI().getPath()).matches();
    }

    @Override
    public void answer(HttpExchange exchange) throws IOException {
        route(exchange, exchange.getRequestMethod(), exchange.getRequestURI().getPath());
    }

    @Override
    public void faultStatus(HttpExchange exchange, int status) throws IOException {
        String injected = " (Fault injected by the emulator.)";
        if (status == 503 || status == 504) {
            error(exchange, status, "temporarily_unavailable", SERVICE_UNAVAILABLE,
                    "The Microsoft Online Directory Service (MSODS) isn't available. Please retry." + injected);
        } else if (status >= 500) {
            error(exchange, status, "server_error", TOKEN_ISSUANCE_ERROR,
                    "There was an error issuing a token or an issue with our sign-in service." + injected);
        } else {
            error(exchange, status, status == 401 ? "invalid_client" : "invalid_request", INVALID_REQUEST,
                    "Authentication service request isn't valid." + injected);
        }
    }

    @Override
    public void throttled(HttpExchange exchange, boolean rateLimited) throws IOException {
        error(exchange, 429, "temporarily_unavailable", TENANT_THROTTLED,
                "There are too many incoming requests. Please retry later.");
    }

    @Override
    public void crashed(HttpExchange exchange, RuntimeException failure) throws IOException {
        error(exchange, 500, "server_error", TOKEN_ISSUANCE_ERROR, "There was an error issuing a token: the "
                + "emulator failed with " + failure);
    }

    private int route(HttpExchange exchange, String method, String path) throws IOException {
        Matcher token = TOKEN_PATH.matcher(path);
        if (token.matches()) {
            if (!"POST".equals(method)) {
                return error(exchange, 400, "invalid_request", 900561, "The endpoint only accepts POST requests. "
                        + "Received a " + method + " request.");
            }
            return token(exchange, token.group(1));
        }
        Matcher metadata = METADATA_PATH.matcher(path);
        if (metadata.matches() && "GET".equals(method)) {
            return metadata(exchange, metadata.group(1));
        }
        Matcher keys = KEYS_PATH.matcher(path);
        if (keys.matches() && "GET".equals(method)) {
            return keys(exchange);
        }
        if (path.equals("/common/discovery/instance") && "GET".equals(method)) {
            return discovery(exchange);
        }
        ObjectNode body = Jwt.JSON.createObjectNode();
        body.put("error", "not_found");
        body.put("error_description", "The Azure emulator's login endpoint has no route " + method + " " + path
                + ". It serves POST /{tenant}/oauth2/v2.0/token, GET /{tenant}/v2.0/.well-known/openid-configuration, "
                + "GET /{tenant}/discovery/v2.0/keys and GET /common/discovery/instance.");
        Exchanges.json(exchange, 404, body);
        return 404;
    }

    private int token(HttpExchange exchange, String tenantId) throws IOException {
        Map<String, String> form = Exchanges.form(Exchanges.body(exchange));
        Tenant tenant = tenants.get(tenantId.toLowerCase(Locale.ROOT));
        if (tenant == null) {
            return error(exchange, 400, "invalid_request", TENANT_NOT_FOUND, "Tenant '" + tenantId + "' not found. "
                    + "Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check "
                    + "with your subscription administrator, this may happen if there are no active subscriptions for "
                    + "the tenant.");
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return error(exchange, 400, "unsupported_grant_type", UNSUPPORTED_GRANT_TYPE, "The app requested an "
                    + "unsupported grant type '" + form.get("grant_type") + "'. The emulator supports client_credentials.");
        }
        String clientId = form.get("client_id");
        if (clientId == null || clientId.isEmpty()) {
            return error(exchange, 400, "invalid_request", 900144, "The request body must contain the following "
                    + "parameter: 'client_id'.");
        }
        Application app = tenant.findApplication(clientId);
        if (app == null) {
            return error(exchange, 400, "unauthorized_client", APPLICATION_NOT_FOUND, "Application with identifier '"
                    + clientId + "' was not found in the directory '" + tenantId + "'. This can happen if the "
                    + "application has not been installed by the administrator of the tenant or consented to by any "
                    + "user in the tenant. You may have sent your authentication request to the wrong tenant.");
        }
        // MSAL adds the OpenID scopes; the resource is the one scope ending in /.default.
        Set<String> scopes = new LinkedHashSet<>();
        for (String s : String.valueOf(form.get("scope")).split(" ")) {
            if (!s.isEmpty() && !OIDC_SCOPES.contains(s)) {
                scopes.add(s);
            }
        }
        String scope = String.join(" ", scopes);
        if (scopes.size() != 1 || !scope.endsWith("/.default") || scope.equals("/.default")) {
            return error(exchange, 400, "invalid_scope", INVALID_SCOPE, "The provided request must include a 'scope' "
                    + "input parameter. The provided value for the input parameter 'scope' is not valid. The scope '"
                    + scope + "' is not valid. For the client credentials flow the scope must be one resource followed "
                    + "by '/.default', such as https://vault.azure.net/.default.");
        }
        String assertion = form.get("client_assertion");
        if (!ASSERTION_TYPE.equals(form.get("client_assertion_type")) || assertion == null || assertion.isEmpty()) {
            return error(exchange, 401, "invalid_client", ASSERTION_MISSING, "'client_assertion', 'client_secret' or "
                    + "'request' is required for the 'client_credentials' grant type. The emulator accepts only a "
                    + "client_assertion of type " + ASSERTION_TYPE + ".");
        }
        Jwt jwt;
        try {
            jwt = Jwt.parse(assertion);
        } catch (IllegalArgumentException e) {
            return error(exchange, 401, "invalid_client", MALFORMED_JWT, "JWT token is invalid or malformed.");
        }
        String alg = jwt.header.path("alg").asText(null);
        if (!"RS256".equals(alg)) {
            return error(exchange, 401, "invalid_client", MALFORMED_JWT, "JWT token is invalid or malformed. The "
                    + "client assertion's alg is '" + alg + "'; certificate credentials are signed with RS256.");
        }
        X509Certificate key = registeredKey(app, jwt);
        if (key == null) {
            return error(exchange, 401, "invalid_client", INVALID_SIGNATURE, "Client assertion contains an invalid "
                    + "signature. [Reason - The key was not found., Thumbprint of key used by client: '"
                    + presentedThumbprint(jwt) + "', Please visit the Azure Portal, Graph Explorer or directly use MS "
                    + "Graph to see configured keys for app Id '" + app.clientId() + "'. Review the documentation at "
                    + "https://docs.microsoft.com/en-us/graph/deployments if you are not using a national cloud.]");
        }
        if (!jwt.verifies(key.getPublicKey())) {
            return error(exchange, 401, "invalid_client", INVALID_SIGNATURE, "Client assertion contains an invalid "
                    + "signature. [Reason - The provided signature value did not match the expected signature value., "
                    + "Thumbprint of key used by client: '" + thumbprint(key) + "', Found key '" + validity(key) + "']");
        }
        // A key credential is valid while its certificate is (New-AzADAppCredential -CertValue takes its dates).
        Instant instant = Instant.now();
        if (instant.isAfter(key.getNotAfter().toInstant()) || instant.isBefore(key.getNotBefore().toInstant())) {
            boolean expired = instant.isAfter(key.getNotAfter().toInstant());
            return error(exchange, 401, "invalid_client", INVALID_SIGNATURE, "Client assertion contains an invalid "
                    + "signature. [Reason - " + (expired ? "The key used is expired." : "The key used is not yet valid.")
                    + ", Thumbprint of key used by client: '" + thumbprint(key) + "', Found key '" + validity(key)
                    + "']");
        }
        if (jwt.text("sub") == null || !jwt.text("sub").equals(jwt.text("iss"))) {
            return error(exchange, 401, "invalid_client", SUBJECT_NOT_ISSUER, "Subject mismatches Issuer claim in the "
                    + "client assertion: iss '" + jwt.text("iss") + "', sub '" + jwt.text("sub") + "'.");
        }
        if (!app.clientId().equalsIgnoreCase(jwt.text("iss"))) {
            return error(exchange, 401, "invalid_client", WRONG_ISSUER_OR_SUBJECT, "Client assertion application "
                    + "identifier doesn't match 'client_id' parameter. Review the documentation at "
                    + "https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .");
        }
        Set<String> audiences = expectedAudiences(exchange, tenantId);
        String aud = jwt.text("aud");
        if (aud == null || audiences.stream().noneMatch(aud::equalsIgnoreCase)) {
            return error(exchange, 401, "invalid_client", WRONG_AUDIENCE, "Client assertion audience claim does not "
                    + "match Realm issuer. The audience is '" + aud + "'; expected the token endpoint '"
                    + audiences.iterator().next() + "'. Review the documentation at "
                    + "https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .");
        }
        long now = Instant.now().getEpochSecond();
        Long nbf = jwt.seconds("nbf");
        Long exp = jwt.seconds("exp");
        if (exp == null || exp < now - SKEW_SECONDS || (nbf != null && nbf > now + SKEW_SECONDS)) {
            return error(exchange, 401, "invalid_client", OUTSIDE_TIME_RANGE, "Client assertion is not within its valid "
                    + "time range. Current time: " + Instant.ofEpochSecond(now) + ", assertion valid from "
                    + (nbf == null ? "(unset)" : Instant.ofEpochSecond(nbf)) + ", expiry time of assertion "
                    + (exp == null ? "(unset)" : Instant.ofEpochSecond(exp)) + ". Review the documentation at "
                    + "https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .");
        }
        String jti = jwt.text("jti");
        if (jti == null || jti.isEmpty()) {
            return error(exchange, 401, "invalid_client", MALFORMED_JWT, "JWT token is invalid or malformed. The client "
                    + "assertion has no jti claim.");
        }
        forgetExpiredJti(now);
        if (usedJti.putIfAbsent(app.clientId().toLowerCase(Locale.ROOT) + "/" + jti, exp + SKEW_SECONDS) != null) {
            return error(exchange, 401, "invalid_client", REPLAYED, "Assertion is invalid: the client assertion with "
                    + "jti '" + jti + "' has already been used. Each client assertion must carry a new jti. "
                    + "(Emulator stand-in code: Entra ID documents no code specific to a replayed assertion.)");
        }
        issued.incrementAndGet();
        ObjectNode body = Jwt.JSON.createObjectNode();
        body.put("token_type", "Bearer");
        body.put("expires_in", TOKEN_LIFETIME_SECONDS - 1);
        body.put("ext_expires_in", TOKEN_LIFETIME_SECONDS - 1);
        body.put("access_token", tokens.issue(tenant.id(), app,
                scope.substring(0, scope.length() - "/.default".length()), now, now + TOKEN_LIFETIME_SECONDS));
        exchange.getResponseHeaders().set("Cache-Control", "no-store, no-cache");
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    /** The token endpoint as configured and as the client called it (its Host header), for the assertion's aud. */
    private Set<String> expectedAudiences(HttpExchange exchange, String tenantSegment) {
        Set<String> audiences = new LinkedHashSet<>();
        audiences.add(authorityHost + "/" + tenantSegment + "/oauth2/v2.0/token");
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host != null && !host.isEmpty()) {
            audiences.add("https://" + host + "/" + tenantSegment + "/oauth2/v2.0/token");
        }
        return audiences;
    }

    private void forgetExpiredJti(long now) {
        if (usedJti.size() > 1000) {
            usedJti.values().removeIf(until -> until < now);
        }
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

    /** The SHA-1 thumbprint the client used when it can be known (x5t or x5c), else the SHA-256 one it sent. */
    private static String presentedThumbprint(Jwt jwt) {
        HexFormat hex = HexFormat.of().withUpperCase();
        byte[] s1 = decode(jwt.header.path("x5t").asText(null));
        if (s1 != null) {
            return hex.formatHex(s1);
        }
        JsonNode x5c = jwt.header.path("x5c");
        if (x5c.isArray() && x5c.size() > 0) {
            try {
                byte[] der = Base64.getDecoder().decode(x5c.get(0).asText());
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
                return hex.formatHex(SelfSignedCertificate.digest("SHA-1", der));
            } catch (IllegalArgumentException | java.security.cert.CertificateException e) {
                // fall through to the SHA-256 thumbprint
            }
        }
        byte[] s256 = decode(jwt.header.path("x5t#S256").asText(null));
        return s256 == null ? "none" : hex.formatHex(s256);
    }

    private static final java.time.format.DateTimeFormatter KEY_DATES =
            java.time.format.DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss").withZone(java.time.ZoneOffset.UTC);

    private static String validity(X509Certificate key) {
        return "Start=" + KEY_DATES.format(key.getNotBefore().toInstant()) + ", End="
                + KEY_DATES.format(key.getNotAfter().toInstant());
    }

    private static String thumbprint(X509Certificate certificate) {
        return HexFormat.of().withUpperCase().formatHex(
                SelfSignedCertificate.digest("SHA-1", SelfSignedCertificate.der(certificate)));
    }

    /**
     * Base64url as RFC 7515 says, or plain base64 with padding: MSAL4J (1.23) sends {@code x5t#S256}
     * and {@code x5t} in plain base64, and Entra ID accepts it.
     */
    private static byte[] decode(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            String url = value.replace('+', '-').replace('/', '_');
            int padding = url.indexOf('=');
            return Base64.getUrlDecoder().decode(padding < 0 ? url : url.substring(0, padding));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private int metadata(HttpExchange exchange, String tenantId) throws IOException {
        Tenant tenant = tenants.get(tenantId.toLowerCase(Locale.ROOT));
        if (tenant == null && !Set.of("common", "organizations").contains(tenantId.toLowerCase(Locale.ROOT))) {
            return error(exchange, 400, "invalid_tenant", TENANT_NOT_FOUND, "Tenant '" + tenantId + "' not found.");
        }
        String base = authorityHost + "/" + tenantId;
        String issuerTenant = tenant == null ? "{tenantid}" : tenant.id();
        ObjectNode body = Jwt.JSON.createObjectNode();
        body.put("token_endpoint", base + "/oauth2/v2.0/token");
        body.putArray("token_endpoint_auth_methods_supported").add("client_secret_post").add("private_key_jwt")
                .add("client_secret_basic");
        body.put("jwks_uri", base + "/discovery/v2.0/keys");
        body.putArray("response_modes_supported").add("query").add("fragment").add("form_post");
        body.putArray("subject_types_supported").add("pairwise");
        body.putArray("id_token_signing_alg_values_supported").add("RS256");
        body.putArray("response_types_supported").add("code").add("id_token").add("code id_token").add("id_token token");
        body.putArray("scopes_supported").add("openid").add("profile").add("email").add("offline_access");
        body.put("issuer", authorityHost + "/" + issuerTenant + "/v2.0");
        body.put("authorization_endpoint", base + "/oauth2/v2.0/authorize");
        body.put("device_authorization_endpoint", base + "/oauth2/v2.0/devicecode");
        body.put("end_session_endpoint", base + "/oauth2/v2.0/logout");
        body.put("tenant_region_scope", "WW");
        body.put("cloud_instance_name", URI.create(authorityHost).getAuthority());
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    private int keys(HttpExchange exchange) throws IOException {
        RSAPublicKey key = (RSAPublicKey) tokens.keys().getPublic();
        ObjectNode body = Jwt.JSON.createObjectNode();
        ObjectNode jwk = body.putArray("keys").addObject();
        jwk.put("kty", "RSA");
        jwk.put("use", "sig");
        jwk.put("kid", tokens.keyId());
        jwk.put("n", Jwt.base64Url(unsigned(key.getModulus())));
        jwk.put("e", Jwt.base64Url(unsigned(key.getPublicExponent())));
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private int discovery(HttpExchange exchange) throws IOException {
        String host = URI.create(authorityHost).getAuthority();
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
        String timestamp = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()
                .replace('T', ' ');
        ObjectNode body = Jwt.JSON.createObjectNode();
        body.put("error", error);
        body.put("error_description", "AADSTS" + code + ": " + description + "\r\nTrace ID: " + trace
                + "\r\nCorrelation ID: " + correlation + "\r\nTimestamp: " + timestamp);
        body.putArray("error_codes").add(code);
        body.put("timestamp", timestamp);
        body.put("trace_id", trace);
        body.put("correlation_id", correlation);
        body.put("error_uri", "https://login.microsoftonline.com/error?code=" + code);
        Exchanges.json(exchange, status, body);
        return status;
    }
}
