package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Azure Resource Manager, the part the management libraries call to give a principal access to a
 * vault: Key Vault vaults ({@code Microsoft.KeyVault/vaults}: get, create or update, access policies
 * add / replace / remove) and Azure RBAC ({@code Microsoft.Authorization/roleDefinitions} and
 * {@code roleAssignments} at any scope).
 *
 * <p>Wired to the emulator's vaults: an access policy made here is the vault's access policy; a vault
 * with {@code enableRbacAuthorization} answers by the role assignments made here (Key Vault Secrets
 * User, Secrets Officer or Administrator at the vault, its resource group or subscription).
 *
 * <p>Callers need a token for {@code https://management.azure.com} (or
 * {@code https://management.core.windows.net/}, or this server's URL) from their subscription's tenant,
 * and the roles Azure requires: Reader to read, Contributor (or Key Vault Contributor) to change a
 * vault, Owner or User Access Administrator to assign roles; without them the answer is 403
 * {@code AuthorizationFailed} naming the action and scope. Obtained from
 * {@link AzureEmulator#resourceManager()}. Thread-safe.
 */
public final class ResourceManager extends BearerService {
    /** Built-in role ids (the same in every tenant). */
    public static final String OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    /** Contributor: everything but access management. */
    public static final String CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    /** Reader. */
    public static final String READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    /** User Access Administrator: role assignments. */
    public static final String USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
    /** Key Vault Secrets User: read secret contents. */
    public static final String KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

    private static final Pattern AUTHORIZATION = Pattern.compile(
            "(.*?)/providers/Microsoft\\.Authorization/(roleAssignments|roleDefinitions)(?:/([^/]+))?/?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SCOPE = Pattern.compile("/subscriptions/([^/]+)(/.*)?", Pattern.CASE_INSENSITIVE);

    private final Function<String, Tenant> tenants;
    private final Map<String, String> subscriptions = new ConcurrentHashMap<>();
    private final Set<String> resourceGroups = ConcurrentHashMap.newKeySet();
    private final Authorization authorization;
    private final KeyVaults vaults;
    private final UserAssignedIdentities identities;
    private final BatchAccounts batch = new BatchAccounts(this);

    ResourceManager(PublicKey tokenKey, Function<String, Tenant> tenants,
            BiFunction<String, String, Vault> vaultFactory) {
        super(tokenKey);
        this.tenants = tenants;
        this.authorization = new Authorization(tenants);
        this.vaults = new KeyVaults(authorization, vaultFactory, resourceGroups);
        this.identities = new UserAssignedIdentities(authorization, tenants, resourceGroups);
    }

    /** @return {@code https://localhost:<port>}: set it as the environment's Resource Manager endpoint */
    @Override
    public String url() {
        return super.url();
    }

    /**
     * Makes a subscription in a tenant (its tokens are the only ones accepted for it).
     *
     * @param subscriptionId the subscription id
     * @param tenantId its tenant (made if absent)
     * @return this
     */
    public ResourceManager addSubscription(String subscriptionId, String tenantId) {
        subscriptions.put(subscriptionId.toLowerCase(Locale.ROOT), tenants.apply(tenantId).id());
        return this;
    }

    /**
     * Makes a resource group.
     *
     * @param subscriptionId a subscription made by {@link #addSubscription}
     * @param resourceGroup the group's name
     * @return its resource id
     */
    public String addResourceGroup(String subscriptionId, String resourceGroup) {
        requireSubscription(subscriptionId);
        String id = "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup;
        resourceGroups.add(id.toLowerCase(Locale.ROOT));
        return id;
    }

    /**
     * Makes an existing emulator vault an ARM resource, with its access policies as ARM shows them.
     *
     * @param subscriptionId the subscription
     * @param resourceGroup the resource group (made if absent)
     * @param vault a vault of this emulator
     * @return the vault's resource id, the scope for its role assignments
     */
    public String addVault(String subscriptionId, String resourceGroup, Vault vault) {
        String group = addResourceGroup(subscriptionId, resourceGroup);
        return vaults.add(subscriptionId, resourceGroup, group, vault);
    }

    /**
     * Makes a Batch account (its certificates and pools are then served).
     *
     * @param subscriptionId the subscription
     * @param resourceGroup the resource group (made if absent)
     * @param accountName the account's name
     * @return the account's resource id
     */
    public String addBatchAccount(String subscriptionId, String resourceGroup, String accountName) {
        addResourceGroup(subscriptionId, resourceGroup);
        return batch.addAccount(subscriptionId, resourceGroup, accountName);
    }

    /**
     * Makes a pool in a Batch account, without certificate references.
     *
     * @param accountId the id {@link #addBatchAccount} returned
     * @param poolName the pool's name
     * @return the pool's resource id
     */
    public String addPool(String accountId, String poolName) {
        return batch.addPool(accountId, poolName);
    }

    /**
     * Lays out a simulated node of a pool as Batch lays out a Linux node's certificates: for each
     * account certificate the pool references, {@code <dir>/certs/sha1-<thumbprint>.pfx} and its
     * password in {@code sha1-<thumbprint>.pfx.pw} (the directory {@code AZ_BATCH_CERTIFICATES_DIR}
     * names).
     *
     * @param poolId the pool's resource id
     * @param nodeDirectory the node's task directory, made if absent
     * @return the certificate directory, for {@code AZ_BATCH_CERTIFICATES_DIR}
     * @throws java.io.UncheckedIOException if a file cannot be written
     */
    public java.nio.file.Path layOutNode(String poolId, java.nio.file.Path nodeDirectory) {
        return batch.layOutNode(poolId, nodeDirectory);
    }

    /**
     * Switches a vault between access policies and Azure RBAC, as its {@code enableRbacAuthorization} does.
     *
     * @param vaultResourceId the id {@link #addVault} returned
     * @param enabled true for Azure RBAC
     */
    public void useRbac(String vaultResourceId, boolean enabled) {
        vaults.useRbac(vaultResourceId, enabled);
    }

    /**
     * Assigns a role, as {@code New-AzRoleAssignment} does.
     *
     * @param principalId the principal's object id
     * @param roleDefinitionId a built-in role id, such as {@link #OWNER}
     * @param scope a subscription, resource group or resource id
     * @return the assignment's id
     */
    public String assignRole(String principalId, String roleDefinitionId, String scope) {
        String subscriptionId = subscriptionOf(scope);
        requireSubscription(subscriptionId);
        return authorization.assign(principalId, roleDefinitionId, scope, subscriptionId);
    }

    /**
     * @param vaultResourceId the id {@link #addVault} returned
     * @return the vault's access policies as object id to secret permissions, in the order ARM holds them
     */
    public Map<String, List<String>> secretPermissions(String vaultResourceId) {
        return vaults.secretPermissions(vaultResourceId);
    }

    /** @return "principal role-name scope" for each role assignment, for summaries and tests */
    public List<String> roleAssignments() {
        return authorization.list();
    }

    /**
     * @return subscriptions, vaults with their permission model and access, role assignments and Batch
     *     pools with their certificate references, one line each, for the standalone summary
     */
    public String summary() {
        StringBuilder out = new StringBuilder("Resource Manager " + url() + "\n");
        subscriptions.forEach((s, t) -> out.append("  subscription ").append(s).append(" (tenant ").append(t)
                .append(")\n"));
        out.append(vaults.summary());
        roleAssignments().forEach(a -> out.append("  role assignment ").append(a).append('\n'));
        out.append(batch.summary());
        return out.toString();
    }

    @Override
    public String name() {
        return "resource manager";
    }

    @Override
    public void received(HttpExchange exchange) {
        count();
        String requestId = exchange.getRequestHeaders().getFirst("x-ms-client-request-id");
        if (requestId != null) {
            exchange.getResponseHeaders().set("x-ms-client-request-id", requestId);
        }
        String id = UUID.randomUUID().toString();
        exchange.getResponseHeaders().set("x-ms-request-id", id);
        exchange.getResponseHeaders().set("x-ms-correlation-request-id", id);
    }

    @Override
    public void answer(HttpExchange exchange) throws IOException {
        // Clients join the endpoint ("https://management.azure.com/") and a scope ("/subscriptions/...")
        // into a double slash, which Resource Manager accepts; the JDK server reads "//subscriptions" as
        // an authority.
        java.net.URI uri = exchange.getRequestURI();
        String raw = (uri.getScheme() == null && uri.getRawAuthority() != null ? "/" + uri.getRawAuthority() : "")
                + uri.getRawPath();
        String path = URLDecoder.decode(raw, StandardCharsets.UTF_8).replaceAll("/{2,}", "/");
        if (Exchanges.query(exchange).get("api-version") == null) {
            error(exchange, 400, "MissingApiVersionParameter", "The api-version query parameter "
                    + "(?api-version=) is required for all requests.");
            return;
        }
        answerWithToken(exchange, path, Set.of("https://management.azure.com", "https://management.core.windows.net",
                url().toLowerCase(Locale.ROOT)));
    }

    @Override
    void unauthorized(HttpExchange exchange, String problem) throws IOException {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer authorization_uri=\"https://login."
                + "microsoftonline.com/common\", error=\"invalid_token\"");
        error(exchange, 401, "missing".equals(problem) ? "AuthenticationFailed" : "InvalidAuthenticationToken",
                "missing".equals(problem) ? "Authentication failed. The 'Authorization' header is missing."
                        : "The access token is invalid (" + problem + ").");
    }

    @Override
    public void faultStatus(HttpExchange exchange, int status) throws IOException {
        error(exchange, status, status >= 500 ? "InternalServerError" : "BadRequest", "Fault injected by the emulator.");
    }

    @Override
    public void throttled(HttpExchange exchange, boolean rateLimited) throws IOException {
        error(exchange, 429, "TooManyRequests", "The request is being throttled as the limit has been reached for "
                + "operation type - Write. (Fault injected by the emulator.)");
    }

    @Override
    public void crashed(HttpExchange exchange, RuntimeException failure) throws IOException {
        error(exchange, 500, "InternalServerError", "The emulator failed: " + failure);
    }

    @Override
    int route(HttpExchange exchange, String method, String path, Jwt token) throws IOException {
        Matcher scope = SCOPE.matcher(path);
        if (!scope.matches()) {
            return error(exchange, 404, "NotFound", "The emulator's Resource Manager serves subscription scopes only.");
        }
        String subscriptionId = scope.group(1);
        String subscriptionTenant = subscriptions.get(subscriptionId.toLowerCase(Locale.ROOT));
        if (subscriptionTenant == null) {
            return error(exchange, 404, "SubscriptionNotFound", "The subscription '" + subscriptionId
                    + "' could not be found.");
        }
        if (!subscriptionTenant.equalsIgnoreCase(token.text("tid"))) {
            return error(exchange, 401, "InvalidAuthenticationTokenTenant", "The access token is from the wrong "
                    + "issuer '" + token.text("iss") + "'. It must match the tenant 'https://sts.windows.net/"
                    + subscriptionTenant + "/' associated with this subscription.");
        }
        String caller = token.text("oid");
        if (BatchAccounts.matches(path)) {
            return batch.route(exchange, method, path, caller);
        }
        Matcher identity = UserAssignedIdentities.matcher(path);
        if (identity.matches()) {
            return identities.route(exchange, method, identity, caller, subscriptionTenant);
        }
        Matcher vault = KeyVaults.matcher(path);
        if (vault.matches()) {
            return vaults.route(exchange, method, vault, caller);
        }
        Matcher authz = AUTHORIZATION.matcher(path);
        if (authz.matches()) {
            String target = authz.group(1);
            if (!scopeExists(target)) {
                return error(exchange, 404, "ResourceNotFound", "The scope '" + target + "' does not exist.");
            }
            return authorization.route(exchange, method, path, target,
                    authz.group(2).equalsIgnoreCase("roleDefinitions"), authz.group(3), caller, subscriptionId,
                    subscriptionTenant);
        }
        return Arm.noRoute(exchange, method, path);
    }

    /** @return the tenant's user-assigned identity made here with that resource id, or null if there is none */
    ManagedIdentity managedIdentity(String resourceId) {
        return identities.managedIdentity(resourceId);
    }

    /** @return the pool's JSON (shared, not a copy), or null if there is none with that resource id */
    ObjectNode pool(String poolId) {
        return batch.pool(poolId);
    }

    /** @return the identity's JSON, or null if there is none with that resource id */
    ObjectNode identity(String resourceId) {
        return identities.json(resourceId);
    }

    /** The Azure RBAC check: whether the principal's role assignments allow the action at the scope. */
    boolean allowed(String principalId, String action, String scope) {
        return authorization.allowed(principalId, action, scope);
    }

    int forbidden(HttpExchange exchange, String caller, String action, String scope) throws IOException {
        return Arm.forbidden(exchange, caller, action, scope);
    }

    private boolean scopeExists(String scope) {
        String s = scope.toLowerCase(Locale.ROOT);
        Matcher m = SCOPE.matcher(scope);
        if (!m.matches() || !subscriptions.containsKey(m.group(1).toLowerCase(Locale.ROOT))) {
            return false;
        }
        if (m.group(2) == null || m.group(2).equals("/")) {
            return true;
        }
        return resourceGroups.contains(s) || vaults.contains(s);
    }

    private static String subscriptionOf(String scope) {
        Matcher m = SCOPE.matcher(scope);
        if (!m.matches()) {
            throw new IllegalArgumentException("scope " + scope + " does not start with /subscriptions/<id>");
        }
        return m.group(1);
    }

    private void requireSubscription(String subscriptionId) {
        if (!subscriptions.containsKey(subscriptionId.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("no subscription " + subscriptionId + "; add it with addSubscription");
        }
    }

    static JsonNode readJson(HttpExchange exchange) throws IOException {
        return Arm.readJson(exchange);
    }

    static int error(HttpExchange exchange, int status, String code, String message) throws IOException {
        return Arm.error(exchange, status, code, message);
    }
}
