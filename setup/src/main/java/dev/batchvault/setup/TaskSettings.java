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
