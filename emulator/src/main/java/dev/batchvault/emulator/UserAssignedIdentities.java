package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code Microsoft.ManagedIdentity/userAssignedIdentities} of the emulator's Resource Manager. */
final class UserAssignedIdentities {
    private static final Pattern IDENTITY = Pattern.compile("/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/"
            + "Microsoft\\.ManagedIdentity/userAssignedIdentities/([^/]+)/?", Pattern.CASE_INSENSITIVE);

    private final Authorization authorization;
    private final Function<String, Tenant> tenants;
    /** Resource group ids (lower case), shared with the Resource Manager. */
    private final Set<String> resourceGroups;
    /** Identity resource id (lower case) -> JSON. */
    private final Map<String, ObjectNode> identities = new ConcurrentHashMap<>();

    UserAssignedIdentities(Authorization authorization, Function<String, Tenant> tenants, Set<String> resourceGroups) {
        this.authorization = authorization;
        this.tenants = tenants;
        this.resourceGroups = resourceGroups;
    }

    /** @return a matcher of an identity path, to test with {@code matches()} and pass to {@link #route} */
    static Matcher matcher(String path) {
        return IDENTITY.matcher(path);
    }

    /**
     * @return the tenant's user-assigned identity made through this Resource Manager with that resource id,
     *     or null if there is none
     */
    ManagedIdentity managedIdentity(String resourceId) {
        ObjectNode json = json(resourceId);
        if (json == null) {
            return null;
        }
        return tenants.apply(json.at("/properties/tenantId").asText()).userAssignedIdentity(json.get("name").asText(),
                null, null, json.get("id").asText());
    }

    /** @return the identity's JSON, or null if there is none with that resource id */
    ObjectNode json(String resourceId) {
        return identities.get(BearerCheck.trimSlash(resourceId).toLowerCase(Locale.ROOT));
    }

    /**
     * {@code Microsoft.ManagedIdentity/userAssignedIdentities}: get and create. A new identity's
     * principal exists in the tenant at once (so vault access and role assignments can name it), as the
     * tenant's user-assigned identity; its tokens come from the node's IMDS once it is assigned there.
     */
    int route(HttpExchange exchange, String method, Matcher m, String caller, String tenantId)
            throws IOException {
        String group = "/subscriptions/" + m.group(1) + "/resourceGroups/" + m.group(2);
        String id = group + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + m.group(3);
        if (!resourceGroups.contains(group.toLowerCase(Locale.ROOT))) {
            return Arm.error(exchange, 404, "ResourceGroupNotFound", "Resource group '" + m.group(2)
                    + "' could not be found.");
        }
        String action = "Microsoft.ManagedIdentity/userAssignedIdentities/" + ("GET".equals(method) ? "read" : "write");
        if (!authorization.allowed(caller, action, id)) {
            return Arm.forbidden(exchange, caller, action, id);
        }
        ObjectNode existing = identities.get(id.toLowerCase(Locale.ROOT));
        if ("GET".equals(method)) {
            if (existing == null) {
                return Arm.error(exchange, 404, "ResourceNotFound", "The Resource 'Microsoft.ManagedIdentity/"
                        + "userAssignedIdentities/" + m.group(3) + "' under resource group '" + m.group(2)
                        + "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
            }
            Exchanges.json(exchange, 200, existing);
            return 200;
        }
        if (!"PUT".equals(method)) {
            return Arm.noRoute(exchange, method, exchange.getRequestURI().getPath());
        }
        JsonNode body = Arm.readJson(exchange);
        if (body == null || !body.hasNonNull("location")) {
            return Arm.error(exchange, 400, "LocationRequired", "The location property is required for this definition.");
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
}
