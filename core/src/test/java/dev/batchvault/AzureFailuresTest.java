package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.microsoft.aad.msal4j.MsalServiceException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Each Azure failure to its typed exception, from hand-made values. Messages the SDK would write
 * are in another language here on purpose: the decision rests on types, statuses and codes.
 */
class AzureFailuresTest {
    private static final String CLIENT = "0b5c1c8a-4c5a-4b8e-9f57-1b9f5d7d3e21";
    private final AzureFailures failures = new AzureFailures(Config.resolve(ConfigTest.settings(Map.of(
            "vault-url", "https://myvault.vault.azure.net",
            "tenant-id", "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "client-id", CLIENT,
            "certificate-thumbprint", "3B1EFD3A66EA28B16697394703A72CA340A05BD5"), new Properties(), Map.of()), null));

    private static HttpResponseException vault(int status, String errorCodeHeader, String body) {
        HttpHeaders headers = new HttpHeaders();
        if (errorCodeHeader != null) {
            headers.set(HttpHeaderName.fromString("x-ms-error-code"), errorCodeHeader);
        }
        return HandMadeResponse.exception(status, headers, body);
    }

    private BatchVaultException translate(RuntimeException e) {
        return failures.translate(e, "db-password", null);
    }

    @Test
    void notFound() {
        BatchVaultException e = translate(vault(404, "SecretNotFound", "{\"error\":{\"code\":\"SecretNotFound\"}}"));
        assertThat(e).isInstanceOf(SecretNotFoundException.class)
                .hasMessageContaining("has no secret 'db-password' (404 SecretNotFound)")
                .hasMessageContaining("az keyvault secret list --vault-name myvault");
        assertThat(((SecretNotFoundException) e).secretName()).isEqualTo("db-password");
    }

    @Test
    void disabledByItsInnerCode() {
        BatchVaultException e = translate(vault(403, "Forbidden",
                "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Geheim deaktiviert\",\"innererror\":{\"code\":\"SecretDisabled\"}}}"));
        assertThat(e).isInstanceOf(SecretDisabledException.class).hasMessageContaining("is disabled (403 SecretDisabled)");
    }

    @Test
    void accessDeniedNamesTheFix() {
        BatchVaultException e = translate(vault(403, "Forbidden",
                "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Zugriff verweigert\",\"innererror\":{\"code\":\"AccessDenied\"}}}"));
        assertThat(e).isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("(403 Forbidden/AccessDenied)")
                .hasMessageContaining("az keyvault set-policy --name myvault --spn " + CLIENT + " --secret-permissions get");
    }

    @Test
    void theHeadersCodeWinsOverTheBodys() {
        assertThat(translate(vault(404, "SecretNotFound", "not json at all")))
                .hasMessageContaining("(404 SecretNotFound)");
        assertThat(translate(vault(404, null, "{\"error\":{\"code\":\"SecretNotFound\"}}")))
                .hasMessageContaining("(404 SecretNotFound)");
        assertThat(translate(vault(404, null, ""))).hasMessageContaining("(404 no error code)");
    }

    @Test
    void aRefusedTokenAtTheVault() {
        assertThat(translate(vault(401, "Unauthorized", "{\"error\":{\"code\":\"Unauthorized\",\"message\":\"AKV10032\"}}")))
                .isInstanceOf(AuthenticationRefusedException.class)
                .hasMessageContaining("(401 Unauthorized: AKV10032). Check that tenant-id is the vault's tenant.");
    }

    @Test
    void serverErrorsAndThrottlingAreTransient() {
        assertThat(translate(vault(503, "ServiceUnavailable", "{}"))).isInstanceOf(VaultUnavailableException.class)
                .hasMessageContaining("answered HTTP 503 (ServiceUnavailable").hasMessageContaining("status.azure.com");
        assertThat(translate(vault(429, "Throttled", "{}"))).isInstanceOf(VaultUnavailableException.class);
        assertThat(translate(new UncheckedIOException(new ConnectException("Verbindung abgelehnt"))))
                .isInstanceOf(VaultUnavailableException.class)
                .hasMessageContaining("Cannot reach the vault https://myvault.vault.azure.net for secret 'db-password'");
    }

    @Test
    void entraIdRefusalsByTheirAadstsCode() {
        ClientAuthenticationException wrapped = new ClientAuthenticationException("Anmeldung fehlgeschlagen", null,
                new MsalServiceException("AADSTS700027: Zertifikat unbekannt", "invalid_client"));
        BatchVaultException e = translate(wrapped);
        assertThat(e).isInstanceOf(AuthenticationRefusedException.class)
                .hasMessageContaining("(AADSTS700027). The certificate is not registered on the application");
        assertThat(((AuthenticationRefusedException) e).errorCode()).isEqualTo("AADSTS700027");
        assertThat(translate(new MsalServiceException("AADSTS90002: ...", "invalid_request")))
                .hasMessageContaining("Tenant 72f988bf-86f1-41af-91ab-2d7cd011db47 does not exist");
        assertThat(translate(new MsalServiceException("AADSTS50000: ...", "invalid_request")))
                .hasMessageContaining("reference-error-codes for AADSTS50000");
    }

    @Test
    void anUnreachableTokenEndpointIsTransient() {
        ClientAuthenticationException e = new ClientAuthenticationException("x", null,
                new UncheckedIOException(new ConnectException("refused")));
        assertThat(translate(e)).isInstanceOf(VaultUnavailableException.class)
                .hasMessageContaining("Cannot reach the token endpoint https://login.microsoftonline.com");
    }

    @Test
    void aRefusedChallengeIsKnownByWhoThrewIt() {
        RuntimeException refused = new RuntimeException("Die Challenge-Ressource passt nicht");
        refused.setStackTrace(new StackTraceElement[] {new StackTraceElement(
                "com.azure.security.keyvault.secrets.implementation.KeyVaultCredentialPolicy",
                "authorizeRequestOnChallengeSync", null, -1)});
        assertThat(translate(refused)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("answered with a challenge for another service's host");
        RuntimeException elsewhere = new RuntimeException("does not match the requested domain");
        assertThat(translate(elsewhere)).as("the wording alone decides nothing").isInstanceOf(VaultUnavailableException.class);
    }
}
