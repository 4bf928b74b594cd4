package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A local stand-in for Azure over real HTTPS: the Entra ID token endpoint and Key Vaults, each
 * vault on its own port. The unmodified Azure clients talk to it; it checks what Azure checks.
 *
 * <pre>{@code
 * try (AzureEmulator azure = AzureEmulator.start()) {
 *     Application app = azure.tenant(tenantId).application(clientId).registerCertificate(cert);
 *     Vault vault = azure.createVault("myvault", tenantId);
 *     vault.setSecret("batchAdminPass", "...");
 *     vault.grant(app.principalObjectId(), "get");
 *     // point clients at azure.authorityHost() and vault.url(), trusting azure.sslContext()
 * }
 * }</pre>
 */
public final class AzureEmulator implements AutoCloseable {
    private static final String TRUST_STORE_PASSWORD = "changeit";

    private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();
    private final Map<String, Vault> vaults = new ConcurrentHashMap<>();
    private final KeyPair tokenKeys = Pki.rsaKeyPair();
    private final X509Certificate caCertificate;
    private final SSLContext serverContext;
    private final SSLContext clientContext;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "azure-emulator");
        t.setDaemon(true);
        return t;
    });
    private final EntraId entraId = new EntraId(tenants, tokenKeys);
    private final HttpsServer login;
    private final Path tempDir;
    private final Path trustStore;

    private AzureEmulator() throws IOException {
        Instant now = Instant.now();
        KeyPair caKeys = Pki.rsaKeyPair();
        caCertificate = Pki.selfSigned(caKeys, "CN=BatchVault Emulator CA", now.minusSeconds(3600),
                now.plusSeconds(30L * 24 * 3600), true);
        KeyPair serverKeys = Pki.rsaKeyPair();
        X509Certificate serverCertificate = Pki.server(serverKeys.getPublic(), caCertificate, caKeys.getPrivate());
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", serverKeys.getPrivate(), new char[0],
                    new Certificate[] {serverCertificate, caCertificate});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            serverContext = SSLContext.getInstance("TLS");
            serverContext.init(kmf.getKeyManagers(), null, null);

            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("batchvault-emulator-ca", caCertificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            clientContext = SSLContext.getInstance("TLS");
            clientContext.init(null, tmf.getTrustManagers(), null);

            tempDir = Files.createTempDirectory("batchvault-emulator");
            trustStore = tempDir.resolve("emulator-truststore.p12");
            try (OutputStream out = Files.newOutputStream(trustStore)) {
                trust.store(out, TRUST_STORE_PASSWORD.toCharArray());
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up the emulator's TLS", e);
        }
        login = server(0, entraId);
        entraId.authorityHost("https://localhost:" + login.getAddress().getPort());
    }

    /**
     * Starts the emulator: the login endpoint on an ephemeral port, bound to the wildcard address.
     *
     * @return the running emulator
     */
    public static AzureEmulator start() {
        try {
            return new AzureEmulator();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the emulator and applies a seed file (see the module README for its format).
     *
     * @param seedFile the JSON seed
     * @return the running emulator
     * @throws IOException if the seed cannot be read or is malformed
     */
    public static AzureEmulator start(Path seedFile) throws IOException {
        AzureEmulator emulator = start();
        try {
            emulator.seed(seedFile);
            return emulator;
        } catch (IOException | RuntimeException e) {
            emulator.close();
            throw e;
        }
    }

    /** @return {@code https://localhost:<port>}, the Entra ID authority host */
    public String authorityHost() {
        return "https://localhost:" + login.getAddress().getPort();
    }

    /** @return a client TLS context that trusts the emulator's CA */
    public SSLContext sslContext() {
        return clientContext;
    }

    /** @return the emulator's CA certificate */
    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /** @return a PKCS#12 trust store file holding the CA certificate, for {@code -Djavax.net.ssl.trustStore} */
    public Path trustStore() {
        return trustStore;
    }

    /** @return the trust store's password */
    public String trustStorePassword() {
        return TRUST_STORE_PASSWORD;
    }

    /**
     * @param tenantId a tenant id
     * @return the tenant, made on first use
     */
    public Tenant tenant(String tenantId) {
        return tenants.computeIfAbsent(tenantId.toLowerCase(Locale.ROOT), Tenant::new);
    }

    /**
     * Creates a vault on a new HTTPS port.
     *
     * @param name the vault's name
     * @param tenantId the tenant whose tokens it accepts (made if absent)
     * @return the vault
     */
    public Vault createVault(String name, String tenantId) {
        return createVault(name, tenantId, 0);
    }

    Vault createVault(String name, String tenantId, int port) {
        tenant(tenantId);
        Vault[] holder = new Vault[1];
        HttpsServer server;
        try {
            server = server(port, exchange -> holder[0].handle(exchange));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Vault vault = new Vault(name, tenantId.toLowerCase(Locale.ROOT), server, tokenKeys.getPublic());
        holder[0] = vault;
        if (vaults.putIfAbsent(name.toLowerCase(Locale.ROOT), vault) != null) {
            server.stop(0);
            throw new IllegalArgumentException("a vault named " + name + " exists already");
        }
        return vault;
    }

    /**
     * @param name a vault's name
     * @return the vault
     * @throws IllegalArgumentException if there is none by that name
     */
    public Vault vault(String name) {
        Vault vault = vaults.get(name.toLowerCase(Locale.ROOT));
        if (vault == null) {
            throw new IllegalArgumentException("no vault named " + name + "; vaults: " + vaults.keySet());
        }
        return vault;
    }

    /** @return requests to the token endpoint, all tenants */
    public long tokenRequests() {
        return entraId.requests();
    }

    /** @return tokens issued */
    public long tokensIssued() {
        return entraId.issued();
    }

    /** Stops every server and deletes the trust store. */
    @Override
    public void close() {
        login.stop(0);
        vaults.values().forEach(Vault::stop);
        executor.shutdownNow();
        try {
            Files.deleteIfExists(trustStore);
            Files.deleteIfExists(tempDir);
        } catch (IOException e) {
            // a temp file left behind is harmless
        }
    }

    private HttpsServer server(int port, HttpHandler handler) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(port), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        server.createContext("/", handler);
        server.setExecutor(executor);
        server.start();
        return server;
    }

    private void seed(Path seedFile) throws IOException {
        JsonNode root = Jwt.JSON.readTree(seedFile.toFile());
        Path base = seedFile.toAbsolutePath().getParent();
        for (JsonNode t : root.path("tenants")) {
            Tenant tenant = tenant(required(t, "id"));
            for (JsonNode a : t.path("applications")) {
                Application app = tenant.application(required(a, "clientId"), a.path("objectId").asText(null));
                for (JsonNode c : a.path("certificates")) {
                    app.registerCertificate(certificate(base, c.asText()));
                }
            }
        }
        for (JsonNode v : root.path("vaults")) {
            String tenantId = required(v, "tenant");
            Vault vault = createVault(required(v, "name"), tenantId, v.path("port").asInt(0));
            for (JsonNode s : v.path("secrets")) {
                SecretAttributes attributes = SecretAttributes.defaults().enabled(s.path("enabled").asBoolean(true));
                if (s.hasNonNull("contentType")) {
                    attributes = attributes.contentType(s.get("contentType").asText());
                }
                if (s.hasNonNull("nbf")) {
                    attributes = attributes.notBefore(Instant.parse(s.get("nbf").asText()));
                }
                if (s.hasNonNull("exp")) {
                    attributes = attributes.expiresOn(Instant.parse(s.get("exp").asText()));
                }
                vault.setSecret(required(s, "name"), required(s, "value"), attributes);
            }
            for (JsonNode p : v.path("accessPolicies")) {
                String objectId = p.hasNonNull("objectId") ? p.get("objectId").asText()
                        : principalOf(tenantId, required(p, "clientId"));
                List<String> permissions = new ArrayList<>();
                p.path("secrets").forEach(x -> permissions.add(x.asText()));
                vault.grant(objectId, permissions.toArray(new String[0]));
            }
        }
    }

    private String principalOf(String tenantId, String clientId) throws IOException {
        Application app = tenant(tenantId).findApplication(clientId);
        if (app == null) {
            throw new IOException("seed: access policy names client id " + clientId + ", which no application in tenant "
                    + tenantId + " has");
        }
        return app.principalObjectId();
    }

    private static String required(JsonNode node, String field) throws IOException {
        if (!node.hasNonNull(field)) {
            throw new IOException("seed: '" + field + "' is required in " + node);
        }
        return node.get(field).asText();
    }

    private static X509Certificate certificate(Path base, String pemOrPath) throws IOException {
        byte[] pem = pemOrPath.contains("-----BEGIN") ? pemOrPath.getBytes(java.nio.charset.StandardCharsets.US_ASCII)
                : Files.readAllBytes(base.resolve(pemOrPath));
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem));
        } catch (GeneralSecurityException e) {
            throw new IOException("seed: not a PEM certificate: " + pemOrPath, e);
        }
    }

    /**
     * Runs the emulator standalone from a seed file until the process is stopped.
     *
     * @param args the seed file's path
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: AzureEmulator <seed.json>");
            System.exit(64);
        }
        AzureEmulator emulator = start(Path.of(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close));
        System.out.println("Entra ID authority host: " + emulator.authorityHost());
        for (Vault v : emulator.vaults.values()) {
            System.out.println("Vault " + v.name() + ": " + v.url() + " (tenant " + v.tenantId() + ")");
        }
        System.out.println("Trust store: " + emulator.trustStore() + " (password " + emulator.trustStorePassword() + ")");
        System.out.println();
        System.out.println("Client settings:");
        System.out.println("  BATCHVAULT_AUTHORITY_HOST=" + emulator.authorityHost());
        emulator.vaults.values().stream().findFirst().ifPresent(v -> {
            System.out.println("  BATCHVAULT_VAULT_URL=" + v.url());
            System.out.println("  BATCHVAULT_TENANT_ID=" + v.tenantId());
        });
        System.out.println("  BATCHVAULT_CLIENT_ID=<an application's clientId from the seed>");
        System.out.println("  java -Djavax.net.ssl.trustStore=" + emulator.trustStore()
                + " -Djavax.net.ssl.trustStorePassword=" + emulator.trustStorePassword() + " ...");
        Thread.currentThread().join();
    }
}
