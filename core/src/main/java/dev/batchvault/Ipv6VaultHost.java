package dev.batchvault;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import reactor.core.publisher.Mono;

/**
 * Lets the Key Vault client reach a vault at an IPv6 literal such as {@code https://[::1]:8443}
 * (the emulator on the IPv6 loopback). azure-core's {@code UrlBuilder} cannot parse a bracketed
 * host, so the client is given a stand-in host that DNS never resolves ({@code .invalid}, RFC 6761)
 * and this policy, first in the pipeline, puts the literal back before anything reads the URL or
 * a request leaves.
 */
final class Ipv6VaultHost implements HttpPipelinePolicy {
    static final String STAND_IN = "ipv6-literal.batchvault.invalid";

    private final String literal;

    private Ipv6VaultHost(String literal) {
        this.literal = literal;
    }

    static boolean isIpv6Literal(URI vaultUrl) {
        return vaultUrl.getHost().startsWith("[");
    }

    /** @return the URL to give the client: the vault URL, or the stand-in for an IPv6 literal */
    static String clientUrl(URI vaultUrl) {
        return isIpv6Literal(vaultUrl) ? "https://" + STAND_IN + ":" + port(vaultUrl) : vaultUrl.toString();
    }

    /** @return the policy that restores the literal host */
    static Ipv6VaultHost restoring(URI vaultUrl) {
        return new Ipv6VaultHost(vaultUrl.getHost());
    }

    private static int port(URI url) {
        return url.getPort() < 0 ? 443 : url.getPort();
    }

    private void restore(HttpRequest request) {
        URL url = request.getUrl();
        if (!STAND_IN.equals(url.getHost())) {
            return;
        }
        try {
            request.setUrl(new URL("https://" + literal + ":" + (url.getPort() < 0 ? 443 : url.getPort())
                    + url.getFile()));
        } catch (MalformedURLException e) {
            throw new IllegalStateException("cannot put the IPv6 vault host back into " + url, e);
        }
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        restore(context.getHttpRequest());
        return next.process();
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        restore(context.getHttpRequest());
        return next.processSync();
    }

    @Override
    public HttpPipelinePosition getPipelinePosition() {
        return HttpPipelinePosition.PER_CALL;
    }
}
