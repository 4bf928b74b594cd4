package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Key Vault's secrets API for one {@link Vault}: get, list and set, each behind the vault's access
 * policies or Azure RBAC, with the JSON bodies Key Vault answers.
 */
final class SecretsRoutes {
    private static final Pattern SECRETS = Pattern.compile("/secrets/?");
    private static final Pattern SECRET = Pattern.compile("/secrets/([^/]+)(?:/([^/]*))?/?");

    private final Vault vault;

    SecretsRoutes(Vault vault) {
        this.vault = vault;
    }

    /**
     * Answers one request to the secrets API whose token was accepted.
     *
     * @param rbac null for access policies, else the role check Azure RBAC makes (object id, data action)
     * @return the status answered
     */
    int route(HttpExchange exchange, Jwt token, BiPredicate<String, String> rbac) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (SECRETS.matcher(path).matches()) {
            if (!"GET".equals(method)) {
                return notAllowed(exchange, method, path);
            }
            return deny(exchange, token, rbac, "list") ? 403 : listSecrets(exchange);
        }
        Matcher m = SECRET.matcher(path);
        if (!m.matches()) {
            return KeyVaultErrors.error(exchange, 404, "NotFound", null, "The Azure emulator's vault has no route " + method + " "
                    + path + ". It serves GET /secrets, GET and PUT /secrets/{name}, GET /secrets/{name}/{version} "
                    + "and GET /secrets/{name}/versions.");
        }
        String secretName = m.group(1);
        String second = m.group(2) == null || m.group(2).isEmpty() ? null : m.group(2);
        if (!Vault.NAME.matcher(secretName).matches()) {
            return KeyVaultErrors.error(exchange, 400, "BadParameter", null, "The request URI contains an invalid name: " + secretName
                    + ". Secret names are 1-127 characters of letters, digits and '-'.");
        }
        if ("PUT".equals(method) && second == null) {
            return deny(exchange, token, rbac, "set") ? 403 : put(exchange, secretName);
        }
        if ("GET".equals(method) && "versions".equals(second)) {
            return deny(exchange, token, rbac, "list") ? 403 : listVersions(exchange, secretName);
        }
        if ("GET".equals(method)) {
            return deny(exchange, token, rbac, "get") ? 403 : get(exchange, secretName, second);
        }
        return notAllowed(exchange, method, path);
    }

    private static int notAllowed(HttpExchange exchange, String method, String path) throws IOException {
        return KeyVaultErrors.error(exchange, 405, "MethodNotAllowed", null, "The emulator does not support " + method + " " + path
                + ".");
    }

    private int get(HttpExchange exchange, String secretName, String version) throws IOException {
        List<Vault.Version> versions = vault.versions(secretName);
        Vault.Version found = null;
        if (versions != null && !versions.isEmpty()) {
            if (version == null) {
                found = versions.get(versions.size() - 1);
            } else {
                for (Vault.Version v : versions) {
                    if (v.version.equalsIgnoreCase(version)) {
                        found = v;
                    }
                }
            }
        }
        if (found == null) {
            return KeyVaultErrors.error(exchange, 404, "SecretNotFound", null, "A secret with (name/id) " + secretName
                    + (version == null ? "" : "/" + version) + " was not found in this key vault. If you recently "
                    + "deleted this secret you may be able to recover it using the correct recovery command. For help "
                    + "resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182");
        }
        if (!found.enabled) {
            return KeyVaultErrors.error(exchange, 403, "Forbidden", "SecretDisabled", "Operation get is not allowed on a disabled "
                    + "secret.");
        }
        // Key Vault serves a get outside the nbf/exp window: for secrets the dates are informational.
        Exchanges.json(exchange, 200, bundle(found, true));
        return 200;
    }

    private int listVersions(HttpExchange exchange, String secretName) throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ArrayNode value = body.putArray("value");
        for (Vault.Version v : vault.versions(secretName)) {
            value.add(bundle(v, false));
        }
        body.putNull("nextLink");
        Exchanges.json(exchange, 200, body);
        return 200;
    }

    private int listSecrets(HttpExchange exchange) throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ArrayNode value = body.putArray("value");
        for (List<Vault.Version> versions : vault.versionsByName()) {
            if (!versions.isEmpty()) {
                ObjectNode item = bundle(versions.get(versions.size() - 1), false);
                String id = item.get("id").asText();
                item.put("id", id.substring(0, id.lastIndexOf('/')));
                value.add(item);
            }
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
            return KeyVaultErrors.error(exchange, 400, "BadParameter", null, "The request body is not valid JSON.");
        }
        if (body == null || !body.path("value").isTextual()) {
            return KeyVaultErrors.error(exchange, 400, "BadParameter", null, "Property 'value' is required and must be a string.");
        }
        SecretAttributes attributes = SecretAttributes.defaults();
        if (body.hasNonNull("contentType")) {
            attributes = attributes.contentType(body.get("contentType").asText());
        }
        JsonNode a = body.path("attributes");
        if (a.hasNonNull("enabled")) {
            attributes = attributes.enabled(a.get("enabled").asBoolean(true));
        }
        if (a.hasNonNull("nbf")) {
            attributes = attributes.notBefore(Instant.ofEpochSecond(a.get("nbf").asLong()));
        }
        if (a.hasNonNull("exp")) {
            attributes = attributes.expiresOn(Instant.ofEpochSecond(a.get("exp").asLong()));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = body.path("tags").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> tag = it.next();
            attributes = attributes.tag(tag.getKey(), tag.getValue().asText());
        }
        String value = body.get("value").asText();
        String problem = Vault.invalid(secretName, value, attributes);
        if (problem != null) {
            return KeyVaultErrors.error(exchange, 400, "BadParameter", null, problem);
        }
        Exchanges.json(exchange, 200, bundle(vault.store(secretName, value, attributes), true));
        return 200;
    }

    private boolean deny(HttpExchange exchange, Jwt token, BiPredicate<String, String> rbac, String permission) throws IOException {
        String oid = token.text("oid");
        BiPredicate<String, String> roles = rbac;
        if (roles != null) {
            String action = "Microsoft.KeyVault/vaults/secrets/" + ("get".equals(permission) ? "getSecret/action"
                    : "set".equals(permission) ? "setSecret/action" : "list".equals(permission)
                    ? "readMetadata/action" : permission);
            if (oid != null && roles.test(oid, action)) {
                return false;
            }
            KeyVaultErrors.error(exchange, 403, "Forbidden", "ForbiddenByRbac", "Caller is not authorized to perform action on "
                    + "resource. If role assignments, deny assignments or role definitions were changed recently, please "
                    + "observe propagation time. Caller: appid=" + token.text("appid") + ";oid=" + oid + ";iss="
                    + token.text("iss") + " Action: '" + action + "' Resource: '" + vault.name() + "' Assignment: (not found) "
                    + "Vault: " + vault.name() + ";location=emulator");
            return true;
        }
        Set<String> granted = oid == null ? Set.of() : vault.policies().getOrDefault(oid.toLowerCase(Locale.ROOT), Set.of());
        if (granted.contains(permission) || granted.contains("all")) {
            return false;
        }
        KeyVaultErrors.error(exchange, 403, "Forbidden", "AccessDenied", "The user, group or application 'appid=" + token.text("appid")
                + ";oid=" + oid + ";iss=" + token.text("iss") + "' does not have secrets " + permission
                + " permission on key vault '" + vault.name() + ";location=emulator'. For help resolving this issue, please "
                + "see https://go.microsoft.com/fwlink/?linkid=2125287");
        return true;
    }

    private ObjectNode bundle(Vault.Version v, boolean withValue) {
        ObjectNode node = Jwt.JSON.createObjectNode();
        if (withValue) {
            node.put("value", v.value);
        }
        node.put("id", vault.url() + "/secrets/" + v.name + "/" + v.version);
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
        attributes.put("updated", v.updated.getEpochSecond());
        attributes.put("recoveryLevel", "Recoverable+Purgeable");
        attributes.put("recoverableDays", 90);
        return node;
    }
}
