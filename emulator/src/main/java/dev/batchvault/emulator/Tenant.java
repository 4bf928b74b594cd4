package dev.batchvault.emulator;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** An Entra ID tenant (directory) in the emulator. */
public final class Tenant {
    private final String id;
    private final Map<String, Application> applications = new ConcurrentHashMap<>();

    Tenant(String id) {
        this.id = id;
    }

    /** @return the tenant id */
    public String id() {
        return id;
    }

    /**
     * The application with this client id, made (with its service principal) on first use.
     *
     * @param clientId the application (client) id
     * @return the application
     */
    public Application application(String clientId) {
        return application(clientId, null);
    }

    Application application(String clientId, String principalObjectId) {
        return applications.computeIfAbsent(clientId.toLowerCase(java.util.Locale.ROOT), c -> new Application(c, id,
                principalObjectId == null ? UUID.randomUUID().toString() : principalObjectId));
    }

    Application findApplication(String clientId) {
        return clientId == null ? null : applications.get(clientId.toLowerCase(java.util.Locale.ROOT));
    }
}
