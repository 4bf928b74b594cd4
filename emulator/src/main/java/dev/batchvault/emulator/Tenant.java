package dev.batchvault.emulator;

import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** An Entra ID tenant (directory) in the emulator. Made by {@link AzureEmulator#tenant(String)}. */
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
     * The application with this client id, made on first use together with its service principal
     * (whose object id is a random UUID), as {@code New-AzADApplication} and
     * {@code New-AzADServicePrincipal} do.
     *
     * @param clientId the application (client) id
     * @return the application
     */
    public Application application(String clientId) {
        return application(clientId, null);
    }

    /**
     * @param clientId the application (client) id
     * @param principalObjectId a fixed object id for its service principal, or {@code null} for a random one
     * @return the application, made if absent
     * @throws IllegalArgumentException if it exists with another principal object id
     */
    Application application(String clientId, String principalObjectId) {
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("a client id is required");
        }
        Application app = applications.computeIfAbsent(clientId.toLowerCase(Locale.ROOT), c -> new Application(clientId,
                id, principalObjectId == null ? UUID.randomUUID().toString() : principalObjectId));
        if (principalObjectId != null && !principalObjectId.equalsIgnoreCase(app.principalObjectId())) {
            throw new IllegalArgumentException("application " + clientId + " exists with principal object id "
                    + app.principalObjectId() + ", not " + principalObjectId);
        }
        return app;
    }

    Application findApplication(String clientId) {
        return clientId == null ? null : applications.get(clientId.toLowerCase(Locale.ROOT));
    }

    Collection<Application> applications() {
        return Collections.unmodifiableCollection(applications.values());
    }

    @Override
    public String toString() {
        return "Tenant{" + id + "}";
    }
}
