package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A vault's certificates (Key Vault REST API 7.x, {@code /certificates}): import, create (self-signed,
 * as a long-running operation), get a certificate or a version, get the pending operation. A
 * certificate's private key and certificate are kept, as Key Vault keeps them, as the secret of the
 * same name and version, content type {@code application/x-pkcs12} (a PKCS#12 file without password,
 * base64) or {@code application/x-pem-file} (private key then certificate), per the policy's
 * {@code secret_props.contentType}: the secret the Key Vault VM extension fetches. Permissions:
 * certificate permissions {@code get}, {@code import}, {@code create} of the caller's access policy
 * ({@link #grant}; Resource Manager's access policies set them), or under Azure RBAC the data actions
 * {@code Microsoft.KeyVault/vaults/certificates/read}, {@code …/import/action}, {@code …/create/action}.
 */
public final class VaultCertificates {
    static final Pattern PATH = Pattern.compile("/certificates/([^/]+)(?:/([^/]*))?/?");
    private static final Pattern NAME = Pattern.compile("[0-9a-zA-Z-]{1,127}");
    private static final String PKCS12 = "application/x-pkcs12";
    private static final String PEM = "application/x-pem-file";

    private final Vault vault;
    private final Map<String, List<Version>> certificates = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> pending = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> policies = new ConcurrentHashMap<>();

    private static final class Version {
        final String name;
        final String version;
        final X509Certificate certificate;
        final String contentType;
        final String subject;
        final int validityMonths;
        final Instant created = Instant.now();

        Version(String name, String version, X509Certificate certificate, String contentType, String subject,
                int validityMonths) {
            this.name = name;
            this.version = version;
            this.certificate = certificate;
            this.contentType = contentType;
            this.subject = subject;
            this.validityMonths = validityMonths;
        }
    }

    VaultCertificates(Vault vault) {
        this.vault = vault;
    }

    /**
     * Adds certificate permissions to an object id's access policy, as
     * {@code Set-AzKeyVaultAccessPolicy -PermissionsToCertificates get,import,create} does.
     *
     * @param objectId a principal's object id
     * @param permissions such as {@code get}, {@code import}, {@code create}, {@code all}
     */
    public void grant(String objectId, String... permissions) {
        Set<String> granted = policies.computeIfAbsent(objectId.toLowerCase(Locale.ROOT),
                k -> ConcurrentHashMap.newKeySet());
        for (String p : permissions) {
            granted.add(p.toLowerCase(Locale.ROOT));
        }
    }

    void set(String objectId, List<String> permissions) {
        Set<String> granted = ConcurrentHashMap.newKeySet();
        permissions.forEach(p -> granted.add(p.toLowerCase(Locale.ROOT)));
        policies.put(objectId.toLowerCase(Locale.ROOT), granted);
    }

    /**
     * Imports a certificate with its private key, as {@code Import-AzKeyVaultCertificate} does.
     *
     * @param name the certificate's name
     * @param certificate the certificate
     * @param key its private key
     * @param contentType {@code application/x-pkcs12} or {@code application/x-pem-file}: how its secret is kept
     * @return the new version
     * @throws IllegalArgumentException if the name or content type is not one Key Vault takes
     */
    public String importCertificate(String name, X509Certificate certificate, PrivateKey key, String contentType) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("certificate name '" + name + "' is not 1-127 letters, digits and '-'");
        }
        if (!PKCS12.equals(contentType) && !PEM.equals(contentType)) {
            throw new IllegalArgumentException("content type " + contentType + " is neither " + PKCS12 + " nor " + PEM);
        }
        return store(name, certificate, key, contentType, certificate.getSubjectX500Principal().getName(), 12).version;
    }

    /** @return the latest version's certificate, or null */
    public X509Certificate certificate(String name) {
        List<Version> versions = certificates.get(name.toLowerCase(Locale.ROOT));
        return versions == null || versions.isEmpty() ? null : versions.get(versions.size() - 1).certificate;
    }

    private Version store(String name, X509Certificate certificate, PrivateKey key, String contentType, String subject,
            int validityMonths) {
        String secret = PEM.equals(contentType)
                ? SelfSignedCertificate.pem("PRIVATE KEY", key.getEncoded())
                        + SelfSignedCertificate.pem("CERTIFICATE", SelfSignedCertificate.der(certificate))
                : Base64.getEncoder().encodeToString(pkcs12(certificate, key));
        String version = vault.setSecret(name, secret, SecretAttributes.defaults().contentType(contentType)
                .notBefore(certificate.getNotBefore().toInstant()).expiresOn(certificate.getNotAfter().toInstant()));
        Version v = new Version(name, version, certificate, contentType, subject, validityMonths);
        certificates.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new CopyOnWriteArrayList<>()).add(v);
        return v;
    }

    private static byte[] pkcs12(X509Certificate certificate, PrivateKey key) {
        try {
            KeyStore p12 = KeyStore.getInstance("PKCS12");
            p12.load(null, null);
            p12.setKeyEntry("certificate", key, new char[0], new Certificate[] {certificate});
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p12.store(out, new char[0]);
            return out.toByteArray();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write PKCS#12", e);
        }
    }

    int route(HttpExchange exchange, Jwt token, BiPredicate<String, String> rbac) throws IOException {
        String method = exchange.getRequestMethod();
        Matcher m = PATH.matcher(exchange.getRequestURI().getPath());
        if (!m.matches()) {
            return error(exchange, 404, "NotFound", "The Azure emulator's vault serves POST /certificates/{name}/import, "
                    + "POST /certificates/{name}/create, GET /certificates/{name}[/{version}] and GET "
                    + "/certificates/{name}/pending.");
        }
        String name = m.group(1);
        String second = m.group(2) == null || m.group(2).isEmpty() ? null : m.group(2);
        if (!NAME.matcher(name).matches()) {
            return error(exchange, 400, "BadParameter", "The request URI contains an invalid name: " + name
                    + ". Certificate names are 1-127 characters of letters, digits and '-'.");
        }
        if ("POST".equals(method) && "import".equals(second)) {
            return deny(exchange, token, rbac, "import") ? 403 : importRequest(exchange, name);
        }
        if ("POST".equals(method) && "create".equals(second)) {
            return deny(exchange, token, rbac, "create") ? 403 : create(exchange, name);
        }
        if ("GET".equals(method) && "pending".equals(second)) {
            if (deny(exchange, token, rbac, "get")) {
                return 403;
            }
            ObjectNode op = pending.get(name.toLowerCase(Locale.ROOT));
            if (op == null) {
                return error(exchange, 404, "PendingCertificateNotFound", "Pending certificate not found: " + name);
            }
            op.put("status", "completed"); // a self-signed certificate is issued by the first poll
            Exchanges.json(exchange, 200, op);
            return 200;
        }
        if ("GET".equals(method)) {
            return deny(exchange, token, rbac, "get") ? 403 : get(exchange, name, second);
        }
        return error(exchange, 405, "MethodNotAllowed", "The emulator does not support " + method + " "
                + exchange.getRequestURI().getPath() + ".");
    }

    private int importRequest(HttpExchange exchange, String name) throws IOException {
        JsonNode body = readJson(exchange);
        if (body == null || !body.path("value").isTextual()) {
            return error(exchange, 400, "BadParameter", "Property 'value' is required: the certificate (PFX in base64, "
                    + "or PEM).");
        }
        String contentType = body.path("policy").path("secret_props").path("contentType").asText(PKCS12);
        String value = body.get("value").asText();
        String password = body.path("pwd").asText("");
        X509Certificate certificate = null;
        PrivateKey key = null;
        try {
            if (value.contains("-----BEGIN")) {
                key = pemKey(value);
                certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                        new ByteArrayInputStream(value.getBytes(StandardCharsets.US_ASCII)));
            } else {
                KeyStore p12 = KeyStore.getInstance("PKCS12");
                p12.load(new ByteArrayInputStream(Base64.getMimeDecoder().decode(value)), password.toCharArray());
                for (String alias : Collections.list(p12.aliases())) {
                    Key k = p12.getKey(alias, password.toCharArray());
                    if (k instanceof PrivateKey) {
                        key = (PrivateKey) k;
                        certificate = (X509Certificate) p12.getCertificate(alias);
                    }
                }
            }
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return error(exchange, 400, "BadParameter", "The specified PEM X.509 certificate content is in an "
                    + "unexpected format, or the PKCS#12 file cannot be opened with the given password.");
        }
        if (certificate == null || key == null) {
            return error(exchange, 400, "BadParameter", "The certificate to import holds no private key.");
        }
        if (!PKCS12.equals(contentType) && !PEM.equals(contentType)) {
            return error(exchange, 400, "BadParameter", "secret_props.contentType '" + contentType + "' is neither "
                    + PKCS12 + " nor " + PEM + ".");
        }
        Version v = store(name, certificate, key, contentType, certificate.getSubjectX500Principal().getName(),
                body.path("policy").path("x509_props").path("validity_months").asInt(12));
        Exchanges.json(exchange, 200, bundle(v));
        return 200;
    }

    private static PrivateKey pemKey(String pem) throws GeneralSecurityException {
        Matcher k = Pattern.compile("-----BEGIN PRIVATE KEY-----([^-]+)-----END PRIVATE KEY-----").matcher(pem);
        if (!k.find()) {
            return null;
        }
        byte[] der = Base64.getMimeDecoder().decode(k.group(1).trim());
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    private int create(HttpExchange exchange, String name) throws IOException {
        JsonNode body = readJson(exchange);
        JsonNode policy = body == null ? null : body.get("policy");
        if (policy == null) {
            return error(exchange, 400, "BadParameter", "Property 'policy' is required.");
        }
        String issuer = policy.path("issuer").path("name").asText("");
        if (!"Self".equalsIgnoreCase(issuer)) {
            return error(exchange, 400, "BadParameter", "The emulator issues self-signed certificates only "
                    + "(issuer name 'Self'), not '" + issuer + "'.");
        }
        String subject = policy.path("x509_props").path("subject").asText("");
        if (subject.isBlank()) {
            return error(exchange, 400, "BadParameter", "x509_props.subject is required.");
        }
        String kty = policy.path("key_props").path("kty").asText("RSA");
        if (!kty.startsWith("RSA")) {
            return error(exchange, 400, "BadParameter", "The emulator makes RSA keys only, not " + kty + ".");
        }
        int months = policy.path("x509_props").path("validity_months").asInt(12);
        if (months < 1) {
            return error(exchange, 400, "BadParameter", "x509_props.validity_months must be at least 1.");
        }
        String contentType = policy.path("secret_props").path("contentType").asText(PKCS12);
        if (!PKCS12.equals(contentType) && !PEM.equals(contentType)) {
            return error(exchange, 400, "BadParameter", "secret_props.contentType '" + contentType + "' is neither "
                    + PKCS12 + " nor " + PEM + ".");
        }
        Instant now = Instant.now();
        SelfSignedCertificate made = SelfSignedCertificate.create(subject, now.minus(Duration.ofMinutes(5)),
                now.plus(Duration.ofDays(30L * months)));
        store(name, made.certificate(), made.privateKey(), contentType, subject, months);
        ObjectNode op = Jwt.JSON.createObjectNode();
        op.put("id", vault.url() + "/certificates/" + name + "/pending");
        op.putObject("issuer").put("name", "Self");
        op.put("csr", Base64.getEncoder().encodeToString(SelfSignedCertificate.der(made.certificate())));
        op.put("cancellation_requested", false);
        op.put("status", "inProgress");
        op.put("status_details", "Pending certificate created. Certificate request is in progress.");
        op.put("target", vault.url() + "/certificates/" + name);
        op.put("request_id", java.util.UUID.randomUUID().toString().replace("-", ""));
        pending.put(name.toLowerCase(Locale.ROOT), op);
        Exchanges.json(exchange, 202, op);
        return 202;
    }

    private int get(HttpExchange exchange, String name, String version) throws IOException {
        List<Version> versions = certificates.get(name.toLowerCase(Locale.ROOT));
        Version found = null;
        if (versions != null && !versions.isEmpty()) {
            if (version == null) {
                found = versions.get(versions.size() - 1);
            } else {
                for (Version v : versions) {
                    if (v.version.equalsIgnoreCase(version)) {
                        found = v;
                    }
                }
            }
        }
        if (found == null) {
            return error(exchange, 404, "CertificateNotFound", "A certificate with (name/id) " + name
                    + (version == null ? "" : "/" + version) + " was not found in this key vault. If you recently "
                    + "deleted this certificate you may be able to recover it using the correct recovery command. For "
                    + "help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182");
        }
        Exchanges.json(exchange, 200, bundle(found));
        return 200;
    }

    private ObjectNode bundle(Version v) {
        String base = vault.url();
        ObjectNode node = Jwt.JSON.createObjectNode();
        node.put("id", base + "/certificates/" + v.name + "/" + v.version);
        node.put("kid", base + "/keys/" + v.name + "/" + v.version);
        node.put("sid", base + "/secrets/" + v.name + "/" + v.version);
        byte[] der = SelfSignedCertificate.der(v.certificate);
        node.put("x5t", Base64.getUrlEncoder().withoutPadding().encodeToString(SelfSignedCertificate.digest("SHA-1", der)));
        node.put("cer", Base64.getEncoder().encodeToString(der));
        ObjectNode a = node.putObject("attributes");
        a.put("enabled", true);
        a.put("nbf", v.certificate.getNotBefore().toInstant().getEpochSecond());
        a.put("exp", v.certificate.getNotAfter().toInstant().getEpochSecond());
        a.put("created", v.created.getEpochSecond());
        a.put("updated", v.created.getEpochSecond());
        a.put("recoveryLevel", "Recoverable+Purgeable");
        a.put("recoverableDays", 90);
        ObjectNode policy = node.putObject("policy");
        policy.put("id", base + "/certificates/" + v.name + "/policy");
        ObjectNode keyProps = policy.putObject("key_props");
        keyProps.put("exportable", true);
        keyProps.put("kty", "RSA");
        keyProps.put("key_size", 2048);
        keyProps.put("reuse_key", false);
        policy.putObject("secret_props").put("contentType", v.contentType);
        ObjectNode x509 = policy.putObject("x509_props");
        x509.put("subject", v.subject);
        x509.put("validity_months", v.validityMonths);
        policy.putObject("issuer").put("name", "Self");
        ObjectNode pa = policy.putObject("attributes");
        pa.put("enabled", true);
        pa.put("created", v.created.getEpochSecond());
        pa.put("updated", v.created.getEpochSecond());
        return node;
    }

    private boolean deny(HttpExchange exchange, Jwt token, BiPredicate<String, String> rbac, String permission)
            throws IOException {
        String oid = token.text("oid");
        if (rbac != null) {
            String action = "Microsoft.KeyVault/vaults/certificates/" + ("get".equals(permission) ? "read"
                    : permission + "/action");
            if (oid != null && rbac.test(oid, action)) {
                return false;
            }
            error(exchange, 403, "Forbidden", "Caller is not authorized to perform action on resource. Caller: appid="
                    + token.text("appid") + ";oid=" + oid + " Action: '" + action + "' Vault: " + vault.name()
                    + ";location=emulator");
            return true;
        }
        Set<String> granted = oid == null ? Set.of() : policies.getOrDefault(oid.toLowerCase(Locale.ROOT), Set.of());
        if (granted.contains(permission) || granted.contains("all")) {
            return false;
        }
        error(exchange, 403, "Forbidden", "The user, group or application 'appid=" + token.text("appid") + ";oid="
                + oid + "' does not have certificates " + permission + " permission on key vault '" + vault.name()
                + ";location=emulator'. For help resolving this issue, please see "
                + "https://go.microsoft.com/fwlink/?linkid=2125287");
        return true;
    }

    private static JsonNode readJson(HttpExchange exchange) throws IOException {
        try {
            return Jwt.JSON.readTree(Exchanges.body(exchange));
        } catch (IOException e) {
            return null;
        }
    }

    private static int error(HttpExchange exchange, int status, String code, String message) throws IOException {
        ObjectNode body = Jwt.JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        exchange.getResponseHeaders().set("x-ms-error-code", code);
        Exchanges.json(exchange, status, body);
        return status;
    }

    /** @return certificate names, latest version's subject, for the summary */
    List<String> names() {
        List<String> out = new ArrayList<>();
        certificates.forEach((k, versions) -> out.add(versions.get(versions.size() - 1).name + " ("
                + versions.size() + " version" + (versions.size() == 1 ? "" : "s") + ")"));
        return out;
    }
}
