package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Applies a JSON seed file (format in the module README) to an emulator. Unknown fields are errors. */
final class Seed {
    private static final Pattern PEM_CERTIFICATE =
            Pattern.compile("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----");

    private final AzureEmulator emulator;
    private final Path base;
    private final List<Grant> grantedClients = new ArrayList<>();

    /**
     * An access policy the seed gave by client id.
     *
     * @param vault the vault's name
     * @param clientId the application's client id
     */
    record Grant(String vault, String clientId) {
    }

    private Seed(AzureEmulator emulator, Path base) {
        this.emulator = emulator;
        this.base = base;
    }

    /** @return for each vault in order, the client ids its access policies name */
    static List<Grant> apply(AzureEmulator emulator, Path seedFile) throws IOException {
        JsonNode root;
        try {
            root = Jwt.JSON.readTree(seedFile.toFile());
        } catch (IOException e) {
            throw new IOException("seed " + seedFile + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException("seed " + seedFile + " must be a JSON object");
        }
        Seed seed = new Seed(emulator, seedFile.toAbsolutePath().getParent());
        seed.root(root);
        return seed.grantedClients;
    }

    private void root(JsonNode root) throws IOException {
        fields(root, "seed", Set.of("tenants", "node", "vaults", "faults"));
        for (JsonNode t : array(root, "tenants")) {
            fields(t, "tenant", Set.of("id", "applications", "managedIdentities"));
            Tenant tenant = emulator.tenant(text(t, "id", true));
            for (JsonNode m : array(t, "managedIdentities")) {
                fields(m, "managed identity", Set.of("name", "clientId", "principalId", "resourceId"));
                try {
                    tenant.userAssignedIdentity(text(m, "name", true), text(m, "clientId", false),
                            text(m, "principalId", false), text(m, "resourceId", false));
                } catch (IllegalArgumentException e) {
                    throw new IOException("seed: " + e.getMessage(), e);
                }
            }
            for (JsonNode a : array(t, "applications")) {
                fields(a, "application", Set.of("clientId", "objectId", "certificates"));
                String clientId = text(a, "clientId", true);
                Application app;
                try {
                    app = tenant.application(clientId, text(a, "objectId", false));
                } catch (IllegalArgumentException e) {
                    throw new IOException("seed: " + e.getMessage(), e);
                }
                for (JsonNode c : array(a, "certificates")) {
                    if (!c.isTextual()) {
                        throw new IOException("seed: application " + clientId + ": a certificate is a PEM file path "
                                + "or inline PEM text, not " + c);
                    }
                    for (X509Certificate certificate : certificates(c.asText())) {
                        app.registerCertificate(certificate);
                    }
                }
            }
        }
        JsonNode node = root.path("node");
        if (!node.isMissingNode() && !node.isNull()) {
            fields(node, "node", Set.of("identities"));
            for (JsonNode name : array(node, "identities")) {
                emulator.imds().assign(identity(name.asText(), "the node"));
            }
        }
        for (JsonNode v : array(root, "vaults")) {
            fields(v, "vault", Set.of("name", "tenant", "port", "secrets", "accessPolicies"));
            String name = text(v, "name", true);
            String tenantId = text(v, "tenant", true);
            Vault vault;
            try {
                vault = emulator.createVault(name, tenantId, v.path("port").asInt(0));
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new IOException("seed: cannot create vault " + name + ": " + e.getMessage(), e);
            }
            for (JsonNode s : array(v, "secrets")) {
                fields(s, "secret", Set.of("name", "value", "contentType", "enabled", "nbf", "exp", "tags"));
                String secretName = text(s, "name", true);
                SecretAttributes attributes = SecretAttributes.defaults().enabled(s.path("enabled").asBoolean(true));
                if (s.hasNonNull("contentType")) {
                    attributes = attributes.contentType(s.get("contentType").asText());
                }
                if (s.hasNonNull("nbf")) {
                    attributes = attributes.notBefore(instant(s.get("nbf"), secretName));
                }
                if (s.hasNonNull("exp")) {
                    attributes = attributes.expiresOn(instant(s.get("exp"), secretName));
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = s.path("tags").fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> tag = it.next();
                    attributes = attributes.tag(tag.getKey(), tag.getValue().asText());
                }
                try {
                    vault.setSecret(secretName, text(s, "value", true), attributes);
                } catch (IllegalArgumentException e) {
                    throw new IOException("seed: vault " + name + ": " + e.getMessage(), e);
                }
            }
            for (JsonNode p : array(v, "accessPolicies")) {
                fields(p, "access policy", Set.of("clientId", "objectId", "managedIdentity", "secrets"));
                String objectId = text(p, "objectId", false);
                String clientId = text(p, "clientId", false);
                String identityName = text(p, "managedIdentity", false);
                int named = (objectId == null ? 0 : 1) + (clientId == null ? 0 : 1) + (identityName == null ? 0 : 1);
                if (named != 1) {
                    throw new IOException("seed: vault " + name + ": an access policy names one of 'clientId', "
                            + "'objectId' or 'managedIdentity': " + p);
                }
                if (identityName != null) {
                    objectId = identity(identityName, "vault " + name).principalId();
                }
                if (clientId != null) {
                    Application app = emulator.tenant(tenantId).findApplication(clientId);
                    if (app == null) {
                        throw new IOException("seed: vault " + name + ": access policy names client id " + clientId
                                + ", which no application in tenant " + tenantId + " has");
                    }
                    objectId = app.principalObjectId();
                    grantedClients.add(new Grant(name, app.clientId()));
                }
                List<String> permissions = new ArrayList<>();
                for (JsonNode x : array(p, "secrets")) {
                    permissions.add(x.asText());
                }
                vault.grant(objectId, permissions.toArray(new String[0]));
            }
        }
        for (JsonNode f : array(root, "faults")) {
            fault(f);
        }
    }

    private ManagedIdentity identity(String name, String where) throws IOException {
        for (Tenant t : emulator.tenants()) {
            for (ManagedIdentity m : t.userAssignedIdentities()) {
                if (m.name().equalsIgnoreCase(name)) {
                    return m;
                }
            }
        }
        throw new IOException("seed: " + where + " names managed identity " + name + ", which no tenant's "
                + "'managedIdentities' makes");
    }

    private static final Set<String> FAULT_KINDS = Set.of("status", "throttle", "throttleMillis",
            "throttleWithoutRetryAfter", "reset", "hang", "latency", "rateLimit");

    /** {"route": "token"} or {"route": "vault", "vault": name}, one kind, and an optional "times". */
    private void fault(JsonNode f) throws IOException {
        Fault fault = parseFault(f);
        String route = text(f, "route", true);
        switch (route) {
            case "token":
                emulator.injectToken(fault);
                break;
            case "imds":
                emulator.imds().inject(fault);
                break;
            case "vault":
                String vaultName = text(f, "vault", true);
                Vault vault;
                try {
                    vault = emulator.vault(vaultName);
                } catch (IllegalArgumentException e) {
                    throw new IOException("seed: a fault names vault " + vaultName + ", which the seed does not make", e);
                }
                vault.inject(fault);
                break;
            default:
                throw new IllegalStateException(route);
        }
    }

    /**
     * Reads one entry of "faults", checking its route's form but not that its vault exists.
     *
     * @return the fault it describes
     */
    static Fault parseFault(JsonNode f) throws IOException {
        Set<String> allowed = new java.util.TreeSet<>(FAULT_KINDS);
        allowed.addAll(Set.of("route", "vault", "times"));
        fields(f, "fault", allowed);
        String route = text(f, "route", true);
        if ("token".equals(route) || "imds".equals(route)) {
            if (f.has("vault")) {
                throw new IOException("seed: a fault on route '" + route + "' names no vault: " + f);
            }
        } else if ("vault".equals(route)) {
            text(f, "vault", true);
        } else {
            throw new IOException("seed: a fault's 'route' is \"token\", \"imds\" or \"vault\", not \"" + route + "\"");
        }
        List<String> kinds = new ArrayList<>();
        f.fieldNames().forEachRemaining(field -> {
            if (FAULT_KINDS.contains(field)) {
                kinds.add(field);
            }
        });
        if (kinds.size() != 1) {
            throw new IOException("seed: a fault has exactly one of " + new java.util.TreeSet<>(FAULT_KINDS) + ", not "
                    + (kinds.isEmpty() ? "none" : kinds) + ": " + f);
        }
        String kind = kinds.get(0);
        JsonNode value = f.get(kind);
        Fault fault;
        try {
            switch (kind) {
                case "status":
                    if (!value.canConvertToInt() || !value.isIntegralNumber()) {
                        throw new IOException("seed: a fault's 'status' is a number such as 503, not " + value);
                    }
                    fault = Fault.status(value.asInt());
                    break;
                case "throttle":
                    fault = Fault.throttle(duration(value, kind));
                    break;
                case "throttleMillis":
                    fault = Fault.throttleMillis(duration(value, kind));
                    break;
                case "latency":
                    fault = Fault.latency(duration(value, kind));
                    break;
                case "rateLimit":
                    fields(value, "fault's rateLimit", Set.of("requests", "per"));
                    JsonNode requests = value.path("requests");
                    if (!requests.isIntegralNumber() || !requests.canConvertToInt()) {
                        throw new IOException("seed: a fault's rateLimit needs 'requests', a number such as 4000, "
                                + "not " + value);
                    }
                    if (!value.hasNonNull("per")) {
                        throw new IOException("seed: a fault's rateLimit needs 'per', a duration such as \"PT10S\": "
                                + value);
                    }
                    fault = Fault.rateLimit(requests.asInt(), duration(value.get("per"), "rateLimit.per"));
                    break;
                default:
                    if (!value.isBoolean() || !value.asBoolean()) {
                        throw new IOException("seed: a fault's '" + kind + "' is true, not " + value);
                    }
                    fault = "reset".equals(kind) ? Fault.reset()
                            : "hang".equals(kind) ? Fault.hang() : Fault.throttleWithoutRetryAfter();
                    break;
            }
            if (f.has("times")) {
                JsonNode times = f.get("times");
                if (!times.isIntegralNumber() || !times.canConvertToInt()) {
                    throw new IOException("seed: a fault's 'times' is a number, not " + times);
                }
                fault = fault.times(times.asInt());
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("seed: fault " + f + ": " + e.getMessage(), e);
        }
        return fault;
    }

    private static java.time.Duration duration(JsonNode node, String what) throws IOException {
        try {
            if (node.isTextual()) {
                return java.time.Duration.parse(node.asText());
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new IOException("seed: a fault's '" + what + "' is an ISO-8601 duration such as \"PT2S\" or "
                + "\"PT0.5S\", not " + node);
    }

    private List<X509Certificate> certificates(String pemOrPath) throws IOException {
        byte[] data;
        String where;
        if (pemOrPath.contains("-----BEGIN")) {
            data = pemOrPath.getBytes(StandardCharsets.US_ASCII);
            where = "inline PEM";
        } else {
            Path file = base.resolve(pemOrPath);
            if (!Files.isRegularFile(file)) {
                throw new IOException("seed: certificate file " + pemOrPath + " (resolved against the seed's directory) "
                        + "does not exist");
            }
            data = Files.readAllBytes(file);
            where = pemOrPath;
        }
        List<X509Certificate> found = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            String text = new String(data, StandardCharsets.US_ASCII);
            if (text.contains("-----BEGIN")) {
                // A PEM file may also hold a private key (as the Key Vault VM extension writes it): take the certificates.
                Matcher m = PEM_CERTIFICATE.matcher(text);
                while (m.find()) {
                    found.add((X509Certificate) factory.generateCertificate(
                            new ByteArrayInputStream(m.group().getBytes(StandardCharsets.US_ASCII))));
                }
            } else {
                found.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(data)));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("seed: " + where + " is not an X.509 certificate: " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw new IOException("seed: " + where + " holds no certificate");
        }
        return found;
    }

    private static Instant instant(JsonNode node, String secretName) throws IOException {
        if (node.isNumber()) {
            return Instant.ofEpochSecond(node.asLong());
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw new IOException("seed: secret " + secretName + ": '" + node.asText() + "' is neither ISO-8601 "
                    + "(2027-01-01T00:00:00Z) nor epoch seconds", e);
        }
    }

    private static void fields(JsonNode node, String what, Set<String> allowed) throws IOException {
        if (!node.isObject()) {
            throw new IOException("seed: a " + what + " must be a JSON object, not " + node);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!allowed.contains(field)) {
                throw new IOException("seed: unknown field '" + field + "' in a " + what + "; allowed: " + allowed);
            }
        }
    }

    private static Iterable<JsonNode> array(JsonNode node, String field) throws IOException {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new IOException("seed: '" + field + "' must be an array");
        }
        return value;
    }

    private static String text(JsonNode node, String field, boolean required) throws IOException {
        if (!node.hasNonNull(field)) {
            if (required) {
                throw new IOException("seed: '" + field + "' is required in " + redacted(node));
            }
            return null;
        }
        return node.get(field).asText();
    }

    /** The node without a secret's value, for error messages. */
    private static String redacted(JsonNode node) {
        if (node.isObject() && node.has("value")) {
            return ((com.fasterxml.jackson.databind.node.ObjectNode) node.deepCopy()).put("value", "***").toString();
        }
        return node.toString();
    }
}
