package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User-assigned identities, the node's assignment, policies naming them and IMDS faults from a seed file. */
class ManagedIdentitySeedTest {
    @TempDir
    Path dir;

    @Test
    void identitiesFromASeed() throws Exception {
        String tenant = UUID.randomUUID().toString();
        String clientId = UUID.randomUUID().toString();
        String principalId = UUID.randomUUID().toString();
        String resourceId = "/subscriptions/" + UUID.randomUUID() + "/resourceGroups/batch/providers/"
                + "Microsoft.ManagedIdentity/userAssignedIdentities/pool-identity";
        String otherPrincipal = UUID.randomUUID().toString();
        Path seed = Files.writeString(dir.resolve("seed.json"), "{\n"
                + "  \"tenants\": [{\"id\": \"" + tenant + "\", \"managedIdentities\": [\n"
                + "    {\"name\": \"pool-identity\", \"clientId\": \"" + clientId + "\", \"principalId\": \""
                + principalId + "\", \"resourceId\": \"" + resourceId + "\"},\n"
                + "    {\"name\": \"other\", \"principalId\": \"" + otherPrincipal + "\"}]}],\n"
                + "  \"node\": {\"identities\": [\"pool-identity\"]},\n"
                + "  \"vaults\": [{\"name\": \"seeded\", \"tenant\": \"" + tenant + "\",\n"
                + "    \"secrets\": [{\"name\": \"batchAdminPass\", \"value\": \"from-seed\"}],\n"
                + "    \"accessPolicies\": [{\"managedIdentity\": \"pool-identity\", \"secrets\": [\"get\"]},\n"
                + "                       {\"objectId\": \"" + otherPrincipal + "\", \"secrets\": [\"get\"]}]}],\n"
                + "  \"faults\": [{\"route\": \"imds\", \"status\": 503, \"times\": 1}]\n"
                + "}\n");
        try (AzureEmulator azure = AzureEmulator.start(seed)) {
            ManagedIdentity identity = azure.tenant(tenant).userAssignedIdentity("pool-identity");
            assertThat(identity.clientId()).isEqualTo(clientId);
            assertThat(identity.principalId()).isEqualTo(principalId);
            assertThat(identity.resourceId()).isEqualTo(resourceId);
            assertThat(azure.imds().assigned()).containsExactly(identity);
            Vault vault = azure.vault("seeded");
            assertThat(vault.hasPolicy(principalId)).isTrue();
            assertThat(vault.hasPolicy(otherPrincipal)).isTrue();
            assertThat(azure.imds().faults().active()).containsExactly(Fault.status(503).times(1));
            String printed = EmulatorMain.describe(azure, List.of());
            assertThat(printed).contains("Managed identity pool-identity").contains(clientId)
                    .contains("Node IMDS: " + azure.imds().endpoint())
                    .contains("BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID=" + clientId)
                    .contains("AZURE_POD_IDENTITY_AUTHORITY_HOST=" + azure.imds().endpoint())
                    .doesNotContain("from-seed");
        }
    }

    @Test
    void malformedIdentitySeedsAreRefused() throws Exception {
        String tenant = UUID.randomUUID().toString();
        assertRefused("{\"tenants\": [{\"id\": \"" + tenant + "\", \"managedIdentities\": [{\"clientId\": \"x\"}]}]}",
                "'name' is required");
        assertRefused("{\"tenants\": [{\"id\": \"" + tenant + "\", \"managedIdentities\": [{\"name\": \"a\", "
                + "\"colour\": \"x\"}]}]}", "unknown field 'colour' in a managed identity");
        assertRefused("{\"node\": {\"identities\": [\"ghost\"]}}", "the node names managed identity ghost");
        assertRefused("{\"node\": {\"vms\": 2}}", "unknown field 'vms' in a node");
        assertRefused("{\"tenants\": [{\"id\": \"" + tenant + "\"}], \"vaults\": [{\"name\": \"v\", \"tenant\": \""
                + tenant + "\", \"accessPolicies\": [{\"managedIdentity\": \"ghost\", \"secrets\": [\"get\"]}]}]}",
                "vault v names managed identity ghost");
        assertRefused("{\"tenants\": [{\"id\": \"" + tenant + "\", \"managedIdentities\": [{\"name\": \"a\"}]}], "
                + "\"vaults\": [{\"name\": \"v\", \"tenant\": \"" + tenant + "\", \"accessPolicies\": "
                + "[{\"managedIdentity\": \"a\", \"objectId\": \"b\", \"secrets\": [\"get\"]}]}]}",
                "names one of 'clientId', 'objectId' or 'managedIdentity'");
        assertRefused("{\"faults\": [{\"route\": \"imds\", \"vault\": \"v\", \"status\": 503}]}",
                "a fault on route 'imds' names no vault");
    }

    private void assertRefused(String json, String reason) throws IOException {
        Path seed = Files.writeString(dir.resolve(UUID.randomUUID() + ".json"), json);
        assertThatThrownBy(() -> AzureEmulator.start(seed)).isInstanceOf(IOException.class)
                .hasMessageContaining(reason);
    }
}
