package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code Microsoft.Batch/batchAccounts}: account certificates (the seed's path, retired 2024-02-29
 * but still served to accounts that use it) and pools with certificate references, for
 * {@link ResourceManager}. Pools are not made here (only {@link ResourceManager#addPool}); their
 * certificate references are read and updated.
 */
final class BatchAccounts {
    private static final Pattern PATH = Pattern.compile(
            "(/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Batch/batchAccounts/([^/]+))"
                    + "/(certificates|pools)/([^/]+)/?", Pattern.CASE_INSENSITIVE);
    private static final Pattern CERTIFICATE_NAME = Pattern.compile("sha1-([0-9a-fA-F]{40})");

    private final ResourceManager arm;
    private final Map<String, String> accounts = new ConcurrentHashMap<>();
    /** Certificate id (lower case) -> stored certificate. */
    private final Map<String, StoredCertificate> certificates = new ConcurrentHashMap<>();
    /** Pool id (lower case) -> pool JSON. */
    private final Map<String, ObjectNode> pools = new ConcurrentHashMap<>();

    private static final class StoredCertificate {
        final String id;
        final String thumbprint;
        final byte[] pfx;
        final String password;
        final X509Certificate certificate;
        final String etag = "W/\"" + UUID.randomUUID() + "\"";

        StoredCertificate(String id, String thumbprint, byte[] pfx, String password, X509Certificate certificate) {
            this.id = id;
            this.thumbprint = thumbprint;
            this.pfx = pfx;
            this.password = password;
            this.certificate = certificate;
        }
    }

    BatchAccounts(ResourceManager arm) {
        this.arm = arm;
    }

    static boolean matches(String path) {
        return PATH.matcher(path).matches();
    }

    String addAccount(String subscriptionId, String resourceGroup, String name) {
        String id = "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
                + "/providers/Microsoft.Batch/batchAccounts/" + name;
        accounts.put(id.toLowerCase(Locale.ROOT), id);
        return id;
    }

    String addPool(String accountId, String poolName) {
        if (!accounts.containsKey(accountId.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("no Batch account " + accountId);
        }
        String id = accountId + "/pools/" + poolName;
        ObjectNode pool = Jwt.JSON.createObjectNode();
        pool.put("id", id);
        pool.put("name", poolName);
        pool.put("type", "Microsoft.Batch/batchAccounts/pools");
        pool.put("etag", "W/\"" + UUID.randomUUID() + "\"");
        ObjectNode p = pool.putObject("properties");
        p.put("vmSize", "STANDARD_D2S_V3");
        p.put("provisioningState", "Succeeded");
        p.put("allocationState", "Steady");
        p.putArray("certificates");
        pools.put(id.toLowerCase(Locale.ROOT), pool);
        return id;
    }

    Path layOutNode(String poolId, Path nodeDirectory) {
        ObjectNode pool = pools.get(poolId.toLowerCase(Locale.ROOT));
        if (pool == null) {
            throw new IllegalArgumentException("no pool " + poolId);
        }
        Path certs = nodeDirectory.resolve("certs");
        try {
            Files.createDirectories(certs);
            for (JsonNode ref : pool.get("properties").get("certificates")) {
                StoredCertificate c = certificates.get(ref.path("id").asText().toLowerCase(Locale.ROOT));
                if (c == null) {
                    continue;
                }
                String base = "sha1-" + c.thumbprint.toLowerCase(Locale.ROOT);
                Files.write(certs.resolve(base + ".pfx"), c.pfx);
                Files.writeString(certs.resolve(base + ".pfx.pw"), c.password, StandardCharsets.UTF_8);
            }
            return certs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lay out the node in " + nodeDirectory, e);
        }
    }

    String summary() {
        StringBuilder out = new StringBuilder();
        for (ObjectNode pool : pools.values()) {
            List<String> refs = new ArrayList<>();
            pool.get("properties").get("certificates").forEach(r -> refs.add(r.path("id").asText()
                    .replaceAll(".*/", "") + " " + r.path("storeLocation").asText() + "/" + r.path("storeName").asText()));
            out.append("  pool ").append(pool.get("id").asText()).append(" certificates ").append(refs).append('\n');
        }
        return out.toString();
    }

    int route(HttpExchange exchange, String method, String path, String caller) throws IOException {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            throw new IllegalStateException(path);
        }
        String accountId = accounts.get(m.group(1).toLowerCase(Locale.ROOT));
        if (accountId == null) {
            return ResourceManager.error(exchange, 404, "ResourceNotFound", "The Resource 'Microsoft.Batch/batchAccounts/"
                    + m.group(4) + "' under resource group '" + m.group(3) + "' was not found. For more details please "
                    + "go to https://aka.ms/ARMResourceNotFoundFix");
        }
        boolean isCertificate = m.group(5).equalsIgnoreCase("certificates");
        String id = accountId + "/" + (isCertificate ? "certificates" : "pools") + "/" + m.group(6);
        String kind = isCertificate ? "certificates" : "pools";
        String action = "Microsoft.Batch/batchAccounts/" + kind + ("GET".equals(method) ? "/read" : "/write");
        if (!arm.allowed(caller, action, id)) {
            return arm.forbidden(exchange, caller, action, id);
        }
        if (isCertificate) {
            if ("GET".equals(method)) {
                StoredCertificate c = certificates.get(id.toLowerCase(Locale.ROOT));
                if (c == null) {
                    return ResourceManager.error(exchange, 404, "CertificateNotFound", "The specified certificate does "
                            + "not exist.");
                }
                Exchanges.json(exchange, 200, certificateJson(c, m.group(6)));
                return 200;
            }
            if ("PUT".equals(method)) {
                return putCertificate(exchange, id, m.group(6));
            }
        } else {
            ObjectNode pool = pools.get(id.toLowerCase(Locale.ROOT));
            if ("PUT".equals(method)) {
                return putPool(exchange, id, m.group(6), pool);
            }
            if (pool == null) {
                return ResourceManager.error(exchange, 404, "PoolNotFound", "The specified pool does not exist.");
            }
            if ("GET".equals(method)) {
                Exchanges.json(exchange, 200, pool);
                return 200;
            }
            if ("PATCH".equals(method)) {
                return patchPool(exchange, pool);
            }
        }
        return ResourceManager.error(exchange, 400, "NoRegisteredProviderFound", "The emulator's Microsoft.Batch serves "
                + "GET and PUT of account certificates and GET, PUT and PATCH of pools.");
    }

    private int putCertificate(HttpExchange exchange, String id, String name) throws IOException {
        JsonNode body = ResourceManager.readJson(exchange);
        JsonNode p = body == null ? null : body.get("properties");
        if (p == null) {
            return ResourceManager.error(exchange, 400, "InvalidRequestBody", "properties is required.");
        }
        Matcher nm = CERTIFICATE_NAME.matcher(name);
        String thumbprint = p.path("thumbprint").asText("");
        if (!nm.matches() || !"sha1".equalsIgnoreCase(p.path("thumbprintAlgorithm").asText("sha1"))
                || !nm.group(1).equalsIgnoreCase(thumbprint)) {
            return ResourceManager.error(exchange, 400, "CertificateNameMismatch", "The certificate name '" + name
                    + "' must be the thumbprint algorithm and thumbprint joined by a hyphen: sha1-" + thumbprint + ".");
        }
        if (!"Pfx".equalsIgnoreCase(p.path("format").asText("Pfx"))) {
            return ResourceManager.error(exchange, 400, "InvalidCertificateFormat", "The emulator takes Pfx certificates.");
        }
        byte[] data;
        try {
            data = Base64.getMimeDecoder().decode(p.path("data").asText(""));
        } catch (IllegalArgumentException e) {
            return ResourceManager.error(exchange, 400, "InvalidCertificateData", "data is not base64.");
        }
        if (data.length == 0 || data.length > 10 * 1024) {
            return ResourceManager.error(exchange, 400, "InvalidCertificateData", "data must hold a certificate of at "
                    + "most 10 KB, not " + data.length + " bytes.");
        }
        String password = p.path("password").asText(null);
        X509Certificate cert;
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(data), password == null ? new char[0] : password.toCharArray());
            cert = null;
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    cert = (X509Certificate) store.getCertificate(alias);
                }
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            return ResourceManager.error(exchange, 400, "InvalidCertificatePassword", "The PFX cannot be opened with the "
                    + "given password.");
        }
        if (cert == null) {
            return ResourceManager.error(exchange, 400, "InvalidCertificateData", "The PFX holds no private key.");
        }
        String actual = HexFormat.of().withUpperCase().formatHex(
                SelfSignedCertificate.digest("SHA-1", SelfSignedCertificate.der(cert)));
        if (!actual.equalsIgnoreCase(thumbprint)) {
            return ResourceManager.error(exchange, 400, "CertificateThumbprintMismatch", "The thumbprint " + thumbprint
                    + " does not match the certificate's (" + actual + ").");
        }
        StoredCertificate stored = new StoredCertificate(id, actual, data, password == null ? "" : password, cert);
        boolean existed = certificates.put(id.toLowerCase(Locale.ROOT), stored) != null;
        Exchanges.json(exchange, existed ? 200 : 200, certificateJson(stored, name));
        return 200;
    }

    private static ObjectNode certificateJson(StoredCertificate c, String name) {
        ObjectNode node = Jwt.JSON.createObjectNode();
        node.put("id", c.id);
        node.put("name", name);
        node.put("type", "Microsoft.Batch/batchAccounts/certificates");
        node.put("etag", c.etag);
        ObjectNode p = node.putObject("properties");
        p.put("thumbprintAlgorithm", "sha1");
        p.put("thumbprint", c.thumbprint);
        p.put("format", "Pfx");
        p.put("provisioningState", "Succeeded");
        p.put("provisioningStateTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        p.put("publicData", Base64.getEncoder().encodeToString(SelfSignedCertificate.der(c.certificate)));
        return node;
    }

    /**
     * Pool_Create: a pool with a user-assigned identity (each must exist; answered with its principal
     * and client id) and whatever deployment configuration it gives, such as VM extensions. A pool that
     * exists is replaced, as a PUT without If-None-Match does.
     */
    private int putPool(HttpExchange exchange, String id, String name, ObjectNode existing) throws IOException {
        JsonNode body = ResourceManager.readJson(exchange);
        if (body == null || !body.has("properties")) {
            return ResourceManager.error(exchange, 400, "InvalidRequestBody", "properties is required.");
        }
        ObjectNode pool = Jwt.JSON.createObjectNode();
        pool.put("id", id);
        pool.put("name", name);
        pool.put("type", "Microsoft.Batch/batchAccounts/pools");
        pool.put("etag", "W/\"" + UUID.randomUUID() + "\"");
        JsonNode identity = body.get("identity");
        if (identity != null && !identity.isNull()) {
            ObjectNode answered = pool.putObject("identity");
            answered.put("type", identity.path("type").asText("None"));
            ObjectNode assigned = answered.putObject("userAssignedIdentities");
            var names = identity.path("userAssignedIdentities").fieldNames();
            while (names.hasNext()) {
                String identityId = names.next();
                ObjectNode known = arm.identity(identityId);
                if (known == null) {
                    return ResourceManager.error(exchange, 400, "InvalidPropertyValue", "The user-assigned identity '"
                            + identityId + "' does not exist.");
                }
                ObjectNode ids = assigned.putObject(identityId);
                ids.put("principalId", known.at("/properties/principalId").asText());
                ids.put("clientId", known.at("/properties/clientId").asText());
            }
        }
        ObjectNode properties = ((ObjectNode) body.get("properties")).deepCopy();
        properties.put("provisioningState", "Succeeded");
        properties.put("allocationState", "Steady");
        if (!properties.has("certificates")) {
            properties.putArray("certificates");
        }
        pool.set("properties", properties);
        pools.put(id.toLowerCase(Locale.ROOT), pool);
        Exchanges.json(exchange, 200, pool);
        return 200;
    }

    private int patchPool(HttpExchange exchange, ObjectNode pool) throws IOException {
        JsonNode body = ResourceManager.readJson(exchange);
        JsonNode refs = body == null ? null : body.path("properties").get("certificates");
        if (refs != null) {
            if (!refs.isArray()) {
                return ResourceManager.error(exchange, 400, "InvalidRequestBody", "properties.certificates is an array.");
            }
            List<ObjectNode> checked = new ArrayList<>();
            for (JsonNode r : refs) {
                String id = r.path("id").asText("");
                if (!certificates.containsKey(id.toLowerCase(Locale.ROOT))) {
                    return ResourceManager.error(exchange, 400, "InvalidCertificateReference", "The certificate '" + id
                            + "' does not exist in the account.");
                }
                ObjectNode ref = Jwt.JSON.createObjectNode();
                ref.put("id", id);
                ref.put("storeLocation", r.path("storeLocation").asText("CurrentUser"));
                ref.put("storeName", r.path("storeName").asText("My"));
                ArrayNode visibility = ref.putArray("visibility");
                r.path("visibility").forEach(v -> visibility.add(v.asText()));
                checked.add(ref);
            }
            synchronized (pool) {
                ArrayNode list = ((ObjectNode) pool.get("properties")).putArray("certificates");
                checked.forEach(list::add);
                pool.put("etag", "W/\"" + UUID.randomUUID() + "\"");
            }
        }
        Exchanges.json(exchange, 200, pool);
        return 200;
    }
}
