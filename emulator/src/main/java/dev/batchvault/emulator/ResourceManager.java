package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
public final class ResourceManager implements Route {
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

    private static final Pattern VAULT = Pattern.compile(
            "(/subscriptions/([^/]+)/resourceGroups/([^/]+))/providers/Microsoft\\.KeyVault/vaults/([^/]+)"
                    + "(?:/accessPolicies/(add|replace|remove))?/?", Pattern.CASE_INSENSITIVE);
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "(.*?)/providers/Microsoft\\.Authorization/(roleAssignments|roleDefinitions)(?:/([^/]+))?/?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SCOPE = Pattern.compile("/subscriptions/([^/]+)(/.*)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern ROLE_NAME_FILTER = Pattern.compile("\\s*roleName\\s+eq\\s+'([^']*)'\\s*");
    private static final Pattern PRINCIPAL_FILTER = Pattern.compile("\\s*(?:atScope\\(\\)\\s+and\\s+)?"
            + "(?:assignedTo\\('([^']*)'\\)|principalId\\s+eq\\s+'([^']*)')\\s*");
    private static final Map<String, Role> ROLES = new LinkedHashMap<>();

    static {
        role(OWNER, "Owner", List.of("*"), List.of(), List.of());
        role(CONTRIBUTOR, "Contributor", List.of("*"), List.of("Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"), List.of());
        role(READER, "Reader", List.of("*/read"), List.of(), List.of());
        role(USER_ACCESS_ADMINISTRATOR, "User Access Administrator", List.of("*/read", "Microsoft.Authorization/*",
                "Microsoft.Support/*"), List.of(), List.of());
        role("f25e0fa2-a7c8-4377-a976-54943a77a395", "Key Vault Contributor", List.of("Microsoft.Authorization/*/read",
                "Microsoft.KeyVault/*", "Microsoft.Resources/subscriptions/resourceGroups/read"), List.of(), List.of());
        role("00482a5a-887f-4fb3-b363-3b7fe8e74483", "Key Vault Administrator", List.of("Microsoft.Authorization/*/read",
                "Microsoft.KeyVault/checkNameAvailability/read"), List.of(), List.of("Microsoft.KeyVault/vaults/*"));
        role("b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "Key Vault Secrets Officer", List.of(
                "Microsoft.Authorization/*/read", "Microsoft.KeyVault/vaults/*/read"), List.of(),
                List.of("Microsoft.KeyVault/vaults/secrets/*"));
        role(KEY_VAULT_SECRETS_USER, "Key Vault Secrets User", List.of(), List.of(),
                List.of("Microsoft.KeyVault/vaults/secrets/getSecret/action",
                        "Microsoft.KeyVault/vaults/secrets/readMetadata/action"));
    }

    private volatile AzureEmulator.Served served;
    private final BearerCheck bearer;
    private final Function<String, Tenant> tenants;
    private final BiFunction<String, String, Vault> vaultFactory;
    private final Map<String, String> subscriptions = new ConcurrentHashMap<>();
    private final Set<String> resourceGroups = ConcurrentHashMap.newKeySet();
    private final BatchAccounts batch = new BatchAccounts(this);
    private static final Pattern IDENTITY = Pattern.compile("/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/"
            + "Microsoft\\.ManagedIdentity/userAssignedIdentities/([^/]+)/?", Pattern.CASE_INSENSITIVE);
    /** Identity resource id (lower case) -> JSON. */
    private final Map<String, ObjectNode> identities = new ConcurrentHashMap<>();
    /** Vault resource id (lower case) -> its ARM state. */
    private final Map<String, VaultResource> vaults = new ConcurrentHashMap<>();
    /** Role assignment id (lower case) -> JSON. */
    private final Map<String, ObjectNode> assignments = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();

    private static final class Role {
        final String id;
        final String name;
        final List<Pattern> actions;
        final List<Pattern> notActions;
        final List<Pattern> dataActions;
        final ObjectNode permissions = Jwt.JSON.createObjectNode();

        Role(String id, String name, List<String> actions, List<String> notActions, List<String> dataActions) {
            this.id = id;
            this.name = name;
            this.actions = globs(actions);
            this.notActions = globs(notActions);
            this.dataActions = globs(dataActions);
            actions.forEach(permissions.putArray("actions")::add);
            notActions.forEach(permissions.putArray("notActions")::add);
            dataActions.forEach(permissions.putArray("dataActions")::add);
            permissions.putArray("notDataActions");
        }

        boolean allows(String action) {
            return matches(actions, action) && !matches(notActions, action);
        }

        boolean allowsData(String dataAction) {
            return matches(dataActions, dataAction);
        }

        private static boolean matches(List<Pattern> globs, String action) {
            return globs.stream().anyMatch(g -> g.matcher(action).matches());
        }

        private static List<Pattern> globs(List<String> patterns) {
            List<Pattern> out = new ArrayList<>();
            for (String p : patterns) {
                out.add(Pattern.compile(Pattern.quote(p).replace("*", "\\E.*\\Q"), Pattern.CASE_INSENSITIVE));
            }
            return out;
        }
    }

    private static void role(String id, String name, List<String> actions, List<String> notActions,
            List<String> dataActions) {
        ROLES.put(id, new Role(id, name, actions, notActions, dataActions));
    }

    private static final class VaultResource {
        final String id;
        final String subscriptionId;
        final String resourceGroup;
        final Vault vault;
        volatile String location = "westeurope";
        volatile boolean rbac;
        /** Access policies as ARM holds them. */
        final List<ObjectNode> accessPolicies = new ArrayList<>();

        VaultResource(String id, String subscriptionId, String resourceGroup, Vault vault) {
            this.id = id;
            this.subscriptionId = subscriptionId;
            this.resourceGroup = resourceGroup;
            this.vault = vault;
        }
    }

    ResourceManager(PublicKey tokenKey, Function<String, Tenant> tenants,
            BiFunction<String, String, Vault> vaultFactory) {
        this.bearer = new BearerCheck(tokenKey);
        this.tenants = tenants;
        this.vaultFactory = vaultFactory;
    }

    /** @return {@code https://localhost:<port>}: set it as the environment's Resource Manager endpoint */
    public String url() {
        return served.url();
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
        String id = group + "/providers/Microsoft.KeyVault/vaults/" + vault.name();
        VaultResource resource = new VaultResource(id, subscriptionId, resourceGroup, vault);
        synchronized (resource) {
            vault.policies().forEach((oid, permissions) -> resource.accessPolicies.add(
                    policy(vault.tenantId(), oid, new ArrayList<>(permissions))));
        }
        vaults.put(id.toLowerCase(Locale.ROOT), resource);
        return id;
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
        VaultResource v = vaults.get(vaultResourceId.toLowerCase(Locale.ROOT));
        if (v == null) {
            throw new IllegalArgumentException("no vault " + vaultResourceId);
        }
        setRbac(v, enabled);
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
        if (!ROLES.containsKey(roleDefinitionId.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("no built-in role " + roleDefinitionId + "; known: " + ROLES.keySet());
        }
        String name = UUID.randomUUID().toString();
        ObjectNode a = assignment(scope, name, principalId, roleDefinitionId(subscriptionId, roleDefinitionId));
        assignments.put(a.get("id").asText().toLowerCase(Locale.ROOT), a);
        return a.get("id").asText();
    }

    /**
     * @param vaultResourceId the id {@link #addVault} returned
     * @return the vault's access policies as object id to secret permissions, in the order ARM holds them
     */
    public Map<String, List<String>> secretPermissions(String vaultResourceId) {
        VaultResource v = vaults.get(vaultResourceId.toLowerCase(Locale.ROOT));
        if (v == null) {
            throw new IllegalArgumentException("no vault " + vaultResourceId);
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        synchronized (v) {
            for (ObjectNode p : v.accessPolicies) {
                List<String> secrets = new ArrayList<>();
                p.get("permissions").get("secrets").forEach(x -> secrets.add(x.asText()));
                out.put(p.get("objectId").asText(), secrets);
            }
        }
        return out;
    }

    /** @return "principal role-name scope" for each role assignment, for summaries and tests */
    public List<String> roleAssignments() {
        List<String> out = new ArrayList<>();
        for (ObjectNode a : assignments.values()) {
            JsonNode p = a.get("properties");
            Role role = ROLES.get(lastSegment(p.get("roleDefinitionId").asText()));
            out.add(p.get("principalId").asText() + " " + (role == null ? "?" : role.name) + " "
                    + p.get("scope").asText());
        }
        return out;
    }

    /**
     * @return subscriptions, vaults with their permission model and access, role assignments and Batch
     *     pools with their certificate references, one line each, for the standalone summary
     */
    public String summary() {
        StringBuilder out = new StringBuilder("Resource Manager " + url() + "\n");
        subscriptions.forEach((s, t) -> out.append("  subscription ").append(s).append(" (tenant ").append(t)
                .append(")\n"));
        for (VaultResource v : vaults.values()) {
            out.append("  vault ").append(v.id).append(v.rbac ? " (Azure RBAC)" : " (access policies: "
                    + secretPermissions(v.id) + ")").append('\n');
        }
        roleAssignments().forEach(a -> out.append("  role assignment ").append(a).append('\n'));
        out.append(batch.summary());
        return out.toString();
    }

    /** @return every request, with or without a token */
    public long requests() {
        return requests.get();
    }

    /** @return requests that changed something (PUT, PATCH, POST, DELETE) and succeeded */
    public long writes() {
        return writes.get();
    }

    /** @return this service's requests, oldest first, with their outcomes */
    public RequestJournal journal() {
        return served.endpoint().journal();
    }

    /**
     * Injects a fault into the next authenticated requests, as at a vault ({@link Vault#inject(Fault)}).
     *
     * @param fault the fault
     */
    public void inject(Fault fault) {
        served.endpoint().faults().add(fault);
    }

    /** Removes every injected fault. */
    public void clearFaults() {
        served.endpoint().faults().clear();
    }

    void served(AzureEmulator.Served served) {
        this.served = served;
    }

    @Override
    public String name() {
        return "resource manager";
    }

    @Override
    public boolean faultable(HttpExchange exchange) {
        return exchange.getRequestHeaders().containsKey("Authorization");
    }

    @Override
    public void received(HttpExchange exchange) {
        requests.incrementAndGet();
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
        String method = exchange.getRequestMethod();
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
        BearerCheck.Result auth = bearer.check(exchange, Set.of("https://management.azure.com",
                "https://management.core.windows.net", url().toLowerCase(Locale.ROOT)));
        if (!auth.ok()) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer authorization_uri=\"https://login."
                    + "microsoftonline.com/common\", error=\"invalid_token\"");
            error(exchange, 401, "missing".equals(auth.problem) ? "AuthenticationFailed"
                    : "InvalidAuthenticationToken", "missing".equals(auth.problem)
                    ? "Authentication failed. The 'Authorization' header is missing."
                    : "The access token is invalid (" + auth.problem + ").");
            return;
        }
        int status = route(exchange, method, path, auth.token);
        if (status < 300 && !"GET".equals(method)) {
            writes.incrementAndGet();
        }
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

    private int route(HttpExchange exchange, String method, String path, Jwt token) throws IOException {
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
        Matcher identity = IDENTITY.matcher(path);
        if (identity.matches()) {
            return identity(exchange, method, identity, caller, subscriptionTenant);
        }
        Matcher vault = VAULT.matcher(path);
        if (vault.matches()) {
            return vault(exchange, method, vault, caller);
        }
        Matcher authz = AUTHORIZATION.matcher(path);
        if (authz.matches()) {
            String target = authz.group(1);
            if (!scopeExists(target)) {
                return error(exchange, 404, "ResourceNotFound", "The scope '" + target + "' does not exist.");
            }
            boolean definitions = authz.group(2).equalsIgnoreCase("roleDefinitions");
            String name = authz.group(3);
            if (definitions) {
                if (!"GET".equals(method)) {
                    return noRoute(exchange, method, path);
                }
                return name == null ? listRoleDefinitions(exchange, subscriptionId)
                        : getRoleDefinition(exchange, subscriptionId, name);
            }
            return roleAssignments(exchange, method, target, name, caller, subscriptionId, subscriptionTenant);
        }
        return noRoute(exchange, method, path);
    }

    private int noRoute(HttpExchange exchange, String method, String path) throws IOException {
        return error(exchange, 400, "NoRegisteredProviderFound", "The emulator's Resource Manager has no route "
                + method + " " + path + ". It serves Microsoft.KeyVault/vaults (GET, PUT, PATCH, accessPolicies/{add,"
                + "replace,remove}) and Microsoft.Authorization roleDefinitions (GET) and roleAssignments (GET, PUT, "
                + "DELETE) at subscription, resource group and resource scopes.");
    }

    // ---------------------------------------------------------------- vaults

    private int vault(HttpExchange exchange, String method, Matcher m, String caller) throws IOException {
        String group = m.group(1);
        String id = group + "/providers/Microsoft.KeyVault/vaults/" + m.group(4);
        String operation = m.group(5);
        if (!resourceGroups.contains(group.toLowerCase(Locale.ROOT))) {
            return error(exchange, 404, "ResourceGroupNotFound", "Resource group '" + m.group(3)
                    + "' could not be found.");
        }
        VaultResource v = vaults.get(id.toLowerCase(Locale.ROOT));
        if ("GET".equals(method) && operation == null) {
            if (!allowed(caller, "Microsoft.KeyVault/vaults/read", id)) {
                return forbidden(exchange, caller, "Microsoft.KeyVault/vaults/read", id);
            }
            if (v == null) {
                return vaultNotFound(exchange, m);
            }
            Exchanges.json(exchange, 200, vaultJson(v));
            return 200;
        }
        if ("PUT".equals(method) && operation != null) {
            String action = "Microsoft.KeyVault/vaults/accessPolicies/write";
            if (!allowed(caller, action, id)) {
                return forbidden(exchange, caller, action, id);
            }
            if (v == null) {
                return vaultNotFound(exchange, m);
            }
            JsonNode body = readJson(exchange);
            JsonNode given = body == null ? null : body.path("properties").get("accessPolicies");
            if (given == null || !given.isArray()) {
                return error(exchange, 400, "BadRequest", "properties.accessPolicies is required.");
            }
            synchronized (v) {
                for (JsonNode p : given) {
                    String problem = checkPolicy(p);
                    if (problem != null) {
                        return error(exchange, 400, "BadRequest", problem);
                    }
                }
                for (JsonNode p : given) {
                    mergePolicy(v, (ObjectNode) p, operation.toLowerCase(Locale.ROOT));
                }
                syncPolicies(v);
                ObjectNode answer = Jwt.JSON.createObjectNode();
                answer.put("id", id + "/accessPolicies/" + operation.toLowerCase(Locale.ROOT));
                answer.put("type", "Microsoft.KeyVault/vaults/accessPolicies");
                answer.put("location", v.location);
                ArrayNode policies = answer.putObject("properties").putArray("accessPolicies");
                v.accessPolicies.forEach(policies::add);
                Exchanges.json(exchange, 200, answer);
            }
            return 200;
        }
        if (("PUT".equals(method) || "PATCH".equals(method)) && operation == null) {
            if (!allowed(caller, "Microsoft.KeyVault/vaults/write", id)) {
                return forbidden(exchange, caller, "Microsoft.KeyVault/vaults/write", id);
            }
            JsonNode body = readJson(exchange);
            if (body == null) {
                return error(exchange, 400, "BadRequest", "The request content was invalid and could not be "
                        + "deserialized.");
            }
            JsonNode properties = body.path("properties");
            boolean created = false;
            if (v == null) {
                if ("PATCH".equals(method)) {
                    return vaultNotFound(exchange, m);
                }
                String tenantId = properties.path("tenantId").asText(null);
                if (tenantId == null) {
                    return error(exchange, 400, "BadRequest", "properties.tenantId is required.");
                }
                Vault made;
                try {
                    made = vaultFactory.apply(m.group(4), tenantId);
                } catch (IllegalArgumentException e) {
                    return error(exchange, 409, "VaultAlreadyExists", "The vault name '" + m.group(4)
                            + "' is already in use. Vault names are globally unique.");
                }
                v = new VaultResource(id, m.group(2), m.group(3), made);
                vaults.put(id.toLowerCase(Locale.ROOT), v);
                created = true;
            }
            synchronized (v) {
                if (body.hasNonNull("location")) {
                    v.location = body.get("location").asText();
                }
                if (properties.has("accessPolicies") && properties.get("accessPolicies").isArray()) {
                    for (JsonNode p : properties.get("accessPolicies")) {
                        String problem = checkPolicy(p);
                        if (problem != null) {
                            return error(exchange, 400, "BadRequest", problem);
                        }
                    }
                    v.accessPolicies.clear();
                    for (JsonNode p : properties.get("accessPolicies")) {
                        v.accessPolicies.add(normalised((ObjectNode) p));
                    }
                    syncPolicies(v);
                }
                if (properties.has("enableRbacAuthorization")) {
                    setRbac(v, properties.get("enableRbacAuthorization").asBoolean());
                }
            }
            Exchanges.json(exchange, created ? 201 : 200, vaultJson(v));
            return created ? 201 : 200;
        }
        return noRoute(exchange, method, exchange.getRequestURI().getPath());
    }

    /** @return the identity's JSON, or null if there is none with that resource id */
    ObjectNode identity(String resourceId) {
        return identities.get(BearerCheck.trimSlash(resourceId).toLowerCase(Locale.ROOT));
    }

    /**
     * {@code Microsoft.ManagedIdentity/userAssignedIdentities}: get and create. A new identity's
     * principal exists in the tenant at once (so vault access and role assignments can name it), as the
     * tenant's user-assigned identity; its tokens come from the node's IMDS once it is assigned there.
     */
    private int identity(HttpExchange exchange, String method, Matcher m, String caller, String tenantId)
            throws IOException {
        String group = "/subscriptions/" + m.group(1) + "/resourceGroups/" + m.group(2);
        String id = group + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + m.group(3);
        if (!resourceGroups.contains(group.toLowerCase(Locale.ROOT))) {
            return error(exchange, 404, "ResourceGroupNotFound", "Resource group '" + m.group(2)
                    + "' could not be found.");
        }
        String action = "Microsoft.ManagedIdentity/userAssignedIdentities/" + ("GET".equals(method) ? "read" : "write");
        if (!allowed(caller, action, id)) {
            return forbidden(exchange, caller, action, id);
        }
        ObjectNode existing = identities.get(id.toLowerCase(Locale.ROOT));
        if ("GET".equals(method)) {
            if (existing == null) {
                return error(exchange, 404, "ResourceNotFound", "The Resource 'Microsoft.ManagedIdentity/"
                        + "userAssignedIdentities/" + m.group(3) + "' under resource group '" + m.group(2)
                        + "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
            }
            Exchanges.json(exchange, 200, existing);
            return 200;
        }
        if (!"PUT".equals(method)) {
            return noRoute(exchange, method, exchange.getRequestURI().getPath());
        }
        JsonNode body = readJson(exchange);
        if (body == null || !body.hasNonNull("location")) {
            return error(exchange, 400, "LocationRequired", "The location property is required for this definition.");
        }
        ObjectNode made;
        synchronized (identities) {
            made = identities.get(id.toLowerCase(Locale.ROOT));
            if (made == null) {
                made = Jwt.JSON.createObjectNode();
                made.put("id", id);
                made.put("name", m.group(3));
                made.put("type", "Microsoft.ManagedIdentity/userAssignedIdentities");
                ObjectNode p = made.putObject("properties");
                p.put("tenantId", tenantId);
                // The tenant's user-assigned identity: the node's IMDS issues its tokens once it is assigned.
                ManagedIdentity identity = tenants.apply(tenantId).userAssignedIdentity(m.group(3), null, null, id);
                p.put("principalId", identity.principalId());
                p.put("clientId", identity.clientId());
                identities.put(id.toLowerCase(Locale.ROOT), made);
            }
            made.put("location", body.get("location").asText());
            made.set("tags", body.has("tags") ? body.get("tags") : Jwt.JSON.createObjectNode());
        }
        Exchanges.json(exchange, existing == null ? 201 : 200, made);
        return existing == null ? 201 : 200;
    }

    private int vaultNotFound(HttpExchange exchange, Matcher m) throws IOException {
        return error(exchange, 404, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/vaults/" + m.group(4)
                + "' under resource group '" + m.group(3) + "' was not found. For more details please go to "
                + "https://aka.ms/ARMResourceNotFoundFix");
    }

    private static String checkPolicy(JsonNode p) {
        if (!p.hasNonNull("tenantId") || !p.hasNonNull("objectId") || !p.has("permissions")) {
            return "An access policy needs tenantId, objectId and permissions.";
        }
        return null;
    }

    private static ObjectNode normalised(ObjectNode p) {
        ObjectNode out = Jwt.JSON.createObjectNode();
        out.put("tenantId", p.get("tenantId").asText());
        out.put("objectId", p.get("objectId").asText());
        if (p.hasNonNull("applicationId")) {
            out.put("applicationId", p.get("applicationId").asText());
        }
        ObjectNode permissions = out.putObject("permissions");
        for (String kind : List.of("keys", "secrets", "certificates", "storage")) {
            ArrayNode list = permissions.putArray(kind);
            Set<String> seen = new LinkedHashSet<>();
            p.path("permissions").path(kind).forEach(x -> seen.add(x.asText().toLowerCase(Locale.ROOT)));
            seen.forEach(list::add);
        }
        return out;
    }

    private static ObjectNode policy(String tenantId, String objectId, List<String> secrets) {
        ObjectNode p = Jwt.JSON.createObjectNode();
        p.put("tenantId", tenantId);
        p.put("objectId", objectId);
        ObjectNode permissions = p.putObject("permissions");
        permissions.putArray("keys");
        ArrayNode s = permissions.putArray("secrets");
        secrets.forEach(s::add);
        permissions.putArray("certificates");
        permissions.putArray("storage");
        return p;
    }

    /** Vaults.UpdateAccessPolicy: add merges permissions, replace sets them, remove takes them away. */
    private static void mergePolicy(VaultResource v, ObjectNode given, String operation) {
        ObjectNode incoming = normalised(given);
        ObjectNode existing = null;
        for (ObjectNode p : v.accessPolicies) {
            if (p.get("objectId").asText().equalsIgnoreCase(incoming.get("objectId").asText())
                    && p.get("tenantId").asText().equalsIgnoreCase(incoming.get("tenantId").asText())
                    && p.path("applicationId").asText("").equalsIgnoreCase(incoming.path("applicationId").asText(""))) {
                existing = p;
            }
        }
        if (existing == null) {
            if (!"remove".equals(operation)) {
                v.accessPolicies.add(incoming);
            }
            return;
        }
        if ("replace".equals(operation)) {
            existing.set("permissions", incoming.get("permissions"));
            return;
        }
        for (String kind : List.of("keys", "secrets", "certificates", "storage")) {
            Set<String> merged = new LinkedHashSet<>();
            existing.get("permissions").get(kind).forEach(x -> merged.add(x.asText()));
            incoming.get("permissions").get(kind).forEach(x -> {
                if ("add".equals(operation)) {
                    merged.add(x.asText());
                } else {
                    merged.remove(x.asText());
                }
            });
            ArrayNode list = ((ObjectNode) existing.get("permissions")).putArray(kind);
            merged.forEach(list::add);
        }
    }

    /** The vault's access policies are those ARM holds (secret permissions, which is what it checks). */
    private static void syncPolicies(VaultResource v) {
        Set<String> objectIds = new LinkedHashSet<>(v.vault.policies().keySet());
        for (String oid : objectIds) {
            v.vault.revoke(oid);
        }
        for (ObjectNode p : v.accessPolicies) {
            List<String> secrets = new ArrayList<>();
            p.get("permissions").get("secrets").forEach(x -> secrets.add(x.asText()));
            if (!secrets.isEmpty()) {
                v.vault.grant(p.get("objectId").asText(), secrets.toArray(new String[0]));
            }
        }
    }

    private void setRbac(VaultResource v, boolean enabled) {
        v.rbac = enabled;
        v.vault.permissionModel(enabled ? (oid, dataAction) -> allowedData(oid, dataAction, v.id) : null);
    }

    private ObjectNode vaultJson(VaultResource v) {
        ObjectNode node = Jwt.JSON.createObjectNode();
        node.put("id", v.id);
        node.put("name", v.vault.name());
        node.put("type", "Microsoft.KeyVault/vaults");
        node.put("location", v.location);
        node.putObject("tags");
        ObjectNode properties = node.putObject("properties");
        ObjectNode sku = properties.putObject("sku");
        sku.put("family", "A");
        sku.put("name", "standard");
        properties.put("tenantId", v.vault.tenantId());
        ArrayNode policies = properties.putArray("accessPolicies");
        synchronized (v) {
            v.accessPolicies.forEach(p -> policies.add(p.deepCopy()));
        }
        properties.put("enabledForDeployment", false);
        properties.put("enabledForDiskEncryption", false);
        properties.put("enabledForTemplateDeployment", false);
        properties.put("enableSoftDelete", true);
        properties.put("softDeleteRetentionInDays", 90);
        properties.put("enableRbacAuthorization", v.rbac);
        properties.put("vaultUri", v.vault.url() + "/");
        properties.put("provisioningState", "Succeeded");
        properties.put("publicNetworkAccess", "Enabled");
        return node;
    }

    // ---------------------------------------------------------------- RBAC

    private int listRoleDefinitions(HttpExchange exchange, String subscriptionId) throws IOException {
        String filter = Exchanges.query(exchange).get("$filter");
        String roleName = null;
        if (filter != null) {
            Matcher m = ROLE_NAME_FILTER.matcher(filter);
            if (!m.matches()) {
                return error(exchange, 400, "UnsupportedQuery", "The emulator filters role definitions by roleName eq.");
            }
            roleName = m.group(1);
        }
        ObjectNode body = Jwt.JSON.createObjectNode();
        ArrayNode values = body.putArray("value");
        for (Role r : ROLES.values()) {
            if (roleName == null || r.name.equalsIgnoreCase(roleName)) {
                values.add(roleDefinitionJson(subscriptionId, r));
            }
        }
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    private int getRoleDefinition(HttpExchange exchange, String subscriptionId, String id) throws IOException {
        Role r = ROLES.get(id.toLowerCase(Locale.ROOT));
        if (r == null) {
            return error(exchange, 404, "RoleDefinitionDoesNotExist", "The specified role definition with ID '" + id
                    + "' does not exist.");
        }
        Exchanges.json(exchange, 200, roleDefinitionJson(subscriptionId, r));
        return 200;
    }

    private static ObjectNode roleDefinitionJson(String subscriptionId, Role r) {
        ObjectNode node = Jwt.JSON.createObjectNode();
        node.put("id", roleDefinitionId(subscriptionId, r.id));
        node.put("name", r.id);
        node.put("type", "Microsoft.Authorization/roleDefinitions");
        ObjectNode p = node.putObject("properties");
        p.put("roleName", r.name);
        p.put("type", "BuiltInRole");
        p.put("description", r.name);
        p.putArray("assignableScopes").add("/");
        p.putArray("permissions").add(r.permissions.deepCopy());
        return node;
    }

    private static String roleDefinitionId(String subscriptionId, String roleId) {
        return "/subscriptions/" + subscriptionId + "/providers/Microsoft.Authorization/roleDefinitions/" + roleId;
    }

    private int roleAssignments(HttpExchange exchange, String method, String scope, String name, String caller,
            String subscriptionId, String tenantId) throws IOException {
        if ("GET".equals(method) && name == null) {
            if (!allowed(caller, "Microsoft.Authorization/roleAssignments/read", scope)) {
                return forbidden(exchange, caller, "Microsoft.Authorization/roleAssignments/read", scope);
            }
            String filter = Exchanges.query(exchange).get("$filter");
            String principal = null;
            boolean atScope = false;
            if (filter != null && !filter.isBlank()) {
                Matcher m = PRINCIPAL_FILTER.matcher(filter);
                if (filter.trim().equals("atScope()")) {
                    atScope = true;
                } else if (m.matches()) {
                    principal = m.group(1) != null ? m.group(1) : m.group(2);
                    atScope = filter.contains("atScope()");
                } else {
                    return error(exchange, 400, "UnsupportedQuery", "The emulator filters role assignments by "
                            + "atScope(), principalId eq or assignedTo().");
                }
            }
            return listAssignments(exchange, scope, principal, atScope);
        }
        return roleAssignment(exchange, method, scope, name, caller, subscriptionId, tenantId);
    }

    private int listAssignments(HttpExchange exchange, String scope, String principal, boolean atScope)
            throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ArrayNode values = body.putArray("value");
        for (ObjectNode a : assignments.values()) {
            String at = a.get("properties").get("scope").asText();
            boolean inScope = covers(at, scope) || (!atScope && covers(scope, at));
            if (inScope && (principal == null
                    || principal.equalsIgnoreCase(a.get("properties").get("principalId").asText()))) {
                values.add(a.deepCopy());
            }
        }
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    private int roleAssignment(HttpExchange exchange, String method, String scope, String name, String caller,
            String subscriptionId, String tenantId) throws IOException {
        String id = scope + "/providers/Microsoft.Authorization/roleAssignments/" + name;
        ObjectNode existing = assignments.get(id.toLowerCase(Locale.ROOT));
        if ("GET".equals(method)) {
            if (existing == null) {
                return error(exchange, 404, "RoleAssignmentNotFound", "The role assignment '" + name
                        + "' is not found.");
            }
            Exchanges.json(exchange, 200, existing);
            return 200;
        }
        if ("DELETE".equals(method)) {
            if (!allowed(caller, "Microsoft.Authorization/roleAssignments/delete", scope)) {
                return forbidden(exchange, caller, "Microsoft.Authorization/roleAssignments/delete", scope);
            }
            if (existing == null) {
                exchange.sendResponseHeaders(204, -1);
                return 204;
            }
            assignments.remove(id.toLowerCase(Locale.ROOT));
            Exchanges.json(exchange, 200, existing);
            return 200;
        }
        if (!"PUT".equals(method)) {
            return noRoute(exchange, method, exchange.getRequestURI().getPath());
        }
        if (!allowed(caller, "Microsoft.Authorization/roleAssignments/write", scope)) {
            return forbidden(exchange, caller, "Microsoft.Authorization/roleAssignments/write", scope);
        }
        try {
            UUID.fromString(name);
        } catch (IllegalArgumentException e) {
            return error(exchange, 400, "InvalidRoleAssignmentId", "The role assignment ID '" + name + "' is not valid. "
                    + "The role assignment ID must be a GUID.");
        }
        JsonNode body = readJson(exchange);
        JsonNode p = body == null ? null : body.get("properties");
        String principalId = p == null ? null : p.path("principalId").asText(null);
        String roleDefinitionId = p == null ? null : p.path("roleDefinitionId").asText(null);
        if (principalId == null || roleDefinitionId == null) {
            return error(exchange, 400, "InvalidRoleAssignmentRequest", "properties.principalId and "
                    + "properties.roleDefinitionId are required.");
        }
        if (!ROLES.containsKey(lastSegment(roleDefinitionId))) {
            return error(exchange, 400, "RoleDefinitionDoesNotExist", "The specified role definition with ID '"
                    + lastSegment(roleDefinitionId) + "' does not exist.");
        }
        if (!principalExists(tenantId, principalId)) {
            return error(exchange, 400, "PrincipalNotFound", "Principal " + principalId.replace("-", "")
                    + " does not exist in the directory " + tenantId + ". Check that you have the correct principal ID. "
                    + "If you are creating this principal and then immediately assigning a role, this error might be "
                    + "related to a replication delay. In this case, set the role assignment principalType property to "
                    + "a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype");
        }
        synchronized (assignments) {
            if (existing != null) {
                JsonNode ep = existing.get("properties");
                if (ep.get("principalId").asText().equalsIgnoreCase(principalId)
                        && lastSegment(ep.get("roleDefinitionId").asText()).equals(lastSegment(roleDefinitionId))) {
                    Exchanges.json(exchange, 201, existing);
                    return 201;
                }
                return error(exchange, 400, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal "
                        + "ID, and scope are not allowed to be updated.");
            }
            for (ObjectNode a : assignments.values()) {
                JsonNode ap = a.get("properties");
                if (ap.get("scope").asText().equalsIgnoreCase(scope)
                        && ap.get("principalId").asText().equalsIgnoreCase(principalId)
                        && lastSegment(ap.get("roleDefinitionId").asText()).equals(lastSegment(roleDefinitionId))) {
                    return error(exchange, 409, "RoleAssignmentExists", "The role assignment already exists.");
                }
            }
            ObjectNode made = assignment(scope, name, principalId, roleDefinitionId(subscriptionId,
                    lastSegment(roleDefinitionId)));
            ((ObjectNode) made.get("properties")).put("createdBy", caller);
            assignments.put(id.toLowerCase(Locale.ROOT), made);
            Exchanges.json(exchange, 201, made);
        }
        return 201;
    }

    private static ObjectNode assignment(String scope, String name, String principalId, String roleDefinitionId) {
        ObjectNode a = Jwt.JSON.createObjectNode();
        a.put("id", scope + "/providers/Microsoft.Authorization/roleAssignments/" + name);
        a.put("name", name);
        a.put("type", "Microsoft.Authorization/roleAssignments");
        ObjectNode p = a.putObject("properties");
        p.put("roleDefinitionId", roleDefinitionId);
        p.put("principalId", principalId);
        p.put("principalType", "ServicePrincipal");
        p.put("scope", scope);
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        p.put("createdOn", now);
        p.put("updatedOn", now);
        return a;
    }

    /** A service principal of an application, or a user-assigned identity's principal. */
    private boolean principalExists(String tenantId, String principalId) {
        Tenant tenant = tenants.apply(tenantId);
        for (Application a : tenant.applications()) {
            if (a.principalObjectId().equalsIgnoreCase(principalId)) {
                return true;
            }
        }
        for (ManagedIdentity m : tenant.userAssignedIdentities()) {
            if (m.matchesPrincipalId(principalId)) {
                return true;
            }
        }
        return false;
    }

    boolean allowed(String principalId, String action, String scope) {
        for (ObjectNode a : assignments.values()) {
            JsonNode p = a.get("properties");
            if (p.get("principalId").asText().equalsIgnoreCase(principalId) && covers(p.get("scope").asText(), scope)) {
                Role role = ROLES.get(lastSegment(p.get("roleDefinitionId").asText()));
                if (role != null && role.allows(action)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean allowedData(String principalId, String dataAction, String scope) {
        for (ObjectNode a : assignments.values()) {
            JsonNode p = a.get("properties");
            if (p.get("principalId").asText().equalsIgnoreCase(principalId) && covers(p.get("scope").asText(), scope)) {
                Role role = ROLES.get(lastSegment(p.get("roleDefinitionId").asText()));
                if (role != null && role.allowsData(dataAction)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** An assignment at {@code outer} applies at {@code inner}: the same scope or one below it. */
    private static boolean covers(String outer, String inner) {
        String o = BearerCheck.trimSlash(outer).toLowerCase(Locale.ROOT);
        String i = BearerCheck.trimSlash(inner).toLowerCase(Locale.ROOT);
        return i.equals(o) || i.startsWith(o + "/");
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
        return resourceGroups.contains(s) || vaults.containsKey(s);
    }

    int forbidden(HttpExchange exchange, String caller, String action, String scope) throws IOException {
        return error(exchange, 403, "AuthorizationFailed", "The client '" + caller + "' with object id '" + caller
                + "' does not have authorization to perform action '" + action + "' over scope '" + scope
                + "' or the scope is invalid. If access was recently granted, please refresh your credentials.");
    }

    private static String lastSegment(String id) {
        return id.substring(id.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
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
        try {
            return Jwt.JSON.readTree(Exchanges.body(exchange));
        } catch (IOException e) {
            return null;
        }
    }

    static int error(HttpExchange exchange, int status, String code, String message) throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        exchange.getResponseHeaders().set("x-ms-failure-cause", status == 403 ? "gateway" : "service");
        Exchanges.json(exchange, status, body);
        return status;
    }
}
