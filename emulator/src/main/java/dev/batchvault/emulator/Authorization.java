package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code Microsoft.Authorization} of the emulator's Resource Manager: the built-in role definitions,
 * role assignments at any scope, and the Azure RBAC check ({@link #allowed}, {@link #allowedData}) the
 * other providers and RBAC vaults ask.
 */
final class Authorization {
    private static final Pattern ROLE_NAME_FILTER = Pattern.compile("\\s*roleName\\s+eq\\s+'([^']*)'\\s*");
    private static final Pattern PRINCIPAL_FILTER = Pattern.compile("\\s*(?:atScope\\(\\)\\s+and\\s+)?"
            + "(?:assignedTo\\('([^']*)'\\)|principalId\\s+eq\\s+'([^']*)')\\s*");
    private static final Map<String, Role> ROLES = new LinkedHashMap<>();

    static {
        role(ResourceManager.OWNER, "Owner", List.of("*"), List.of(), List.of());
        role(ResourceManager.CONTRIBUTOR, "Contributor", List.of("*"), List.of("Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"), List.of());
        role(ResourceManager.READER, "Reader", List.of("*/read"), List.of(), List.of());
        role(ResourceManager.USER_ACCESS_ADMINISTRATOR, "User Access Administrator", List.of("*/read",
                "Microsoft.Authorization/*", "Microsoft.Support/*"), List.of(), List.of());
        role("f25e0fa2-a7c8-4377-a976-54943a77a395", "Key Vault Contributor", List.of("Microsoft.Authorization/*/read",
                "Microsoft.KeyVault/*", "Microsoft.Resources/subscriptions/resourceGroups/read"), List.of(), List.of());
        role("00482a5a-887f-4fb3-b363-3b7fe8e74483", "Key Vault Administrator", List.of("Microsoft.Authorization/*/read",
                "Microsoft.KeyVault/checkNameAvailability/read"), List.of(), List.of("Microsoft.KeyVault/vaults/*"));
        role("b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "Key Vault Secrets Officer", List.of(
                "Microsoft.Authorization/*/read", "Microsoft.KeyVault/vaults/*/read"), List.of(),
                List.of("Microsoft.KeyVault/vaults/secrets/*"));
        role("a4417e6f-fecd-4de8-b567-7b0420556985", "Key Vault Certificates Officer", List.of(
                "Microsoft.Authorization/*/read", "Microsoft.KeyVault/vaults/*/read"), List.of(),
                List.of("Microsoft.KeyVault/vaults/certificates/*", "Microsoft.KeyVault/vaults/certificatecas/*"));
        role(ResourceManager.KEY_VAULT_SECRETS_USER, "Key Vault Secrets User", List.of(), List.of(),
                List.of("Microsoft.KeyVault/vaults/secrets/getSecret/action",
                        "Microsoft.KeyVault/vaults/secrets/readMetadata/action"));
    }

    private final Function<String, Tenant> tenants;
    /** Role assignment id (lower case) -> JSON. */
    private final Map<String, ObjectNode> assignments = new ConcurrentHashMap<>();

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

    Authorization(Function<String, Tenant> tenants) {
        this.tenants = tenants;
    }

    /** {@link ResourceManager#assignRole}, once the subscription is known to exist. */
    String assign(String principalId, String roleDefinitionId, String scope, String subscriptionId) {
        if (!ROLES.containsKey(roleDefinitionId.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("no built-in role " + roleDefinitionId + "; known: " + ROLES.keySet());
        }
        String name = UUID.randomUUID().toString();
        ObjectNode a = assignment(scope, name, principalId, roleDefinitionId(subscriptionId, roleDefinitionId));
        assignments.put(a.get("id").asText().toLowerCase(Locale.ROOT), a);
        return a.get("id").asText();
    }

    /** @return "principal role-name scope" for each role assignment */
    List<String> list() {
        List<String> out = new ArrayList<>();
        for (ObjectNode a : assignments.values()) {
            JsonNode p = a.get("properties");
            Role role = ROLES.get(Arm.lastSegment(p.get("roleDefinitionId").asText()));
            out.add(p.get("principalId").asText() + " " + (role == null ? "?" : role.name) + " "
                    + p.get("scope").asText());
        }
        return out;
    }

    /**
     * Serves {@code <scope>/providers/Microsoft.Authorization/(roleDefinitions|roleAssignments)[/<name>]} at
     * a scope known to exist. @return the status
     */
    int route(HttpExchange exchange, String method, String path, String scope, boolean definitions, String name,
            String caller, String subscriptionId, String tenantId) throws IOException {
        if (definitions) {
            if (!"GET".equals(method)) {
                return Arm.noRoute(exchange, method, path);
            }
            return name == null ? listRoleDefinitions(exchange, subscriptionId)
                    : getRoleDefinition(exchange, subscriptionId, name);
        }
        return roleAssignments(exchange, method, scope, name, caller, subscriptionId, tenantId);
    }

    private int listRoleDefinitions(HttpExchange exchange, String subscriptionId) throws IOException {
        String filter = Exchanges.query(exchange).get("$filter");
        String roleName = null;
        if (filter != null) {
            Matcher m = ROLE_NAME_FILTER.matcher(filter);
            if (!m.matches()) {
                return Arm.error(exchange, 400, "UnsupportedQuery", "The emulator filters role definitions by roleName eq.");
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
            return Arm.error(exchange, 404, "RoleDefinitionDoesNotExist", "The specified role definition with ID '" + id
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
                return Arm.forbidden(exchange, caller, "Microsoft.Authorization/roleAssignments/read", scope);
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
                    return Arm.error(exchange, 400, "UnsupportedQuery", "The emulator filters role assignments by "
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
            boolean inScope = Arm.covers(at, scope) || (!atScope && Arm.covers(scope, at));
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
                return Arm.error(exchange, 404, "RoleAssignmentNotFound", "The role assignment '" + name
                        + "' is not found.");
            }
            Exchanges.json(exchange, 200, existing);
            return 200;
        }
        if ("DELETE".equals(method)) {
            if (!allowed(caller, "Microsoft.Authorization/roleAssignments/delete", scope)) {
                return Arm.forbidden(exchange, caller, "Microsoft.Authorization/roleAssignments/delete", scope);
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
            return Arm.noRoute(exchange, method, exchange.getRequestURI().getPath());
        }
        if (!allowed(caller, "Microsoft.Authorization/roleAssignments/write", scope)) {
            return Arm.forbidden(exchange, caller, "Microsoft.Authorization/roleAssignments/write", scope);
        }
        try {
            UUID.fromString(name);
        } catch (IllegalArgumentException e) {
            return Arm.error(exchange, 400, "InvalidRoleAssignmentId", "The role assignment ID '" + name + "' is not valid. "
                    + "The role assignment ID must be a GUID.");
        }
        JsonNode body = Arm.readJson(exchange);
        JsonNode p = body == null ? null : body.get("properties");
        String principalId = p == null ? null : p.path("principalId").asText(null);
        String roleDefinitionId = p == null ? null : p.path("roleDefinitionId").asText(null);
        if (principalId == null || roleDefinitionId == null) {
            return Arm.error(exchange, 400, "InvalidRoleAssignmentRequest", "properties.principalId and "
                    + "properties.roleDefinitionId are required.");
        }
        if (!ROLES.containsKey(Arm.lastSegment(roleDefinitionId))) {
            return Arm.error(exchange, 400, "RoleDefinitionDoesNotExist", "The specified role definition with ID '"
                    + Arm.lastSegment(roleDefinitionId) + "' does not exist.");
        }
        if (!principalExists(tenantId, principalId)) {
            return Arm.error(exchange, 400, "PrincipalNotFound", "Principal " + principalId.replace("-", "")
                    + " does not exist in the directory " + tenantId + ". Check that you have the correct principal ID. "
                    + "If you are creating this principal and then immediately assigning a role, this error might be "
                    + "related to a replication delay. In this case, set the role assignment principalType property to "
                    + "a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype");
        }
        synchronized (assignments) {
            if (existing != null) {
                JsonNode ep = existing.get("properties");
                if (ep.get("principalId").asText().equalsIgnoreCase(principalId)
                        && Arm.lastSegment(ep.get("roleDefinitionId").asText()).equals(Arm.lastSegment(roleDefinitionId))) {
                    Exchanges.json(exchange, 201, existing);
                    return 201;
                }
                return Arm.error(exchange, 400, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal "
                        + "ID, and scope are not allowed to be updated.");
            }
            for (ObjectNode a : assignments.values()) {
                JsonNode ap = a.get("properties");
                if (ap.get("scope").asText().equalsIgnoreCase(scope)
                        && ap.get("principalId").asText().equalsIgnoreCase(principalId)
                        && Arm.lastSegment(ap.get("roleDefinitionId").asText()).equals(Arm.lastSegment(roleDefinitionId))) {
                    return Arm.error(exchange, 409, "RoleAssignmentExists", "The role assignment already exists.");
                }
            }
            ObjectNode made = assignment(scope, name, principalId, roleDefinitionId(subscriptionId,
                    Arm.lastSegment(roleDefinitionId)));
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
            if (p.get("principalId").asText().equalsIgnoreCase(principalId) && Arm.covers(p.get("scope").asText(), scope)) {
                Role role = ROLES.get(Arm.lastSegment(p.get("roleDefinitionId").asText()));
                if (role != null && role.allows(action)) {
                    return true;
                }
            }
        }
        return false;
    }

    boolean allowedData(String principalId, String dataAction, String scope) {
        for (ObjectNode a : assignments.values()) {
            JsonNode p = a.get("properties");
            if (p.get("principalId").asText().equalsIgnoreCase(principalId) && Arm.covers(p.get("scope").asText(), scope)) {
                Role role = ROLES.get(Arm.lastSegment(p.get("roleDefinitionId").asText()));
                if (role != null && role.allowsData(dataAction)) {
                    return true;
                }
            }
        }
        return false;
    }
}
