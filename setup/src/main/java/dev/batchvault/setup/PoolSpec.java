package dev.batchvault.setup;

import com.azure.resourcemanager.batch.models.ImageReference;
import com.azure.resourcemanager.batch.models.VMExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Step 5's pool: a pool that runs as the user-assigned identity and, when certificates are observed,
 * has the Key Vault VM extension install them from the vault. Immutable; {@code with…} returns a copy.
 *
 * <p>The extension's settings follow its documentation: Linux {@code KeyVaultForLinux} 2.0 writes the
 * observed certificates as PEM files into {@code /var/lib/waagent/Microsoft.Azure.KeyVault.Store};
 * Windows {@code KeyVaultForWindows} 3.0 installs them into LocalMachine/My with exportable keys and
 * grants the listed {@code accounts} read on the private key, so that a non-admin task user can sign.
 * Both authenticate with the pool's identity ({@code authenticationSettings.msiClientId}) and poll
 * the vault every {@link #pollingInterval()}.
 */
public final class PoolSpec {
    /** The extensions' publisher. */
    public static final String PUBLISHER = "Microsoft.Azure.KeyVault";

    private final String name;
    private final String vmSize;
    private final ImageReference image;
    private final String nodeAgentSkuId;
    private final boolean windows;
    private final int dedicatedNodes;
    private final List<String> observedCertificates;
    private final Duration pollingInterval;
    private final List<String> accounts;

    private PoolSpec(String name, String vmSize, ImageReference image, String nodeAgentSkuId, boolean windows,
            int dedicatedNodes, List<String> observedCertificates, Duration pollingInterval, List<String> accounts) {
        this.name = name;
        this.vmSize = vmSize;
        this.image = image;
        this.nodeAgentSkuId = nodeAgentSkuId;
        this.windows = windows;
        this.dedicatedNodes = dedicatedNodes;
        this.observedCertificates = List.copyOf(observedCertificates);
        this.pollingInterval = pollingInterval;
        this.accounts = List.copyOf(accounts);
    }

    /**
     * A Linux pool, such as {@code linux("pool", "STANDARD_D2S_V3", "canonical",
     * "0001-com-ubuntu-server-jammy", "22_04-lts", "batch.node.ubuntu 22.04")}, one dedicated node.
     *
     * @param name the pool's name
     * @param vmSize the VM size
     * @param publisher the image's publisher
     * @param offer the image's offer
     * @param sku the image's SKU
     * @param nodeAgentSkuId the Batch node agent for the image
     * @return the spec, observing no certificate (the identity alone)
     */
    public static PoolSpec linux(String name, String vmSize, String publisher, String offer, String sku,
            String nodeAgentSkuId) {
        return new PoolSpec(text(name, "name"), text(vmSize, "vmSize"), image(publisher, offer, sku),
                text(nodeAgentSkuId, "nodeAgentSkuId"), false, 1, List.of(), Duration.ofHours(1), List.of());
    }

    /**
     * A Windows pool, such as {@code windows("pool", "STANDARD_D2S_V3", "MicrosoftWindowsServer",
     * "WindowsServer", "2022-datacenter-smalldisk", "batch.node.windows amd64")}, one dedicated node.
     *
     * @param name the pool's name
     * @param vmSize the VM size
     * @param publisher the image's publisher
     * @param offer the image's offer
     * @param sku the image's SKU
     * @param nodeAgentSkuId the Batch node agent for the image
     * @return the spec, observing no certificate; private key readers default to {@code Network Service}
     */
    public static PoolSpec windows(String name, String vmSize, String publisher, String offer, String sku,
            String nodeAgentSkuId) {
        return new PoolSpec(text(name, "name"), text(vmSize, "vmSize"), image(publisher, offer, sku),
                text(nodeAgentSkuId, "nodeAgentSkuId"), true, 1, List.of(), Duration.ofHours(1),
                List.of("Network Service"));
    }

    /**
     * @param certificateUrl a Key Vault certificate's URL without version, such as
     *     {@code https://contoso.vault.azure.net/certificates/batchvault-pool}, for the extension to install
     * @return a copy observing it too
     */
    public PoolSpec observedCertificate(String certificateUrl) {
        List<String> urls = new ArrayList<>(observedCertificates);
        urls.add(text(certificateUrl, "certificateUrl"));
        return new PoolSpec(name, vmSize, image, nodeAgentSkuId, windows, dedicatedNodes, urls, pollingInterval,
                accounts);
    }

    /**
     * @param interval how often the extension polls the vault, at least a minute (default one hour)
     * @return a copy
     */
    public PoolSpec pollingInterval(Duration interval) {
        Objects.requireNonNull(interval, "interval == null");
        if (interval.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("pollingInterval " + interval + " is under a minute");
        }
        return new PoolSpec(name, vmSize, image, nodeAgentSkuId, windows, dedicatedNodes, observedCertificates,
                interval, accounts);
    }

    /**
     * @param windowsAccounts Windows accounts granted read on the installed private keys, such as the
     *     task user's (default {@code Network Service}); ignored on Linux
     * @return a copy
     */
    public PoolSpec accounts(String... windowsAccounts) {
        return new PoolSpec(name, vmSize, image, nodeAgentSkuId, windows, dedicatedNodes, observedCertificates,
                pollingInterval, List.of(windowsAccounts));
    }

    /**
     * @param nodes dedicated nodes, 0 or more (default 1)
     * @return a copy
     */
    public PoolSpec dedicatedNodes(int nodes) {
        if (nodes < 0) {
            throw new IllegalArgumentException("dedicatedNodes " + nodes + " < 0");
        }
        return new PoolSpec(name, vmSize, image, nodeAgentSkuId, windows, nodes, observedCertificates,
                pollingInterval, accounts);
    }

    /** @return the pool's name */
    public String name() {
        return name;
    }

    /** @return the extension's polling interval */
    public Duration pollingInterval() {
        return pollingInterval;
    }

    /** @return the observed certificate URLs; empty for the identity alone */
    public List<String> observedCertificates() {
        return observedCertificates;
    }

    String vmSize() {
        return vmSize;
    }

    ImageReference image() {
        return image;
    }

    String nodeAgentSkuId() {
        return nodeAgentSkuId;
    }

    int dedicatedNodes() {
        return dedicatedNodes;
    }

    boolean isWindows() {
        return windows;
    }

    /**
     * @param identityClientId the pool identity's client id, which the extension authenticates as
     * @return the Key Vault VM extension, or null when no certificate is observed
     */
    VMExtension keyVaultExtension(String identityClientId) {
        if (observedCertificates.isEmpty()) {
            return null;
        }
        Map<String, Object> secrets = new LinkedHashMap<>();
        secrets.put("pollingIntervalInS", String.valueOf(pollingInterval.getSeconds()));
        secrets.put("requireInitialSync", true);
        if (windows) {
            List<Map<String, Object>> observed = new ArrayList<>();
            for (String url : observedCertificates) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("url", url);
                c.put("certificateStoreName", "MY");
                c.put("certificateStoreLocation", "LocalMachine");
                c.put("keyExportable", true);
                c.put("accounts", accounts);
                observed.add(c);
            }
            secrets.put("observedCertificates", observed);
        } else {
            secrets.put("certificateStoreLocation", "/var/lib/waagent/Microsoft.Azure.KeyVault.Store");
            secrets.put("observedCertificates", observedCertificates);
        }
        Map<String, Object> authentication = new LinkedHashMap<>();
        authentication.put("msiEndpoint", "http://169.254.169.254/metadata/identity/oauth2/token");
        authentication.put("msiClientId", identityClientId);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("secretsManagementSettings", secrets);
        settings.put("authenticationSettings", authentication);
        return new VMExtension().withName(windows ? "KVWindowsExtension" : "KVLinuxExtension")
                .withPublisher(PUBLISHER)
                .withType(windows ? "KeyVaultForWindows" : "KeyVaultForLinux")
                .withTypeHandlerVersion(windows ? "3.0" : "2.0")
                .withAutoUpgradeMinorVersion(true)
                .withSettings(settings);
    }

    private static ImageReference image(String publisher, String offer, String sku) {
        return new ImageReference().withPublisher(text(publisher, "publisher")).withOffer(text(offer, "offer"))
                .withSku(text(sku, "sku")).withVersion("latest");
    }

    private static String text(String value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " == null");
        }
        if (value.trim().isEmpty()) {
            throw new IllegalArgumentException(name + " is empty");
        }
        return value.trim();
    }

    @Override
    public String toString() {
        return "PoolSpec{" + name + ", " + (windows ? "Windows" : "Linux") + ", " + vmSize + ", observes "
                + observedCertificates + "}";
    }
}
