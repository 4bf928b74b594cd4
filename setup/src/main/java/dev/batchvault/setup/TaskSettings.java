package dev.batchvault.setup;

import com.azure.resourcemanager.batch.models.EnvironmentSetting;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Step 6: the settings BatchVault reads on the node, as environment variables a pool's start task or
 * a job sets for every task. Immutable; holds no secret (ids, a URL and a thumbprint only).
 */
public final class TaskSettings {
    private final Map<String, String> environment;

    private TaskSettings(Map<String, String> environment) {
        this.environment = Collections.unmodifiableMap(environment);
    }

    /**
     * The settings of certificate authentication.
     *
     * @param vaultUrl the vault's URL, such as {@code https://contoso.vault.azure.net/}
     * @param tenantId the tenant id
     * @param clientId the application (client) id
     * @param thumbprint the pool certificate's SHA-1 thumbprint
     * @return the settings
     */
    public static TaskSettings forCertificate(String vaultUrl, String tenantId, String clientId, String thumbprint) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BATCHVAULT_VAULT_URL", stripSlash(Objects.requireNonNull(vaultUrl, "vaultUrl == null")));
        env.put("BATCHVAULT_TENANT_ID", Objects.requireNonNull(tenantId, "tenantId == null"));
        env.put("BATCHVAULT_CLIENT_ID", Objects.requireNonNull(clientId, "clientId == null"));
        env.put("BATCHVAULT_CERTIFICATE_THUMBPRINT", Objects.requireNonNull(thumbprint, "thumbprint == null"));
        return new TaskSettings(env);
    }

    /**
     * The settings of managed identity authentication: the pool's user-assigned identity, through the
     * node's IMDS.
     *
     * @param vaultUrl the vault's URL
     * @param identityClientId the identity's client id (a pool may have several: the client id picks one)
     * @return the settings ({@code BATCHVAULT_AUTH_MODE=managed-identity})
     */
    public static TaskSettings forManagedIdentity(String vaultUrl, String identityClientId) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BATCHVAULT_VAULT_URL", stripSlash(Objects.requireNonNull(vaultUrl, "vaultUrl == null")));
        env.put("BATCHVAULT_AUTH_MODE", "managed-identity");
        env.put("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID", Objects.requireNonNull(identityClientId,
                "identityClientId == null"));
        return new TaskSettings(env);
    }

    /**
     * The settings of certificate authentication with a PEM file (key and certificate), such as the
     * copy of the Key Vault VM extension's certificate ({@link NodeDeployment#certificateCopy()}).
     *
     * @param vaultUrl the vault's URL
     * @param tenantId the tenant id
     * @param clientId the application (client) id
     * @param certificatePath the PEM file on the node
     * @return the settings ({@code BATCHVAULT_AUTH_MODE=certificate})
     */
    public static TaskSettings forCertificateFile(String vaultUrl, String tenantId, String clientId,
            String certificatePath) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BATCHVAULT_VAULT_URL", stripSlash(Objects.requireNonNull(vaultUrl, "vaultUrl == null")));
        env.put("BATCHVAULT_AUTH_MODE", "certificate");
        env.put("BATCHVAULT_TENANT_ID", Objects.requireNonNull(tenantId, "tenantId == null"));
        env.put("BATCHVAULT_CLIENT_ID", Objects.requireNonNull(clientId, "clientId == null"));
        env.put("BATCHVAULT_CERTIFICATE_PATH", Objects.requireNonNull(certificatePath, "certificatePath == null"));
        return new TaskSettings(env);
    }

    /**
     * @param name a setting, such as {@code BATCHVAULT_AUTHORITY_HOST} for a sovereign cloud
     * @param value its value
     * @return new settings with this one added or replaced
     */
    public TaskSettings with(String name, String value) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(Objects.requireNonNull(name, "name == null"), Objects.requireNonNull(value, "value == null"));
        return new TaskSettings(env);
    }

    /** @return the settings as environment variables, in a stable order */
    public Map<String, String> environment() {
        return environment;
    }

    /** @return the settings as the Batch management library's pool start task or job takes them */
    public List<EnvironmentSetting> environmentSettings() {
        List<EnvironmentSetting> out = new ArrayList<>();
        environment.forEach((k, v) -> out.add(new EnvironmentSetting().withName(k).withValue(v)));
        return out;
    }

    /** @return one {@code NAME=value} line per setting */
    public String summary() {
        StringBuilder out = new StringBuilder();
        environment.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        return out.toString();
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String toString() {
        return "TaskSettings" + environment;
    }
}
