package dev.batchvault.emulator;

import java.util.Locale;

/**
 * A user-assigned managed identity: an Azure resource with a service principal in a tenant. Made by
 * {@link Tenant#userAssignedIdentity(String)}; assigned to the simulated node with
 * {@link Imds#assign(ManagedIdentity)}, as a Batch pool's {@code identity.userAssignedIdentities} does.
 * Its tokens carry {@code appid} = {@link #clientId()} and {@code oid} = {@link #principalId()}, so a
 * vault's access policy names it by its principal id: {@code vault.grant(identity.principalId(), "get")}.
 * Immutable.
 */
public final class ManagedIdentity {
    /** The subscription and resource group of identities the emulator makes itself (a stand-in). */
    static final String RESOURCE_GROUP = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/batchvault";

    private final String name;
    private final String tenantId;
    private final String clientId;
    private final String principalId;
    private final String resourceId;

    ManagedIdentity(String name, String tenantId, String clientId, String principalId, String resourceId) {
        this.name = name;
        this.tenantId = tenantId;
        this.clientId = clientId;
        this.principalId = principalId;
        this.resourceId = resourceId;
    }

    static String defaultResourceId(String name) {
        return RESOURCE_GROUP + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + name;
    }

    /** @return the identity's resource name */
    public String name() {
        return name;
    }

    /** @return the tenant of its service principal, the {@code tid} of its tokens */
    public String tenantId() {
        return tenantId;
    }

    /** @return its client (application) id: IMDS's {@code client_id}, the {@code appid} of its tokens */
    public String clientId() {
        return clientId;
    }

    /** @return the object id of its service principal: IMDS's {@code object_id}, the {@code oid} of its tokens */
    public String principalId() {
        return principalId;
    }

    /**
     * @return its ARM resource id,
     *     {@code /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>}:
     *     IMDS's {@code msi_res_id}, the {@code xms_mirid} claim of its tokens
     */
    public String resourceId() {
        return resourceId;
    }

    boolean matchesClientId(String value) {
        return clientId.equalsIgnoreCase(value);
    }

    boolean matchesPrincipalId(String value) {
        return principalId.equalsIgnoreCase(value);
    }

    boolean matchesResourceId(String value) {
        // ARM resource ids compare case-insensitively.
        return resourceId.toLowerCase(Locale.ROOT).equals(value.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return "ManagedIdentity{" + name + ", clientId=" + clientId + ", principalId=" + principalId + ", tenant="
                + tenantId + "}";
    }
}
