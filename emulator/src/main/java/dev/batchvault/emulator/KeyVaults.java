package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code Microsoft.KeyVault/vaults} of the emulator's Resource Manager: get, create or update, access
 * policies add / replace / remove, wired to the emulator's vaults (an access policy made here is the
 * vault's access policy; an RBAC vault asks {@link Authorization}).
 */
final class KeyVaults {
    private static final Pattern VAULT = Pattern.compile(
            "(/subscriptions/([^/]+)/resourceGroups/([^/]+))/providers/Microsoft\\.KeyVault/vaults/([^/]+)"
                    + "(?:/accessPolicies/(add|replace|remove))?/?", Pattern.CASE_INSENSITIVE);

    private final Authorization authorization;
    private final BiFunction<String, String, Vault> vaultFactory;
    /** Resource group ids (lower case), shared with the Resource Manager. */
    private final Set<String> resourceGroups;
    /** Vault resource id (lower case) -> its ARM state. */
    private final Map<String, VaultResource> vaults = new ConcurrentHashMap<>();

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

    KeyVaults(Authorization authorization, BiFunction<String, String, Vault> vaultFactory,
            Set<String> resourceGroups) {
        this.authorization = authorization;
        this.vaultFactory = vaultFactory;
        this.resourceGroups = resourceGroups;
    }

    /** @return a matcher of a vault path, to test with {@code matches()} and pass to {@link #route} */
    static Matcher matcher(String path) {
        return VAULT.matcher(path);
    }

    /** @return whether a vault has this resource id (lower case) */
    boolean contains(String lowerCaseId) {
        return vaults.containsKey(lowerCaseId);
    }

    /** {@link ResourceManager#addVault}, once its resource group exists. @return the vault's resource id */
    String add(String subscriptionId, String resourceGroup, String groupId, Vault vault) {
        String id = groupId + "/providers/Microsoft.KeyVault/vaults/" + vault.name();
        VaultResource resource = new VaultResource(id, subscriptionId, resourceGroup, vault);
        synchronized (resource) {
            vault.policies().forEach((oid, permissions) -> resource.accessPolicies.add(
                    policy(vault.tenantId(), oid, new ArrayList<>(permissions))));
        }
        vaults.put(id.toLowerCase(Locale.ROOT), resource);
        return id;
    }

    /** {@link ResourceManager#useRbac}. */
    void useRbac(String vaultResourceId, boolean enabled) {
        setRbac(existing(vaultResourceId), enabled);
    }

    /** {@link ResourceManager#secretPermissions}. */
    Map<String, List<String>> secretPermissions(String vaultResourceId) {
        VaultResource v = existing(vaultResourceId);
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

    /** @return one line a vault, with its permission model and access, for the summary */
    String summary() {
        StringBuilder out = new StringBuilder();
        for (VaultResource v : vaults.values()) {
            out.append("  vault ").append(v.id).append(v.rbac ? " (Azure RBAC)" : " (access policies: "
                    + secretPermissions(v.id) + ")").append('\n');
        }
        return out.toString();
    }

    private VaultResource existing(String vaultResourceId) {
        VaultResource v = vaults.get(vaultResourceId.toLowerCase(Locale.ROOT));
        if (v == null) {
            throw new IllegalArgumentException("no vault " + vaultResourceId);
        }
        return v;
    }

    int route(HttpExchange exchange, String method, Matcher m, String caller) throws IOException {
        String group = m.group(1);
        String id = group + "/providers/Microsoft.KeyVault/vaults/" + m.group(4);
        String operation = m.group(5);
        if (!resourceGroups.contains(group.toLowerCase(Locale.ROOT))) {
            return Arm.error(exchange, 404, "ResourceGroupNotFound", "Resource group '" + m.group(3)
                    + "' could not be found.");
        }
        VaultResource v = vaults.get(id.toLowerCase(Locale.ROOT));
        if ("GET".equals(method) && operation == null) {
            if (!authorization.allowed(caller, "Microsoft.KeyVault/vaults/read", id)) {
                return Arm.forbidden(exchange, caller, "Microsoft.KeyVault/vaults/read", id);
            }
            if (v == null) {
                return vaultNotFound(exchange, m);
            }
            Exchanges.json(exchange, 200, vaultJson(v));
            return 200;
        }
        if ("PUT".equals(method) && operation != null) {
            String action = "Microsoft.KeyVault/vaults/accessPolicies/write";
            if (!authorization.allowed(caller, action, id)) {
                return Arm.forbidden(exchange, caller, action, id);
            }
            if (v == null) {
                return vaultNotFound(exchange, m);
            }
            JsonNode body = Arm.readJson(exchange);
            JsonNode given = body == null ? null : body.path("properties").get("accessPolicies");
            if (given == null || !given.isArray()) {
                return Arm.error(exchange, 400, "BadRequest", "properties.accessPolicies is required.");
            }
            synchronized (v) {
                for (JsonNode p : given) {
                    String problem = checkPolicy(p);
                    if (problem != null) {
                        return Arm.error(exchange, 400, "BadRequest", problem);
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
            if (!authorization.allowed(caller, "Microsoft.KeyVault/vaults/write", id)) {
                return Arm.forbidden(exchange, caller, "Microsoft.KeyVault/vaults/write", id);
            }
            JsonNode body = Arm.readJson(exchange);
            if (body == null) {
                return Arm.error(exchange, 400, "BadRequest", "The request content was invalid and could not be "
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
                    return Arm.error(exchange, 400, "BadRequest", "properties.tenantId is required.");
                }
                Vault made;
                try {
                    made = vaultFactory.apply(m.group(4), tenantId);
                } catch (IllegalArgumentException e) {
                    return Arm.error(exchange, 409, "VaultAlreadyExists", "The vault name '" + m.group(4)
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
                            return Arm.error(exchange, 400, "BadRequest", problem);
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
        return Arm.noRoute(exchange, method, exchange.getRequestURI().getPath());
    }

    private int vaultNotFound(HttpExchange exchange, Matcher m) throws IOException {
        return Arm.error(exchange, 404, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/vaults/" + m.group(4)
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

    /** The vault's access policies are those ARM holds (secret and certificate permissions, which it checks). */
    private static void syncPolicies(VaultResource v) {
        Set<String> objectIds = new LinkedHashSet<>(v.vault.policies().keySet());
        for (String oid : objectIds) {
            v.vault.revoke(oid);
        }
        // Certificate permissions: each principal with an ARM policy gets exactly its policy's.
        for (ObjectNode p : v.accessPolicies) {
            List<String> certificates = new ArrayList<>();
            p.get("permissions").get("certificates").forEach(x -> certificates.add(x.asText()));
            v.vault.certificates().set(p.get("objectId").asText(), certificates);
            List<String> secrets = new ArrayList<>();
            p.get("permissions").get("secrets").forEach(x -> secrets.add(x.asText()));
            if (!secrets.isEmpty()) {
                v.vault.grant(p.get("objectId").asText(), secrets.toArray(new String[0]));
            }
        }
    }

    private void setRbac(VaultResource v, boolean enabled) {
        v.rbac = enabled;
        v.vault.permissionModel(enabled
                ? (oid, dataAction) -> authorization.allowedData(oid, dataAction, v.id) : null);
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
}
