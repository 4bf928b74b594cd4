package dev.batchvault;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.microsoft.aad.msal4j.MsalException;
import com.microsoft.aad.msal4j.MsalServiceException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what the Azure clients throw into BatchVault's typed exceptions, with messages that say
 * what to do. It decides by type, HTTP status, Key Vault's error code ({@code x-ms-error-code},
 * else the body's {@code error.code}), the inner error code, and Entra ID's AADSTS code; never by
 * the English wording of an SDK message.
 */
final class AzureFailures {
    private static final HttpHeaderName ERROR_CODE = HttpHeaderName.fromString("x-ms-error-code");
    private static final Pattern AADSTS = Pattern.compile("AADSTS\\d+");
    private static final Pattern INNER_CODE = Pattern.compile("\"innererror\"\\s*:\\s*\\{\\s*\"code\"\\s*:\\s*\"(\\w+)\"");
    private static final Pattern MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"(\\w+)\"");
    /** The Key Vault client's policy that answers a vault's 401 challenge; it refuses a challenge with a plain RuntimeException. */
    private static final String CHALLENGE_POLICY = "KeyVaultCredentialPolicy";

    private final Config config;
    private final String vaultUrl;

    AzureFailures(Config config) {
        this.config = config;
        this.vaultUrl = config.vaultUrl.toString();
    }

    /**
     * @param e what a read threw
     * @param name the secret's name
     * @param version the version read, or null for the latest
     * @return the BatchVault exception for it; {@link VaultUnavailableException} when it is transient
     */
    BatchVaultException translate(RuntimeException e, String name, String version) {
        String what = version == null ? "secret '" + name + "'" : "version " + version + " of secret '" + name + "'";
        if (PresentedCertificate.isTrustFailure(e)) {
            return untrusted(isCredentialFailure(e) ? config.authorityHost : config.vaultUrl, e);
        }
        if (isCredentialFailure(e)
                || (config.authMode == AuthMode.MANAGED_IDENTITY && ManagedIdentityCredentials.isTokenWaitCut(e))) {
            return authenticationFailure(e);
        }
        HttpResponseException response = find(e, HttpResponseException.class);
        if (response != null && response.getResponse() != null) {
            int status = response.getResponse().getStatusCode();
            String body = String.valueOf(response.getMessage());
            String header = response.getResponse().getHeaders().getValue(ERROR_CODE);
            String code = header != null && !header.isBlank() ? header.trim() : firstGroup(CODE, body);
            String inner = firstGroupOrNull(INNER_CODE, body);
            if (status >= 300 && status < 400) {
                return redirected(status, response.getResponse().getHeaders().getValue(HttpHeaderName.LOCATION), what, e);
            }
            if (status == 404) {
                return new SecretNotFoundException(name, "The vault " + vaultUrl + " has no " + what + " (404 "
                        + code + "). Check the name (it is case-insensitive, letters, digits and '-') and that it "
                        + "was not deleted: az keyvault secret list --vault-name " + config.vaultName(), e);
            }
            if (status == 403 && "SecretDisabled".equals(inner)) {
                return new SecretDisabledException(name, "The " + what + " in " + vaultUrl + " is disabled (403 "
                        + "SecretDisabled). Enable it: az keyvault secret set-attributes --vault-name "
                        + config.vaultName() + " --name " + name + " --enabled true", e);
            }
            if (status == 403 && config.authMode == AuthMode.MANAGED_IDENTITY) {
                String objectId = ManagedIdentityCredentials.principalObjectId(body);
                return new AccessDeniedException(objectId == null ? config.principalDescription() : objectId, vaultUrl,
                        "The vault " + vaultUrl + " refused the " + config.principalDescription()
                        + (objectId == null ? "" : " (principal id " + objectId + ")") + " access to " + what + " (403 "
                        + (inner == null ? code : code + "/" + inner) + "). "
                        + ManagedIdentityCredentials.accessFix(config, body), e);
            }
            if (status == 403) {
                return new AccessDeniedException(config.clientId, vaultUrl, "The vault " + vaultUrl
                        + " refused application (client id) " + config.clientId + " access to " + what + " (403 "
                        + (inner == null ? code : code + "/" + inner) + "). Grant it get on secrets: az keyvault "
                        + "set-policy --name " + config.vaultName() + " --spn " + config.clientId
                        + " --secret-permissions get (or, on a vault that uses Azure RBAC, assign it the role "
                        + "\"Key Vault Secrets User\" at the vault's scope).", e);
            }
            if (status == 401 && config.authMode == AuthMode.MANAGED_IDENTITY) {
                return new AuthenticationRefusedException(null, "The vault " + vaultUrl + " refused the token issued "
                        + "to the " + config.principalDescription() + " (401 " + code + ": " + firstGroup(MESSAGE, body)
                        + "). The identity's tenant must be the vault's tenant.", e);
            }
            if (status == 401) {
                return new AuthenticationRefusedException(null, "The vault " + vaultUrl + " refused the token issued "
                        + "to application " + config.clientId + " in tenant " + config.tenantId + " (401 " + code
                        + ": " + firstGroup(MESSAGE, body) + "). Check that " + Config.TENANT_ID + " is the vault's tenant.", e);
            }
            return new VaultUnavailableException("The vault " + vaultUrl + " answered HTTP " + status + " (" + code
                    + ": " + firstGroup(MESSAGE, body) + ") for " + what + (status >= 500 || status == 429
                    ? ". Try again later; check https://status.azure.com." : "."), 0, e);
        }
        if (isRefusedChallenge(e)) {
            return new InvalidConfigurationException(Config.VAULT_URL, "The host of " + Config.VAULT_URL + " "
                    + vaultUrl + " answered with a challenge for another service's host, so no token was sent to it. "
                    + "A Key Vault URL looks like https://<name>.vault.azure.net (or a sovereign cloud's vault "
                    + "domain); check " + Config.VAULT_URL + " (from " + config.settings.origin(Settings.VAULT_URL) + ").", e);
        }
        return new VaultUnavailableException("Cannot reach the vault " + vaultUrl + " for " + what + ": "
                + describe(rootCause(e)) + ". Check the node's network (DNS, proxy, firewall, private endpoint) and "
                + "the vault URL.", 0, e);
    }

    /**
     * The server's TLS certificate was refused. Not transient: retrying cannot make it trusted.
     */
    private BatchVaultException untrusted(java.net.URI url, RuntimeException e) {
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = url.getPort() == -1 ? 443 : url.getPort();
        String where = url.getHost() + ":" + port;
        String issuer = PresentedCertificate.issuer(host, port, config.requestTimeout);
        boolean nameMismatch = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = String.valueOf(t.getMessage());
            nameMismatch |= m.contains("No subject alternative") || m.contains("No name matching");
        }
        return new UntrustedServerException(where, issuer, "The TLS certificate presented by " + where + " is not "
                + "trusted by this JVM" + (nameMismatch ? " (its names do not include " + url.getHost() + ")"
                : " (its issuer is not a trusted CA)") + "; it was issued by "
                + (issuer == null ? "an issuer that could not be read" : "'" + issuer + "'") + ". This is not "
                + "transient, so it was not retried and no token was sent. If a TLS-inspecting proxy or a corporate "
                + "CA signs it, trust that CA in the JVM: import it into the JVM's cacerts (keytool -importcert "
                + "-cacerts -alias corporate-ca -file corporate-ca.pem), or start the JVM with "
                + "-Djavax.net.ssl.trustStore=<a store holding the CA> -Djavax.net.ssl.trustStorePassword=<its "
                + "password>, or give BatchVault.builder().sslContext(...) one that trusts it."
                + (nameMismatch ? " If the host is wrong, check " + Config.VAULT_URL + " and "
                + Config.AUTHORITY_HOST + "." : ""), e);
    }

    /**
     * A vault never redirects. The redirect is not followed and the read not retried: a retry would
     * send the bearer token to whatever answers this way again.
     */
    private BatchVaultException redirected(int status, String location, String what, RuntimeException e) {
        String target = "no Location";
        if (location != null) {
            try {
                java.net.URI uri = java.net.URI.create(location.trim());
                target = uri.getHost() == null ? "a relative Location" : "host " + uri.getHost();
            } catch (IllegalArgumentException malformed) {
                target = "a malformed Location";
            }
        }
        return new InvalidConfigurationException(Config.VAULT_URL, "The vault " + vaultUrl + " answered " + what
                + " with a redirect (HTTP " + status + ", to " + target + "). Key Vault never redirects: something "
                + "other than the vault answers at this address (a proxy, a captive portal, a wrong host). The "
                + "redirect was not followed and the read not retried. Check " + Config.VAULT_URL + " (from "
                + config.settings.origin(Settings.VAULT_URL) + ") and the node's proxy settings.", e);
    }

    private BatchVaultException authenticationFailure(RuntimeException e) {
        if (config.authMode == AuthMode.MANAGED_IDENTITY) {
            return ManagedIdentityCredentials.failure(config, e);
        }
        String who = "application " + config.clientId + " in tenant " + config.tenantId + " at "
                + config.authorityHost;
        String code = null;
        Integer status = null;
        TokenEndpointException endpoint = find(e, TokenEndpointException.class);
        if (endpoint != null) {
            // BatchVault's own token request: the answer's values, as they came.
            code = endpoint.code();
            status = endpoint.status() == 0 ? null : endpoint.status();
        } else {
            for (Throwable t = e; t != null && code == null; t = t.getCause()) {
                code = firstGroupOrNull(AADSTS, String.valueOf(t.getMessage()));
            }
            MsalServiceException service = find(e, MsalServiceException.class);
            status = service == null ? null : service.statusCode();
        }
        if (status != null && (status == 429 || status >= 500)) {
            return new VaultUnavailableException("The token endpoint " + config.authorityHost + " answered HTTP " + status
                    + " for " + who + ".", 0, e);
        }
        if (code == null) {
            Throwable root = rootCause(e);
            if (root instanceof IOException || root instanceof TimeoutException) {
                return new VaultUnavailableException("Cannot reach the token endpoint " + config.authorityHost
                        + " for " + who + ": " + describe(root) + ". Check the node's network and "
                        + Config.AUTHORITY_HOST + ".", 0, e);
            }
            return new AuthenticationRefusedException(null, "Entra ID did not issue a token for " + who + ": "
                    + describe(root) + ".", e);
        }
        return new AuthenticationRefusedException(code, "Entra ID refused to issue a token for " + who + " (" + code
                + "). " + advice(code), e);
    }

    private String advice(String code) {
        switch (code) {
            case "AADSTS700027":
                return "The certificate is not registered on the application, or its signature was refused. Register "
                        + "it: az ad app credential reset --id " + config.clientId + " --cert @pool-cert.pem --append";
            case "AADSTS700016":
                return "No application with client id " + config.clientId + " exists in tenant " + config.tenantId
                        + ". Check " + Config.CLIENT_ID + " and " + Config.TENANT_ID + ".";
            case "AADSTS90002":
                return "Tenant " + config.tenantId + " does not exist at " + config.authorityHost + ". Check "
                        + Config.TENANT_ID + " (and " + Config.AUTHORITY_HOST + " for sovereign clouds).";
            case "AADSTS700024":
                return "The client assertion was outside its valid time range: check the node's clock.";
            default:
                return "See https://learn.microsoft.com/entra/identity-platform/reference-error-codes for " + code + ".";
        }
    }

    /**
     * Raised by the credential (the token endpoint, not the vault): BatchVault's own token request's,
     * MSAL's errors, or azure-identity's.
     */
    static boolean isCredentialFailure(Throwable e) {
        if (find(e, TokenEndpointException.class) != null) {
            return true;
        }
        ClientAuthenticationException auth = find(e, ClientAuthenticationException.class);
        return (auth != null && auth.getResponse() == null) || find(e, MsalException.class) != null;
    }

    /**
     * The Key Vault client refused the vault's challenge before sending a token (a challenge for
     * another host). It says so only in English, with a plain {@link RuntimeException}; what is
     * certain is the type and that its challenge policy threw it.
     */
    static boolean isRefusedChallenge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass() == RuntimeException.class) {
                StackTraceElement[] frames = t.getStackTrace();
                if (frames.length > 0 && frames[0].getClassName().endsWith(CHALLENGE_POLICY)) {
                    return true;
                }
            }
        }
        return false;
    }

    static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static String firstGroup(Pattern p, String text) {
        String found = firstGroupOrNull(p, text);
        return found == null ? "no error code" : found;
    }

    private static String firstGroupOrNull(Pattern p, String text) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            return null;
        }
        return m.groupCount() == 0 ? m.group() : m.group(1);
    }
}
