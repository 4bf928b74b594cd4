package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated Batch node's Instance Metadata Service token endpoint, as a node sees it at
 * {@code http://169.254.169.254/metadata/identity/oauth2/token}: plain HTTP (IMDS is never HTTPS), here
 * on {@code 127.0.0.1} and an ephemeral port. It issues tokens, signed as Entra ID's, for the
 * user-assigned identities {@linkplain #assign assigned} to the node, and answers refusals in IMDS's
 * shapes (see the module README for each and its source).
 *
 * <p>Point an unmodified azure-identity {@code ManagedIdentityCredential} at it with the environment
 * variable {@code AZURE_POD_IDENTITY_AUTHORITY_HOST=}{@link #endpoint()}, which MSAL4J's IMDS source
 * reads. Thread-safe.
 */
public final class Imds implements Route {
    /** The token path on a node. */
    public static final String TOKEN_PATH = "/metadata/identity/oauth2/token";
    /** The environment variable MSAL4J (and every Azure SDK) reads to move the IMDS endpoint. */
    public static final String ENDPOINT_VARIABLE = "AZURE_POD_IDENTITY_AUTHORITY_HOST";

    /** Resources Entra ID knows: Key Vault's audiences and a few other first-party APIs. */
    private static final Set<String> KNOWN_RESOURCES = Set.of("https://vault.azure.net", "https://vault.azure.cn",
            "https://vault.usgovcloudapi.net", "https://vault.microsoftazure.de", "https://managedhsm.azure.net",
            "https://management.azure.com", "https://management.core.windows.net", "https://graph.microsoft.com",
            "https://storage.azure.com", "https://batch.core.windows.net");

    private final AccessTokens tokens;
    private final Endpoint endpoint;
    private final HttpServer server;
    private final List<ManagedIdentity> assigned = new CopyOnWriteArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong issued = new AtomicLong();

    /**
     * Starts IMDS on {@code 127.0.0.1} and an ephemeral port: plain HTTP, the emulator's threads and journal,
     * the request lifecycle of every route ({@link Endpoint}).
     */
    Imds(AccessTokens tokens, RequestJournal emulatorJournal, Executor executor) throws IOException {
        this.tokens = tokens;
        this.endpoint = new Endpoint(this, emulatorJournal);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", endpoint);
        server.setExecutor(executor);
        server.start();
    }

    @Override
    public String name() {
        return "imds";
    }

    @Override
    public void received(HttpExchange exchange) {
        if (TOKEN_PATH.equals(path(exchange.getRequestURI()))) {
            requests.incrementAndGet();
        }
    }

    @Override
    public boolean faultable(HttpExchange exchange) {
        return TOKEN_PATH.equals(path(exchange.getRequestURI()));
    }

    @Override
    public void answer(HttpExchange exchange) throws IOException {
        String path = path(exchange.getRequestURI());
        if (!TOKEN_PATH.equals(path)) {
            error(exchange, 404, "not_found", "The emulator's instance metadata service has no route " + path
                    + "; it serves GET " + TOKEN_PATH + ".");
            return;
        }
        token(exchange, exchange.getRequestMethod());
    }

    @Override
    public void faultStatus(HttpExchange exchange, int status) throws IOException {
        error(exchange, status, status >= 500 ? "server_error" : "invalid_request", "The instance metadata service "
                + "could not answer (HTTP " + status + "). (Fault injected by the emulator.)");
    }

    @Override
    public void throttled(HttpExchange exchange, boolean rateLimited) throws IOException {
        error(exchange, 429, "too_many_requests", "Too many requests to the instance metadata service. "
                + "(Fault injected by the emulator.)");
    }

    @Override
    public void crashed(HttpExchange exchange, RuntimeException failure) throws IOException {
        error(exchange, 500, "server_error", "The emulator failed with " + failure);
    }

    /**
     * @return {@code http://127.0.0.1:<port>}, without a trailing slash: the value for
     *     {@value #ENDPOINT_VARIABLE} (a node's is {@code http://169.254.169.254})
     */
    public String endpoint() {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** @return the token endpoint's URL, {@link #endpoint()} + {@value #TOKEN_PATH} */
    public String tokenUrl() {
        return endpoint() + TOKEN_PATH;
    }

    /**
     * Assigns a user-assigned identity to the node, as a pool's {@code identity.userAssignedIdentities} does.
     * Idempotent.
     *
     * @param identity the identity
     * @return this
     */
    public Imds assign(ManagedIdentity identity) {
        if (identity == null) {
            throw new IllegalArgumentException("an identity is required");
        }
        if (!assigned.contains(identity)) {
            assigned.add(identity);
        }
        return this;
    }

    /**
     * Removes an identity from the node: IMDS then answers "Identity not found" for it.
     *
     * @param identity the identity
     * @return this
     */
    public Imds unassign(ManagedIdentity identity) {
        assigned.remove(identity);
        return this;
    }

    /** @return the identities assigned to the node, in the order assigned */
    public List<ManagedIdentity> assigned() {
        return List.copyOf(assigned);
    }

    /**
     * Injects a fault into the token endpoint. Faults queue as at a vault ({@link Vault#inject(Fault)}) and
     * answer before any check, the {@code Metadata} header's included.
     *
     * @param fault the fault
     */
    public void inject(Fault fault) {
        endpoint.faults().add(fault);
    }

    /** Removes every fault of this endpoint. */
    public void clearFaults() {
        endpoint.faults().clear();
    }

    /** @return this endpoint's requests, each with its outcome and fault (the emulator's journal has them too) */
    public RequestJournal journal() {
        return endpoint.journal();
    }

    /** @return token requests that arrived, whatever their outcome */
    public long requests() {
        return requests.get();
    }

    /** @return tokens issued */
    public long tokensIssued() {
        return issued.get();
    }

    /** @return requests a fault answered, dropped, held or delayed */
    public long faultsServed() {
        return endpoint.faults().served();
    }

    Faults faults() {
        return endpoint.faults();
    }

    void stop() {
        endpoint.faults().releaseHeld();
        server.stop(0);
    }

    private int token(HttpExchange exchange, String method) throws IOException {
        if (!"GET".equals(method)) {
            return error(exchange, 405, "invalid_request", "The token endpoint only accepts GET requests.");
        }
        if (!"true".equals(exchange.getRequestHeaders().getFirst("Metadata"))) {
            return error(exchange, 400, "invalid_request", "Required metadata header not specified");
        }
        Map<String, String> query = Exchanges.query(exchange);
        if (blank(query.get("api-version"))) {
            return error(exchange, 400, "invalid_request", "Required query variable 'api-version' is missing");
        }
        String resource = query.get("resource");
        if (blank(resource)) {
            return error(exchange, 400, "invalid_request", "Required audience parameter not specified");
        }
        ManagedIdentity identity;
        List<String> selectors = new ArrayList<>();
        for (String name : List.of("client_id", "object_id", "msi_res_id", "mi_res_id")) {
            if (!blank(query.get(name))) {
                selectors.add(name);
            }
        }
        if (selectors.size() > 1) {
            return error(exchange, 400, "invalid_request", "Only one of client_id, object_id and msi_res_id may be "
                    + "given; the request has " + selectors + ".");
        }
        if (selectors.isEmpty()) {
            // A Batch pool has no system-assigned identity: without a selector IMDS takes the only one there is.
            if (assigned.size() > 1) {
                return error(exchange, 400, "invalid_request", "Multiple user assigned identities exist, please specify "
                        + "the clientId / resourceId of the identity in the token request");
            }
            identity = assigned.isEmpty() ? null : assigned.get(0);
        } else {
            String selector = selectors.get(0);
            String value = query.get(selector);
            identity = null;
            for (ManagedIdentity candidate : assigned) {
                boolean match = "client_id".equals(selector) ? candidate.matchesClientId(value)
                        : "object_id".equals(selector) ? candidate.matchesPrincipalId(value)
                        : candidate.matchesResourceId(value);
                if (match) {
                    identity = candidate;
                    break;
                }
            }
        }
        if (identity == null) {
            return error(exchange, 400, "invalid_request", "Identity not found");
        }
        String audience = resource.endsWith("/") ? resource.substring(0, resource.length() - 1) : resource;
        if (!KNOWN_RESOURCES.contains(audience.toLowerCase(java.util.Locale.ROOT))) {
            return error(exchange, 400, "invalid_resource", "AADSTS50001: The application named " + resource
                    + " was not found in the tenant named " + identity.tenantId() + ". This can happen if the "
                    + "application has not been installed by the administrator of the tenant or consented to by any "
                    + "user in the tenant. You might have sent your authentication request to the wrong tenant.");
        }
        long now = Instant.now().getEpochSecond();
        long expires = now + EntraId.TOKEN_LIFETIME_SECONDS;
        issued.incrementAndGet();
        ObjectNode body = Jwt.JSON.createObjectNode();
        body.put("access_token", tokens.issue(identity, resource, now, expires));
        body.put("client_id", identity.clientId());
        body.put("expires_in", Long.toString(EntraId.TOKEN_LIFETIME_SECONDS - 1));
        body.put("expires_on", Long.toString(expires));
        body.put("ext_expires_in", Long.toString(EntraId.TOKEN_LIFETIME_SECONDS - 1));
        body.put("not_before", Long.toString(now));
        body.put("resource", resource);
        body.put("token_type", "Bearer");
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    /**
     * MSAL4J builds the URL as {@code AZURE_POD_IDENTITY_AUTHORITY_HOST + "/" + "/metadata/identity/oauth2/token"}:
     * the request line's target starts with {@code //}, which {@link URI} reads as an authority
     * ({@code metadata}) followed by the path. Put back together, leading slashes folded, a trailing one dropped.
     */
    static String path(URI target) {
        String path = target.getRawPath() == null ? "" : target.getRawPath();
        if (target.getScheme() == null && target.getRawAuthority() != null) {
            path = "/" + target.getRawAuthority() + path;
        }
        return path.replaceAll("^/+", "/").replaceAll("(?<=.)/$", "");
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static int error(HttpExchange exchange, int status, String error, String description) throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        body.put("error", error);
        body.put("error_description", description);
        Exchanges.json(exchange, status, body);
        return status;
    }

    @Override
    public String toString() {
        return "Imds{" + endpoint() + ", assigned " + assigned + "}";
    }
}
