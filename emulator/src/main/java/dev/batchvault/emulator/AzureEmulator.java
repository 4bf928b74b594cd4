package dev.batchvault.emulator;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
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
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * A local stand-in for Azure over real HTTPS: the Entra ID token endpoint and Key Vaults, each
 * vault on its own port. The unmodified Azure clients (azure-identity with MSAL4J, the Key Vault
 * {@code SecretClient}) talk to it; it checks what Azure checks.
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
 *
 * <p>Thread-safe. Every server binds to the wildcard address; the TLS server certificate names
 * {@code localhost}, {@code 127.0.0.1}, {@code 127.0.0.2} and {@code ::1}.
 */
public final class AzureEmulator implements AutoCloseable {
    private static final String TRUST_STORE_PASSWORD = "changeit";
    private static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final int THREADS = 8;

    static {
        // The JDK server writes headers and body separately; with Nagle's algorithm and the client's
        // delayed ACK each answer waits about 40 ms on loopback. Azure answers at once. Read by the
        // JDK's server configuration once, before the first server starts; a setting given on the
        // command line wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();
    private final Map<String, Vault> vaults = Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    private final AccessTokens tokens = new AccessTokens(Pki.rsaKeyPair());
    private final RequestJournal journal = new RequestJournal();
    private final X509Certificate caCertificate;
    private final SSLContext serverContext;
    private final SSLContext clientContext;
    private final ExecutorService executor;
    private final EntraId entraId = new EntraId(tenants, tokens);
    private final Endpoint login = new Endpoint(entraId, journal);
    private final HttpsServer loginServer;
    private final Path tempDir;
    private final Path trustStore;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Imds imds;
    private Graph graph;
    private ResourceManager resourceManager;
    private final List<Served> served = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * A route on a port of its own, made by {@link #serve(Route, int)}.
     *
     * @param endpoint runs the route's requests: its faults and journal
     * @param server the HTTPS server it listens on
     */
    record Served(Endpoint endpoint, HttpsServer server) {
        /** @return {@code https://localhost:<port>} */
        String url() {
            return "https://localhost:" + server.getAddress().getPort();
        }
    }

    private AzureEmulator() throws IOException {
        Instant now = Instant.now();
        KeyPair caKeys = Pki.rsaKeyPair();
        caCertificate = Pki.selfSigned(caKeys, "CN=BatchVault Azure Emulator CA", now.minusSeconds(3600),
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
        AtomicInteger threadNumber = new AtomicInteger();
        executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "azure-emulator-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            loginServer = server(0, login);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            deleteTempFiles();
            throw e;
        }
        entraId.authorityHost(authorityHost());
    }

    /**
     * Starts the emulator: the login endpoint on an ephemeral port, bound to the wildcard address.
     * Vaults are made with {@link #createVault(String, String)}, each on its own ephemeral port.
     *
     * @return the running emulator; close it to stop it
     * @throws UncheckedIOException if a server cannot start
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
     * @param seedFile the JSON seed; relative certificate paths resolve against its directory
     * @return the running emulator
     * @throws IOException if the seed cannot be read or is malformed (the emulator is closed then)
     */
    public static AzureEmulator start(Path seedFile) throws IOException {
        AzureEmulator emulator = start();
        try {
            Seed.apply(emulator, seedFile);
            return emulator;
        } catch (IOException | RuntimeException e) {
            emulator.close();
            throw e;
        }
    }

    /** @return {@code https://localhost:<port>}, the Entra ID authority host, without a trailing slash */
    public String authorityHost() {
        return "https://localhost:" + loginServer.getAddress().getPort();
    }

    /** @return a client TLS context that trusts the emulator's CA (and nothing else) */
    public SSLContext sslContext() {
        return clientContext;
    }

    /** @return the emulator's CA certificate, issuer of its server certificate */
    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /**
     * @return a PKCS#12 trust store file holding the CA certificate, for {@code -Djavax.net.ssl.trustStore};
     *     written at start into a temporary directory, deleted by {@link #close()}
     */
    public Path trustStore() {
        return trustStore;
    }

    /** @return the trust store's password, {@code changeit} */
    public String trustStorePassword() {
        return TRUST_STORE_PASSWORD;
    }

    /**
     * @param tenantId a tenant id
     * @return the tenant, made on first use
     */
    public Tenant tenant(String tenantId) {
        if (tenantId == null || tenantId.isBlank()) {
            throw new IllegalArgumentException("a tenant id is required");
        }
        return tenants.computeIfAbsent(tenantId.toLowerCase(Locale.ROOT), Tenant::new);
    }

    /**
     * Creates a vault on a new HTTPS port (ephemeral, on the wildcard address).
     *
     * @param name the vault's name, unique in this emulator (case-insensitive)
     * @param tenantId the tenant whose tokens it accepts (made if absent)
     * @return the vault
     * @throws IllegalArgumentException if a vault by that name exists
     */
    public Vault createVault(String name, String tenantId) {
        return createVault(name, tenantId, 0);
    }

    Vault createVault(String name, String tenantId, int port) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a vault name is required");
        }
        Tenant tenant = tenant(tenantId);
        String key = name.toLowerCase(Locale.ROOT);
        synchronized (vaults) {
            if (vaults.containsKey(key)) {
                throw new IllegalArgumentException("a vault named " + name + " exists already");
            }
            java.util.concurrent.atomic.AtomicReference<Vault> holder = new java.util.concurrent.atomic.AtomicReference<>();
            HttpsServer server;
            try {
                server = server(port, exchange -> {
                    Vault ready = holder.get();
                    if (ready == null) {
                        exchange.sendResponseHeaders(503, -1);
                        exchange.close();
                    } else {
                        ready.endpoint().handle(exchange);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start vault " + name + " on port " + port, e);
            }
            Vault vault = new Vault(name, tenant.id(), server, tokens, journal);
            holder.set(vault);
            vaults.put(key, vault);
            return vault;
        }
    }

    /**
     * @param name a vault's name
     * @return the vault
     * @throws IllegalArgumentException if there is none by that name
     */
    public Vault vault(String name) {
        Vault vault = name == null ? null : vaults.get(name.toLowerCase(Locale.ROOT));
        if (vault == null) {
            throw new IllegalArgumentException("no vault named " + name + "; vaults: "
                    + vaults().stream().map(Vault::name).toList());
        }
        return vault;
    }

    /** @return every vault, in the order they were made (an addition to the contract) */
    public List<Vault> vaults() {
        synchronized (vaults) {
            return List.copyOf(vaults.values());
        }
    }

    /**
     * Microsoft Graph (applications and service principals) on its own HTTPS port, started on first use.
     *
     * @return the Graph service
     * @throws UncheckedIOException if its server cannot start
     */
    public synchronized Graph graph() {
        if (graph == null) {
            Graph made = new Graph(tokens.keys().getPublic(), this::tenant);
            made.served(serve(made, 0));
            graph = made;
        }
        return graph;
    }

    /**
     * Azure Resource Manager (Key Vault vaults and role assignments) on its own HTTPS port, started on
     * first use; vaults it creates are vaults of this emulator.
     *
     * @return the Resource Manager service
     * @throws UncheckedIOException if its server cannot start
     */
    public synchronized ResourceManager resourceManager() {
        if (resourceManager == null) {
            ResourceManager made = new ResourceManager(tokens.keys().getPublic(), this::tenant, this::createVault);
            made.served(serve(made, 0));
            resourceManager = made;
        }
        return resourceManager;
    }

    /** @return the management services' summaries, for those started; empty if none */
    synchronized String managementSummary() {
        return (graph == null ? "" : graph.summary()) + (resourceManager == null ? "" : resourceManager.summary());
    }

    /** @return requests to the token endpoint, all tenants, whatever their outcome */
    public long tokenRequests() {
        return entraId.requests();
    }

    /** @return successful token responses */
    public long tokensIssued() {
        return entraId.issued();
    }

    /**
     * Injects a fault into the token endpoint, {@code POST /{tenant}/oauth2/v2.0/token}, for every
     * tenant. Faults queue as at a vault ({@link Vault#inject(Fault)}); {@link #tokenRequests()} counts
     * faulted requests too, {@link #tokensIssued()} only tokens actually issued.
     *
     * @param fault the fault; see {@link Fault}
     */
    public void injectToken(Fault fault) {
        login.faults().add(fault);
    }

    /** Removes every fault, at the token endpoint, at IMDS and at every vault. Held requests stay held until close. */
    public void clearFaults() {
        login.faults().clear();
        vaults().forEach(Vault::clearFaults);
        Imds started = startedImds();
        if (started != null) {
            started.clearFaults();
        }
    }

    /**
     * The simulated node's instance metadata service: plain HTTP on {@code 127.0.0.1}, started on first use,
     * its requests in the emulator's journal too. Assign user-assigned identities to the node there
     * ({@link Imds#assign(ManagedIdentity)}).
     *
     * @return the node's IMDS
     * @throws UncheckedIOException if its server cannot start
     * @throws IllegalStateException if the emulator is closed
     */
    public synchronized Imds imds() {
        if (closed.get()) {
            throw new IllegalStateException("the emulator is closed");
        }
        if (imds == null) {
            try {
                imds = new Imds(tokens, journal, executor);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the instance metadata service", e);
            }
        }
        return imds;
    }

    /** @return IMDS if it was started, else null */
    synchronized Imds startedImds() {
        return imds;
    }

    /** @return how many token requests a fault answered (or delayed, or dropped, or held) */
    public long tokenFaultsServed() {
        return login.faults().served();
    }

    /**
     * Stops every server (closing requests held by {@link Fault#hang()}, and dropping those a
     * {@link Fault#latency latency} delays) and deletes the trust store and its directory. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        login.faults().releaseHeld();
        loginServer.stop(0);
        for (Served s : served) {
            s.endpoint().faults().releaseHeld();
            s.server().stop(0);
        }
        vaults().forEach(Vault::stop);
        Imds started = startedImds();
        if (started != null) {
            started.stop();
        }
        executor.shutdownNow();
        deleteTempFiles();
    }

    private void deleteTempFiles() {
        try {
            if (trustStore != null) {
                Files.deleteIfExists(trustStore);
            }
            if (tempDir != null) {
                Files.deleteIfExists(tempDir);
            }
        } catch (IOException e) {
            // a temporary file left behind is harmless
        }
    }

    /**
     * Every request the emulator received, at the token endpoint and every vault, in the order they
     * ended; each {@link RecordedRequest#route()} says which. {@link Vault#journal()} and
     * {@link #loginJournal()} hold the same requests per route.
     *
     * @return the emulator's journal
     */
    public RequestJournal journal() {
        return journal;
    }

    /** @return the login endpoint's requests: tokens, metadata, discovery and keys documents */
    public RequestJournal loginJournal() {
        return login.journal();
    }

    /** @return the tenants, by lower-case id */
    Collection<Tenant> tenants() {
        return tenants.values();
    }

    /** @return the token endpoint's faults still active */
    List<Fault> tokenFaults() {
        return login.faults().active();
    }

    /** Issues and verifies access tokens; tests use it to forge tokens that differ from a real one in a claim. */
    AccessTokens accessTokens() {
        return tokens;
    }

    /**
     * Serves a route on its own HTTPS port (the emulator's TLS, threads and journal), until
     * {@link #close()}. The way to add a service: see the module README, "Adding a route".
     *
     * @param route the service
     * @param port a fixed port, or 0 for an ephemeral one
     * @return the endpoint (its faults and journal) and its server
     * @throws UncheckedIOException if the server cannot start
     */
    Served serve(Route route, int port) {
        Endpoint endpoint = new Endpoint(route, journal);
        try {
            Served s = new Served(endpoint, server(port, endpoint));
            served.add(s);
            if (closed.get()) {
                s.server().stop(0);
                throw new IllegalStateException("the emulator is closed");
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve " + route.name() + " on port " + port, e);
        }
    }

    private HttpsServer server(int port, HttpHandler handler) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(port), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
                parameters.setProtocols(TLS_PROTOCOLS);
                params.setSSLParameters(parameters);
            }
        });
        server.createContext("/", handler);
        server.setExecutor(executor);
        server.start();
        return server;
    }
}
