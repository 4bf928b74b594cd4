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
    private final Map<String, ManagedIdentity> identities = new ConcurrentHashMap<>();

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

    /**
     * The user-assigned managed identity by this name, made on first use with a random client id and
     * principal id and the resource id
     * {@code /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/batchvault/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>},
     * as {@code New-AzUserAssignedIdentity} makes one.
     *
     * @param name the identity's resource name
     * @return the identity
     * @throws IllegalArgumentException if the name is blank
     */
    public ManagedIdentity userAssignedIdentity(String name) {
        return userAssignedIdentity(name, null, null, null);
    }

    /**
     * @param name the identity's resource name
     * @param clientId a fixed client id, or {@code null} for a random one
     * @param principalId a fixed principal (object) id, or {@code null} for a random one
     * @param resourceId a fixed resource id, or {@code null} for the default under the emulator's resource group
     * @return the identity, made if absent
     * @throws IllegalArgumentException if it exists with other ids, or another identity has one of these ids
     */
    ManagedIdentity userAssignedIdentity(String name, String clientId, String principalId, String resourceId) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a managed identity name is required");
        }
        synchronized (identities) {
            ManagedIdentity existing = identities.get(name.toLowerCase(Locale.ROOT));
            if (existing != null) {
                if ((clientId != null && !existing.matchesClientId(clientId))
                        || (principalId != null && !existing.matchesPrincipalId(principalId))
                        || (resourceId != null && !existing.matchesResourceId(resourceId))) {
                    throw new IllegalArgumentException("managed identity " + name + " exists with other ids: " + existing);
                }
                return existing;
            }
            ManagedIdentity made = new ManagedIdentity(name, id,
                    clientId == null ? UUID.randomUUID().toString() : clientId,
                    principalId == null ? UUID.randomUUID().toString() : principalId,
                    resourceId == null ? ManagedIdentity.defaultResourceId(name) : resourceId);
            for (ManagedIdentity other : identities.values()) {
                if (other.matchesClientId(made.clientId()) || other.matchesPrincipalId(made.principalId())
                        || other.matchesResourceId(made.resourceId())) {
                    throw new IllegalArgumentException("managed identity " + name + " would share an id with " + other);
                }
            }
            identities.put(name.toLowerCase(Locale.ROOT), made);
            return made;
        }
    }

    Collection<ManagedIdentity> userAssignedIdentities() {
        return Collections.unmodifiableCollection(identities.values());
    }

    Collection<Application> applications() {
        return Collections.unmodifiableCollection(applications.values());
    }

    @Override
    public String toString() {
        return "Tenant{" + id + "}";
    }
}
