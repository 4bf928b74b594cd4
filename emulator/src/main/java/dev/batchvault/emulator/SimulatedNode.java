package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated Linux node of a pool made through the emulator's Resource Manager, laid out in a
 * directory as Batch and the Key Vault VM extension lay out a real one:
 * <ul>
 *   <li>the pool's account certificates (the seed's path) as {@code certs/sha1-<thumbprint>.pfx} and
 *       {@code .pfx.pw}, the directory {@code AZ_BATCH_CERTIFICATES_DIR} names;</li>
 *   <li>the pool's user-assigned identities {@linkplain Imds#assign assigned} at the emulator's IMDS,
 *       so that code on the node gets their tokens there;</li>
 *   <li>with the {@code KeyVaultForLinux} extension, each observed certificate fetched as the extension
 *       fetches it (an IMDS token for {@code authenticationSettings.msiClientId}, then the vault's
 *       {@code GET /secrets/<name>}: so the identity needs secrets {@code get}) and written under
 *       {@code certificateStoreLocation} (inside the node directory) as a PEM file
 *       {@code <vault>.<certificate>.<version>} (private key, then the certificate) with a
 *       {@code <vault>.<certificate>} symlink to it, in a folder of mode 0700.</li>
 * </ul>
 * Made by {@link #start(AzureEmulator, String, Path)}. The Windows extension is not simulated (nodes here are Linux).
 */
public final class SimulatedNode {
    /** The Linux extension's default {@code certificateStoreLocation}. */
    public static final String LINUX_STORE = "/var/lib/waagent/Microsoft.Azure.KeyVault.Store";

    private static final Pattern OBSERVED = Pattern.compile("(https://[^/]+)/(?:certificates|secrets)/([0-9a-zA-Z-]{1,127})"
            + "(?:/([0-9a-zA-Z]*))?/?");

    private final Path directory;
    private final Path certificatesDirectory;
    private final Path extensionStore;
    private final List<Path> extensionCertificates;
    private final List<ManagedIdentity> identities;
    private final String imdsEndpoint;
    private final AzureEmulator azure;
    private final String extensionClientId;
    private final List<String> observed;

    private SimulatedNode(Path directory, Path certificatesDirectory, Path extensionStore,
            List<Path> extensionCertificates, List<ManagedIdentity> identities, String imdsEndpoint,
            AzureEmulator azure, String extensionClientId, List<String> observed) {
        this.azure = azure;
        this.extensionClientId = extensionClientId;
        this.observed = List.copyOf(observed);
        this.directory = directory;
        this.certificatesDirectory = certificatesDirectory;
        this.extensionStore = extensionStore;
        this.extensionCertificates = List.copyOf(extensionCertificates);
        this.identities = List.copyOf(identities);
        this.imdsEndpoint = imdsEndpoint;
    }

    /**
     * Starts a node of the pool: lays out its certificates, assigns its identities at IMDS, and runs the
     * Key Vault VM extension's first sync if the pool has it.
     *
     * @param azure the emulator whose Resource Manager made the pool
     * @param poolId the pool's resource id
     * @param nodeDirectory the node's root, made if absent
     * @return the node
     * @throws IllegalArgumentException if there is no such pool, or it names an identity or vault the emulator
     *     does not have, or has the Windows extension
     * @throws IllegalStateException if the extension cannot fetch an observed certificate (as
     *     {@code requireInitialSync} fails a real node's start), with the vault's or IMDS's answer
     * @throws UncheckedIOException if a file cannot be written
     */
    public static SimulatedNode start(AzureEmulator azure, String poolId, Path nodeDirectory) {
        ResourceManager arm = azure.resourceManager();
        ObjectNode pool = arm.pool(poolId);
        if (pool == null) {
            throw new IllegalArgumentException("no pool " + poolId + " in the emulator's Resource Manager");
        }
        Path certs = arm.layOutNode(poolId, nodeDirectory);
        Imds imds = azure.imds();
        List<ManagedIdentity> identities = new ArrayList<>();
        for (var names = pool.path("identity").path("userAssignedIdentities").fieldNames(); names.hasNext();) {
            String resourceId = names.next();
            ManagedIdentity identity = arm.managedIdentity(resourceId);
            if (identity == null) {
                throw new IllegalArgumentException("the pool's identity " + resourceId + " is not in any tenant");
            }
            imds.assign(identity);
            identities.add(identity);
        }
        Path store = null;
        String clientId = null;
        List<String> urls = new ArrayList<>();
        List<Path> written = new ArrayList<>();
        for (JsonNode extension : pool.at("/properties/deploymentConfiguration/virtualMachineConfiguration/extensions")) {
            if (!"Microsoft.Azure.KeyVault".equalsIgnoreCase(extension.path("publisher").asText())) {
                continue;
            }
            if (!"KeyVaultForLinux".equalsIgnoreCase(extension.path("type").asText())) {
                throw new IllegalArgumentException("the simulated node is Linux; the pool has the extension "
                        + extension.path("type").asText());
            }
            JsonNode settings = extension.path("settings");
            JsonNode secrets = settings.path("secretsManagementSettings");
            String location = secrets.path("certificateStoreLocation").asText(LINUX_STORE);
            store = inside(nodeDirectory, location);
            clientId = settings.path("authenticationSettings").path("msiClientId").asText(null);
            for (JsonNode observed : secrets.path("observedCertificates")) {
                String url = observed.isTextual() ? observed.asText() : observed.path("url").asText();
                urls.add(url);
                written.add(install(azure, imds, clientId, url, store));
            }
        }
        return new SimulatedNode(nodeDirectory, certs, store, written, identities, imds.endpoint(), azure, clientId,
                urls);
    }

    /**
     * The extension's next poll (its {@code pollingIntervalInS} elapsed): each observed certificate is
     * fetched again and, if the vault has a newer version, written beside the old one with the
     * {@code <vault>.<certificate>} symlink moved to it, as the extension does after a rotation.
     *
     * @return the symlinks, in the order observed
     * @throws IllegalStateException if a certificate cannot be fetched
     */
    public List<Path> poll() {
        List<Path> links = new ArrayList<>();
        for (String url : observed) {
            links.add(install(azure, azure.imds(), extensionClientId, url, extensionStore));
        }
        return links;
    }

    /** The store location, an absolute path on a node, as a directory inside the simulated node's root. */
    private static Path inside(Path nodeDirectory, String location) {
        String relative = location.replace('\\', '/').replaceFirst("^/+", "");
        Path store = nodeDirectory.resolve(relative).normalize();
        if (!store.startsWith(nodeDirectory.normalize())) {
            throw new IllegalArgumentException("certificateStoreLocation " + location + " leaves the node");
        }
        try {
            Files.createDirectories(store);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the extension's store " + store, e);
        }
        return store;
    }

    /** Fetches one observed certificate as the extension does and writes it; returns the symlink. */
    private static Path install(AzureEmulator azure, Imds imds, String clientId, String url, Path store) {
        Matcher m = OBSERVED.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("observed certificate " + url + " is not a Key Vault certificate URL "
                    + "(https://<vault>/certificates/<name>[/<version>])");
        }
        Vault vault = azure.vaults().stream().filter(v -> v.url().equalsIgnoreCase(m.group(1))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("observed certificate " + url + " names no vault of "
                        + "the emulator"));
        HttpClient http = HttpClient.newBuilder().sslContext(azure.sslContext()).connectTimeout(Duration.ofSeconds(10))
                .build();
        try {
            String tokenQuery = "?api-version=2018-02-01&resource=" + enc("https://vault.azure.net")
                    + (clientId == null ? "" : "&client_id=" + enc(clientId));
            HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(imds.tokenUrl() + tokenQuery))
                    .header("Metadata", "true").timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (token.statusCode() != 200) {
                throw new IllegalStateException("the Key Vault VM extension got no token from IMDS for identity "
                        + clientId + ": HTTP " + token.statusCode() + " " + token.body());
            }
            String accessToken = Jwt.JSON.readTree(token.body()).path("access_token").asText();
            String secretUrl = vault.url() + "/secrets/" + m.group(2) + (m.group(3) == null ? "" : "/" + m.group(3))
                    + "?api-version=7.4";
            HttpResponse<String> secret = http.send(HttpRequest.newBuilder(URI.create(secretUrl))
                    .header("Authorization", "Bearer " + accessToken).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (secret.statusCode() != 200) {
                // the vault's error body names the caller and the permission; it holds no secret value
                throw new IllegalStateException("the Key Vault VM extension could not fetch " + url + ": HTTP "
                        + secret.statusCode() + " " + Jwt.JSON.readTree(secret.body()).path("error"));
            }
            JsonNode bundle = Jwt.JSON.readTree(secret.body());
            String id = bundle.path("id").asText();
            String version = id.substring(id.lastIndexOf('/') + 1);
            String pem = pem(bundle.path("contentType").asText(""), bundle.path("value").asText(""), url);
            String base = vault.name() + "." + m.group(2);
            Path versioned = store.resolve(base + "." + version);
            Path tmp = Files.createTempFile(store, ".kv", ".tmp");
            Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
            Files.move(tmp, versioned, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Path link = store.resolve(base);
            Path newLink = store.resolve("." + base + ".link");
            Files.deleteIfExists(newLink);
            Files.createSymbolicLink(newLink, versioned.getFileName());
            Files.move(newLink, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return link;
        } catch (IOException e) {
            throw new UncheckedIOException("the Key Vault VM extension could not install " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing " + url, e);
        }
    }

    /** The certificate's secret as PEM: PKCS#12 (base64, no password, as Key Vault keeps it) or PEM as stored. */
    private static String pem(String contentType, String value, String url) {
        if ("application/x-pem-file".equalsIgnoreCase(contentType)) {
            return value.endsWith("\n") ? value : value + "\n";
        }
        if (!"application/x-pkcs12".equalsIgnoreCase(contentType)) {
            throw new IllegalStateException("observed certificate " + url + " is a secret of content type '"
                    + contentType + "', not a certificate's (application/x-pkcs12 or application/x-pem-file)");
        }
        try {
            KeyStore p12 = KeyStore.getInstance("PKCS12");
            p12.load(new ByteArrayInputStream(Base64.getMimeDecoder().decode(value)), new char[0]);
            for (String alias : Collections.list(p12.aliases())) {
                Key key = p12.getKey(alias, new char[0]);
                if (key instanceof PrivateKey) {
                    StringBuilder out = new StringBuilder(SelfSignedCertificate.pem("PRIVATE KEY", key.getEncoded()));
                    for (Certificate c : p12.getCertificateChain(alias)) {
                        out.append(SelfSignedCertificate.pem("CERTIFICATE", c.getEncoded()));
                    }
                    return out.toString();
                }
            }
            throw new IllegalStateException("observed certificate " + url + " holds no private key");
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("observed certificate " + url + " is not a PKCS#12 file without password",
                    e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** @return the node's root directory */
    public Path directory() {
        return directory;
    }

    /** @return {@code AZ_BATCH_CERTIFICATES_DIR}: the pool's account certificates (empty without any) */
    public Path certificatesDirectory() {
        return certificatesDirectory;
    }

    /** @return the extension's store directory inside the node, or null when the pool has no Key Vault VM extension */
    public Path extensionStore() {
        return extensionStore;
    }

    /** @return the {@code <vault>.<certificate>} symlinks the extension wrote, in the order observed */
    public List<Path> extensionCertificates() {
        return extensionCertificates;
    }

    /** @return the pool's user-assigned identities, assigned at the emulator's IMDS */
    public List<ManagedIdentity> identities() {
        return identities;
    }

    /**
     * @return the environment a task on this node sees for these: {@code AZ_BATCH_CERTIFICATES_DIR}, and
     *     {@value Imds#ENDPOINT_VARIABLE} pointing at the emulator's IMDS (a real node needs neither set for IMDS)
     */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AZ_BATCH_CERTIFICATES_DIR", certificatesDirectory.toString());
        env.put(Imds.ENDPOINT_VARIABLE, imdsEndpoint);
        return env;
    }

    @Override
    public String toString() {
        return "SimulatedNode{" + directory + ", identities " + identities.stream().map(ManagedIdentity::name).toList()
                + ", extension certificates " + extensionCertificates.stream().map(p -> p.getFileName().toString())
                        .toList() + "}";
    }
}
