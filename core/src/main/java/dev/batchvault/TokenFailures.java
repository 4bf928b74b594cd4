package dev.batchvault;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/**
 * Carries a credential's failure past the vault client's token cache, so that BatchVault reports it
 * once. When the credential the vault client asks for a token throws, azure-core's token cache logs
 * it twice at ERROR before the exception reaches BatchVault, which translates it and reports it
 * itself. So the vault client gets {@link #quiet(TokenCredential) a credential that never throws}:
 * on failure it hands back a marker, already expired, that names the failure; {@link #RETHROW}, the
 * last policy before the wire, finds the marker in the request instead of a token and throws the
 * credential's own exception there, before anything is sent. The exception reaches the caller
 * unchanged, as if the credential had thrown it.
 */
final class TokenFailures {
    private static final String MARKER = "batchvault-no-token-";
    /** Failures waiting for their request; each is taken once, moments after it is put. */
    private static final Map<String, RuntimeException> WAITING = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    /** A bound, in case a marker never reaches the wire (the request failed in between). */
    private static final int MAX_WAITING = 1_000;

    /** The last policy before the wire: a request carrying a marker is not sent; its failure is thrown. */
    static final HttpPipelinePolicy RETHROW = new HttpPipelinePolicy() {
        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            RuntimeException failure = failureIn(context);
            return failure != null ? Mono.error(failure) : next.process();
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            RuntimeException failure = failureIn(context);
            if (failure != null) {
                throw failure;
            }
            return next.processSync();
        }

        @Override
        public HttpPipelinePosition getPipelinePosition() {
            return HttpPipelinePosition.PER_RETRY;
        }
    };

    private TokenFailures() {
    }

    /**
     * @param credential the credential that gets the tokens
     * @return a credential that returns its tokens and, instead of throwing, a marker for {@link #RETHROW}
     *     (or, while it is still valid, the last token it got for the same request)
     */
    static TokenCredential quiet(TokenCredential credential) {
        return new Quiet(credential);
    }

    private static RuntimeException failureIn(HttpPipelineCallContext context) {
        String authorization = context.getHttpRequest().getHeaders().getValue(HttpHeaderName.AUTHORIZATION);
        if (authorization == null || !authorization.startsWith("Bearer " + MARKER)) {
            return null;
        }
        RuntimeException failure = WAITING.remove(authorization.substring("Bearer ".length()));
        return failure != null ? failure
                : new IllegalStateException("No token was issued for this request, and its failure is gone.");
    }

    private static final class Quiet implements TokenCredential {
        private final TokenCredential delegate;
        private volatile TokenRequestContext lastRequest;
        private volatile AccessToken lastToken;

        Quiet(TokenCredential delegate) {
            this.delegate = delegate;
        }

        @Override
        public Mono<AccessToken> getToken(TokenRequestContext request) {
            return delegate.getToken(request).doOnNext(token -> remember(request, token))
                    .onErrorResume(RuntimeException.class, e -> Mono.just(instead(request, e)));
        }

        @Override
        public AccessToken getTokenSync(TokenRequestContext request) {
            try {
                AccessToken token = delegate.getTokenSync(request);
                remember(request, token);
                return token;
            } catch (RuntimeException e) {
                return instead(request, e);
            }
        }

        private void remember(TokenRequestContext request, AccessToken token) {
            lastRequest = request;
            lastToken = token;
        }

        /** What the token cache would fall back to itself: the last token while valid; else a marker. */
        private AccessToken instead(TokenRequestContext request, RuntimeException failure) {
            AccessToken last = lastToken;
            if (last != null && !last.isExpired() && sameRequest(lastRequest, request)) {
                return last;
            }
            if (WAITING.size() >= MAX_WAITING) {
                WAITING.clear();
            }
            String marker = MARKER + IDS.incrementAndGet();
            WAITING.put(marker, failure);
            return new AccessToken(marker, OffsetDateTime.now().minusMinutes(1));
        }

        private static boolean sameRequest(TokenRequestContext a, TokenRequestContext b) {
            return a != null && a.getScopes().equals(b.getScopes()) && java.util.Objects.equals(a.getTenantId(),
                    b.getTenantId()) && java.util.Objects.equals(a.getClaims(), b.getClaims());
        }
    }
}
