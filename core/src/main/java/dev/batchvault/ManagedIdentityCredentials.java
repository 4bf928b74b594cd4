package dev.batchvault;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * The pool's managed identity as a credential (azure-identity's {@code ManagedIdentityCredential}, MSAL4J's
 * IMDS source underneath), and the words for its refusals.
 *
 * <p>MSAL4J retries IMDS answers 404, 408, 410, 429 and 5xx itself (after 1, 2 and 4 s; 410 every 10 s),
 * and azure-identity's pipeline under it retries as well; neither can be turned off. So that one call's deadline still holds, a token request made while
 * {@link VaultAccess#fetch} runs waits at most until that call's deadline; the call then fails as
 * unavailable, with IMDS named.
 */
final class ManagedIdentityCredentials {
    /** The deadline (System.nanoTime) of the vault call running on this thread, if any. */
    private static final ThreadLocal<Long> CALL_DEADLINE = new ThreadLocal<>();
    private static final Pattern AADSTS = Pattern.compile("AADSTS\\d+");
    private static final Pattern OID = Pattern.compile("oid=([0-9a-fA-F-]{36})");

    private ManagedIdentityCredentials() {
    }

    /**
     * The credential. Its retries stay on: azure-identity gives the IMDS pipeline a retry strategy of its own
     * (404, 410, 429, 5xx and I/O errors, from 0.8 s doubling, 5 times) and refuses other retry options, and
     * MSAL4J retries too; {@link WithinCallDeadline} keeps them within the call's deadline.
     */
    static TokenCredential build(Config config, HttpClient http, HttpLogOptions logOptions, HttpPipelinePolicy policy) {
        ManagedIdentityCredentialBuilder builder = new ManagedIdentityCredentialBuilder()
                .httpClient(http)
                .httpLogOptions(logOptions)
                .addPolicy(policy);
        if (config.managedIdentityClientId != null) {
            builder.clientId(config.managedIdentityClientId);
        } else if (config.managedIdentityResourceId != null) {
            builder.resourceId(config.managedIdentityResourceId);
        }
        return new WithinCallDeadline(builder.build());
    }

    /** Runs a vault call with its deadline visible to token requests on this thread. */
    static <T> T withDeadline(long deadlineNanos, java.util.function.Supplier<T> call) {
        Long outer = CALL_DEADLINE.get();
        CALL_DEADLINE.set(deadlineNanos);
        try {
            return call.get();
        } finally {
            if (outer == null) {
                CALL_DEADLINE.remove();
            } else {
                CALL_DEADLINE.set(outer);
            }
        }
    }

    /** @return whether the wait for a token was cut at the call's deadline ({@link WithinCallDeadline}) */
    static boolean isTokenWaitCut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException && String.valueOf(t.getMessage()).startsWith("Timeout on blocking read")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** A refusal or failure of the credential, in words that name IMDS, the identity and the fix. */
    static BatchVaultException failure(Config config, RuntimeException e) {
        String who = config.principalDescription();
        String text = messages(e);
        Throwable root = rootCause(e);
        if (isTokenWaitCut(e)) {
            return new VaultUnavailableException("The node's managed identity endpoint (IMDS) did not issue a token "
                    + "for " + who + " within the call deadline (" + config.callDeadline + "). IMDS on a node that "
                    + "has just started may be briefly unavailable; try again.", 0, e);
        }
        if (text.contains("Multiple user assigned identities exist")) {
            return new InvalidConfigurationException(Config.MANAGED_IDENTITY_CLIENT_ID, "The pool has more than one "
                    + "user-assigned identity, and none is named. Set " + Config.MANAGED_IDENTITY_CLIENT_ID + " ("
                    + Settings.ways(Config.MANAGED_IDENTITY_CLIENT_ID) + ") to the client id of the one that may read "
                    + "the vault (az identity show --query clientId).", e);
        }
        if (text.contains("Identity not found") || text.contains("has not been assigned to this resource")) {
            return new AuthenticationRefusedException(null, "The node's managed identity endpoint (IMDS) answered "
                    + "\"Identity not found\" for " + who + (config.managedIdentityOrigin == null ? ""
                    : " (from " + config.managedIdentityOrigin + ")") + ": that identity is not assigned to this "
                    + "node's pool. Check the id (az identity show --query clientId), and assign the identity to "
                    + "the pool (Batch pool identity type UserAssigned with the identity's resource id; a pool's "
                    + "identities are set when it is created), or use a certificate (" + Config.AUTH_MODE
                    + " certificate).", e);
        }
        if (root instanceof IOException || root instanceof TimeoutException) {
            return new VaultUnavailableException("Cannot reach the node's managed identity endpoint (IMDS, "
                    + "http://169.254.169.254) for " + who + ": " + describe(root) + ". On a Batch node it may be "
                    + "briefly unavailable after start; off Azure there is none: use a certificate ("
                    + Config.AUTH_MODE + " certificate).", 0, e);
        }
        if (text.contains("invalid_resource") || text.contains("AADSTS")) {
            return new AuthenticationRefusedException(aadsts(text), "Entra ID refused a token for "
                    + who + " through IMDS: " + describe(root) + ".", e);
        }
        if (text.contains("Status: 5") || text.contains("Status: 429") || text.contains("gateway error")
                || text.contains("temporarily_unavailable") || text.contains("server_error")) {
            return new VaultUnavailableException("The node's managed identity endpoint (IMDS) failed for " + who
                    + ": " + describe(root) + ".", 0, e);
        }
        return new AuthenticationRefusedException(null, "The node's managed identity endpoint (IMDS) did not issue a "
                + "token for " + who + ": " + describe(root) + ".", e);
    }

    /** The fix for a vault's 403 to a managed identity: its principal (object) id from the vault's message. */
    static String accessFix(Config config, String vaultBody) {
        Matcher m = OID.matcher(vaultBody);
        String objectId = m.find() ? m.group(1) : "<the identity's principal id: az identity show --query principalId>";
        return "Grant the identity get on secrets: az keyvault set-policy --name " + config.vaultName()
                + " --object-id " + objectId + " --secret-permissions get (or, on a vault that uses Azure RBAC, "
                + "assign it the role \"Key Vault Secrets User\" at the vault's scope).";
    }

    static String principalObjectId(String vaultBody) {
        Matcher m = OID.matcher(vaultBody);
        return m.find() ? m.group(1) : null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String aadsts(String text) {
        Matcher m = AADSTS.matcher(text);
        return m.find() ? m.group() : null;
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
            if (t.getCause() == t) {
                break;
            }
        }
        return all.toString();
    }

    private static String describe(Throwable t) {
        String message = t.getMessage() == null ? "" : t.getMessage();
        int headers = message.indexOf("Headers:");
        if (headers > 0) {
            message = message.substring(0, headers);
        }
        return message.isEmpty() ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + message.trim();
    }

    /** Waits for a token no longer than the running vault call's deadline. */
    private static final class WithinCallDeadline implements TokenCredential {
        private final TokenCredential delegate;

        WithinCallDeadline(TokenCredential delegate) {
            this.delegate = delegate;
        }

        @Override
        public Mono<AccessToken> getToken(TokenRequestContext request) {
            return delegate.getToken(request);
        }

        @Override
        public AccessToken getTokenSync(TokenRequestContext request) {
            Long deadline = CALL_DEADLINE.get();
            if (deadline == null) {
                return delegate.getTokenSync(request);
            }
            long left = deadline - System.nanoTime();
            return delegate.getToken(request).block(Duration.ofNanos(Math.max(left, 1)));
        }
    }
}
