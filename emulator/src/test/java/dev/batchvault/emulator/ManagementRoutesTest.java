package dev.batchvault.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Graph and Resource Manager routes by hand: what the management libraries do not show. */
class ManagementRoutesTest {
    private static final String TENANT = "0b7c6f4e-1111-4c1e-9d0a-3f1e2d4c5b6a";
    private static final String SUB = "9a8b7c6d-2222-4e5f-8a9b-0c1d2e3f4a5b";

    private final AzureEmulator azure = AzureEmulator.start();
    private final HttpClient http = TestSupport.raw(azure);
    private final Application admin = azure.tenant(TENANT).application(UUID.randomUUID().toString());
    private final Vault vault = azure.createVault("routesvault", TENANT);
    private final ResourceManager arm = azure.resourceManager().addSubscription(SUB, TENANT);
    private final String vaultId = arm.addVault(SUB, "rg", vault);

    @AfterEach
    void close() {
        azure.close();
    }

    private String token(String audience) {
        long now = Instant.now().getEpochSecond();
        return azure.accessTokens().issue(TENANT, admin, audience, now, now + 3600);
    }

    private HttpResponse<String> send(String method, String url, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Jwt.JSON.readTree(r.body());
    }

    @Test
    void graphChecksAudienceAndPermission() throws Exception {
        String url = azure.graph().url() + "/v1.0/applications";
        HttpResponse<String> wrongAudience = send("GET", url, token("https://vault.azure.net"), null);
        assertThat(wrongAudience.statusCode()).isEqualTo(401);
        assertThat(json(wrongAudience).at("/error/code").asText()).isEqualTo("InvalidAuthenticationToken");

        HttpResponse<String> noPermission = send("GET", url, token("https://graph.microsoft.com"), null);
        assertThat(noPermission.statusCode()).isEqualTo(403);
        assertThat(json(noPermission).at("/error/code").asText()).isEqualTo("Authorization_RequestDenied");

        azure.graph().grantApplicationReadWriteAll(admin.principalObjectId());
        assertThat(send("GET", url, token("https://graph.microsoft.com"), null).statusCode()).isEqualTo(200);
    }

    @Test
    void graphKeepsAKeyCredentialSentBackWithoutItsKeyAndRefusesDatesPastTheCertificate() throws Exception {
        azure.graph().grantApplicationReadWriteAll(admin.principalObjectId());
        String t = token("https://graph.microsoft.com");
        SelfSignedCertificate cert = SelfSignedCertificate.create("CN=routes");
        String key = Base64.getEncoder().encodeToString(cert.certificate().getEncoded());
        String keyId = UUID.randomUUID().toString();
        HttpResponse<String> created = send("POST", azure.graph().url() + "/v1.0/applications", t,
                "{\"displayName\":\"routes\",\"keyCredentials\":[{\"keyId\":\"" + keyId + "\",\"type\":"
                        + "\"AsymmetricX509Cert\",\"usage\":\"Verify\",\"key\":\"" + key + "\"}]}");
        assertThat(created.statusCode()).isEqualTo(201);
        String id = json(created).get("id").asText();
        assertThat(json(created).at("/keyCredentials/0/key").isNull()).isTrue();

        HttpResponse<String> patched = send("PATCH", azure.graph().url() + "/v1.0/applications/" + id, t,
                "{\"keyCredentials\":[{\"keyId\":\"" + keyId + "\"}]}");
        assertThat(patched.statusCode()).isEqualTo(204);
        HttpResponse<String> read = send("GET", azure.graph().url() + "/v1.0/applications/" + id
                + "?$select=keyCredentials", t, null);
        assertThat(json(read).at("/keyCredentials/0/key").asText()).isEqualTo(key);

        HttpResponse<String> tooLong = send("PATCH", azure.graph().url() + "/v1.0/applications/" + id, t,
                "{\"keyCredentials\":[{\"type\":\"AsymmetricX509Cert\",\"usage\":\"Verify\",\"key\":\"" + key
                        + "\",\"endDateTime\":\"2999-01-01T00:00:00Z\"}]}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("Key credential end date is invalid");
    }

    @Test
    void resourceManagerChecksApiVersionAudienceTenantAndRole() throws Exception {
        String url = arm.url() + "/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/"
                + vault.name();
        assertThat(json(send("GET", url, token("https://management.azure.com/"), null)).at("/error/code").asText())
                .isEqualTo("MissingApiVersionParameter");
        String get = url + "?api-version=2024-11-01";
        assertThat(send("GET", get, token("https://graph.microsoft.com"), null).statusCode()).isEqualTo(401);
        HttpResponse<String> noRole = send("GET", get, token("https://management.core.windows.net/"), null);
        assertThat(noRole.statusCode()).isEqualTo(403);
        assertThat(json(noRole).at("/error/message").asText()).contains("'Microsoft.KeyVault/vaults/read'")
                .contains("over scope '" + vaultId + "'");

        arm.assignRole(admin.principalObjectId(), ResourceManager.READER, "/subscriptions/" + SUB);
        HttpResponse<String> ok = send("GET", get, token("https://management.azure.com/"), null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(ok).at("/properties/vaultUri").asText()).isEqualTo(vault.url() + "/");
        // the double slash clients send after an endpoint with a trailing slash
        assertThat(send("GET", arm.url() + "/" + url.substring(arm.url().length()) + "?api-version=2024-11-01",
                token("https://management.azure.com/"), null).statusCode()).isEqualTo(200);
    }

    @Test
    void accessPoliciesAddReplaceRemoveAreTheVaultsPolicies() throws Exception {
        arm.assignRole(admin.principalObjectId(), ResourceManager.CONTRIBUTOR, vaultId);
        String t = token("https://management.azure.com/");
        String base = arm.url() + vaultId + "/accessPolicies/";
        String oid = UUID.randomUUID().toString();
        String policy = "{\"properties\":{\"accessPolicies\":[{\"tenantId\":\"" + TENANT + "\",\"objectId\":\"" + oid
                + "\",\"permissions\":{\"secrets\":[%s]}}]}}";
        assertThat(send("PUT", base + "add?api-version=2024-11-01", t, String.format(policy, "\"get\""))
                .statusCode()).isEqualTo(200);
        assertThat(send("PUT", base + "add?api-version=2024-11-01", t, String.format(policy, "\"list\""))
                .statusCode()).isEqualTo(200);
        assertThat(arm.secretPermissions(vaultId)).containsEntry(oid, java.util.List.of("get", "list"));
        assertThat(vault.hasPolicy(oid)).isTrue();
        send("PUT", base + "replace?api-version=2024-11-01", t, String.format(policy, "\"set\""));
        assertThat(arm.secretPermissions(vaultId)).containsEntry(oid, java.util.List.of("set"));
        send("PUT", base + "remove?api-version=2024-11-01", t, String.format(policy, "\"set\""));
        assertThat(arm.secretPermissions(vaultId)).containsEntry(oid, java.util.List.of());
        assertThat(vault.hasPolicy(oid)).isFalse();
    }

    @Test
    void roleAssignmentsNeedAnExistingPrincipalAndAreUniquePerScopePrincipalAndRole() throws Exception {
        arm.assignRole(admin.principalObjectId(), ResourceManager.OWNER, "/subscriptions/" + SUB);
        String t = token("https://management.azure.com/");
        String role = "/subscriptions/" + SUB + "/providers/Microsoft.Authorization/roleDefinitions/"
                + ResourceManager.KEY_VAULT_SECRETS_USER;
        Application pool = azure.tenant(TENANT).application(UUID.randomUUID().toString());
        String body = "{\"properties\":{\"roleDefinitionId\":\"" + role + "\",\"principalId\":\"%s\"}}";
        String put = arm.url() + vaultId + "/providers/Microsoft.Authorization/roleAssignments/%s?api-version=2022-04-01";

        HttpResponse<String> unknown = send("PUT", String.format(put, UUID.randomUUID()), t,
                String.format(body, UUID.randomUUID()));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).at("/error/code").asText()).isEqualTo("PrincipalNotFound");

        String name = UUID.randomUUID().toString();
        assertThat(send("PUT", String.format(put, name), t, String.format(body, pool.principalObjectId()))
                .statusCode()).isEqualTo(201);
        assertThat(send("PUT", String.format(put, name), t, String.format(body, pool.principalObjectId()))
                .statusCode()).isEqualTo(201);
        HttpResponse<String> again = send("PUT", String.format(put, UUID.randomUUID()), t,
                String.format(body, pool.principalObjectId()));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).at("/error/code").asText()).isEqualTo("RoleAssignmentExists");

        HttpResponse<String> definitions = send("GET", arm.url() + vaultId + "/providers/Microsoft.Authorization/"
                + "roleDefinitions?api-version=2022-04-01&$filter=roleName%20eq%20'Key%20Vault%20Secrets%20User'", t, null);
        assertThat(json(definitions).at("/value/0/name").asText()).isEqualTo(ResourceManager.KEY_VAULT_SECRETS_USER);
        assertThat(json(definitions).get("value")).hasSize(1);
    }
}
