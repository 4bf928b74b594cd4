package dev.batchvault;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Lets a challenge through only when it asks for a Key Vault token. The Key Vault client answers a
 * 401 challenge by requesting a token for the {@code resource} (or {@code scope}) the server names;
 * whoever listens at the vault URL would otherwise choose the token's audience. This policy sits
 * after the client's credential policy (closer to the wire), so it sees each 401 first and refuses
 * any challenge naming another resource before a token is requested.
 *
 * <p>Accepted audiences: {@code https://vault.azure.net} (public), {@code https://vault.azure.cn}
 * (China), {@code https://vault.usgovcloudapi.net} (US Government) and
 * {@code https://vault.microsoftazure.de} (Germany). Managed HSM ({@code https://managedhsm.azure.net})
 * holds keys, not secrets, so it is not accepted.
 */
final class KeyVaultAudiencePolicy implements HttpPipelinePolicy {
    static final Set<String> AUDIENCES = Set.of("https://vault.azure.net", "https://vault.azure.cn",
            "https://vault.usgovcloudapi.net", "https://vault.microsoftazure.de");
    private static final String BEARER = "bearer ";

    private final String vaultUrl;
    private final String origin;

    /**
     * @param vaultUrl the configured vault, named in the error
     * @param origin where vault-url came from, named in the error
     */
    KeyVaultAudiencePolicy(String vaultUrl, String origin) {
        this.vaultUrl = vaultUrl;
        this.origin = origin;
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        return next.process().map(this::checked);
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        return checked(next.processSync());
    }

    @Override
    public HttpPipelinePosition getPipelinePosition() {
        return HttpPipelinePosition.PER_RETRY;
    }

    private HttpResponse checked(HttpResponse response) {
        if (response.getStatusCode() != 401) {
            return response;
        }
        String scope = requestedScope(response.getHeaderValue(HttpHeaderName.WWW_AUTHENTICATE));
        if (scope == null || isKeyVaultScope(scope)) {
            return response;
        }
        response.close();
        throw new InvalidConfigurationException(Config.VAULT_URL, "The server at " + Config.VAULT_URL + " " + vaultUrl
                + " (from " + origin + ") asked for a token for '" + printable(scope) + "', which is not a Key Vault "
                + "resource, so no token was requested. A Key Vault asks for " + String.join(", ", AUDIENCES)
                + ". Check that " + Config.VAULT_URL + " is the vault's URL (https://<name>.vault.azure.net) and "
                + "that nothing else listens at that address.");
    }

    /**
     * The scope the Key Vault client would request for this challenge, parsed as it parses it
     * ({@code resource} + {@code /.default}, else {@code scope}).
     *
     * @param header the WWW-Authenticate value, or {@code null}
     * @return the scope, or {@code null} when the challenge names none (the client then asks for no new token)
     */
    static String requestedScope(String header) {
        if (header == null || !header.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            return null;
        }
        Map<String, String> attributes = new HashMap<>();
        for (String pair : header.replace("\"", "").substring(BEARER.length()).split(",")) {
            String[] kv = pair.trim().split("=", 2);
            if (kv.length == 2) {
                attributes.put(kv[0], kv[1]);
            }
        }
        String resource = attributes.get("resource");
        return resource != null ? resource + "/.default" : attributes.get("scope");
    }

    static boolean isKeyVaultScope(String scope) {
        String s = scope.toLowerCase(Locale.ROOT);
        return s.endsWith("/.default") && AUDIENCES.contains(s.substring(0, s.length() - "/.default".length()));
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 200 ? out + "..." : out.toString();
    }
}
