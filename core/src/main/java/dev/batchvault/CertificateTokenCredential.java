package dev.batchvault;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * Gets Entra ID tokens for a pool certificate by asking the token endpoint itself: the OAuth 2.0
 * client credentials grant with a certificate's client assertion, the request MSAL4J makes for
 * {@code ClientCertificateCredential} and {@code ClientAssertionCredential}. A POST to
 * {@code {authority host}/{tenant}/oauth2/v2.0/token} with {@code grant_type=client_credentials},
 * {@code client_id}, {@code scope}, {@code client_assertion_type} (JWT bearer) and
 * {@code client_assertion} (a new one, from {@link ClientAssertions}, for each request), sent through
 * the {@link AzurePipeline}'s transport (its TLS, timeouts, no HTTP logging, no SDK retries).
 *
 * <p>Why not azure-identity: on a refused request, MSAL4J and azure-identity each log the failure
 * (a WARN and two ERRORs) before the caller gets it, and no public option turns that off. This class
 * logs nothing; a failure is a {@link TokenEndpointException} carrying the answer's status, AADSTS
 * code, Retry-After and ids, which BatchVault reports once.
 *
 * <p>No instance discovery: the request goes to the configured host, whatever cloud it is. A token is
 * kept per scope until {@link #REFRESH_BEFORE} before it expires (MSAL4J's margin), so one token
 * serves its lifetime.
 */
final class CertificateTokenCredential implements TokenCredential {
    /** Refresh this long before expiry, as MSAL4J and azure-core's token cache do. */
    static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);
    static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static final Pattern AADSTS = Pattern.compile("AADSTS\\d{1,10}");
    private static final Pattern SAFE = Pattern.compile("[\\w.:-]{1,100}");
    private static final HttpHeaderName CLIENT_REQUEST_ID = HttpHeaderName.fromString("client-request-id");
    private static final int MAX_DESCRIPTION = 400;

    private final String tenantId;
    private final String clientId;
    private final String tokenEndpoint;
    private final Supplier<String> assertions;
    private final HttpPipeline http;
    private final Clock clock;
    private final Map<String, AccessToken> tokens = new ConcurrentHashMap<>();

    /**
     * @param config tenant, client id and authority host
     * @param assertions a new signed client assertion on each call
     * @param pipeline the transport shared with the vault client
     * @param clock the time tokens expire by
     */
    CertificateTokenCredential(Config config, Supplier<String> assertions, AzurePipeline pipeline, Clock clock) {
        this.tenantId = config.tenantId;
        this.clientId = config.clientId;
        this.tokenEndpoint = ClientAssertions.tokenEndpoint(config.authorityHost, config.tenantId);
        this.assertions = assertions;
        this.clock = clock;
        // Only the transport and the Content-Length fix: no retry policy (CallPolicy retries), no logging policy.
        this.http = new HttpPipelineBuilder().httpClient(pipeline.http).policies(AzurePipeline.DROP_CONTENT_LENGTH)
                .build();
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.fromCallable(() -> getTokenSync(request));
    }

    /**
     * @throws TokenEndpointException if the token endpoint refused, failed, or could not be reached
     * @throws ClientAuthenticationException if the request names a scope count or tenant this credential cannot serve
     * @throws CertificateUnusableException if the certificate cannot sign
     */
    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        List<String> scopes = request.getScopes();
        if (scopes == null || scopes.size() != 1) {
            throw new ClientAuthenticationException("A token request for a pool certificate needs exactly one scope "
                    + "(the resource's /.default); it had " + (scopes == null ? 0 : scopes.size()) + ".", null);
        }
        if (request.getTenantId() != null && !request.getTenantId().equalsIgnoreCase(tenantId)) {
            throw new ClientAuthenticationException("The vault asked for a token from tenant " + request.getTenantId()
                    + ", but the application is configured in tenant " + tenantId + ". Check " + Config.TENANT_ID
                    + ": it must be the vault's tenant.", null);
        }
        String scope = scopes.get(0);
        if (request.getClaims() != null) {
            return requestToken(scope, request.getClaims()); // a claims challenge wants a new token
        }
        AccessToken cached = usable(tokens.get(scope));
        if (cached != null) {
            return cached;
        }
        synchronized (this) {
            cached = usable(tokens.get(scope));
            if (cached != null) {
                return cached;
            }
            AccessToken token = requestToken(scope, null);
            tokens.put(scope, token);
            return token;
        }
    }

    private AccessToken usable(AccessToken token) {
        return token != null && clock.instant().plus(REFRESH_BEFORE).isBefore(token.getExpiresAt().toInstant())
                ? token : null;
    }

    private AccessToken requestToken(String scope, String claims) {
        String correlation = UUID.randomUUID().toString();
        StringBuilder form = new StringBuilder(2048)
                .append("grant_type=client_credentials")
                .append("&client_id=").append(encode(clientId))
                .append("&scope=").append(encode(scope))
                .append("&client_assertion_type=").append(encode(ASSERTION_TYPE))
                .append("&client_assertion=").append(encode(assertions.get()));
        if (claims != null) {
            form.append("&claims=").append(encode(claims));
        }
        HttpRequest post = new HttpRequest(HttpMethod.POST, tokenEndpoint)
                .setHeader(HttpHeaderName.CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8")
                .setHeader(HttpHeaderName.ACCEPT, "application/json")
                .setHeader(CLIENT_REQUEST_ID, correlation)
                .setHeader(HttpHeaderName.fromString("return-client-request-id"), "true")
                .setBody(form.toString());
        Instant sent = clock.instant();
        int status;
        Map<String, Object> body;
        String retryAfterMs;
        String xMsRetryAfterMs;
        String retryAfter;
        try (HttpResponse response = http.sendSync(post, Context.NONE)) {
            status = response.getStatusCode();
            retryAfterMs = response.getHeaderValue(HttpHeaderName.fromString("retry-after-ms"));
            xMsRetryAfterMs = response.getHeaderValue(HttpHeaderName.fromString("x-ms-retry-after-ms"));
            retryAfter = response.getHeaderValue(HttpHeaderName.RETRY_AFTER);
            body = json(response.getBodyAsBinaryData().toBytes());
        } catch (UncheckedIOException e) {
            throw new TokenEndpointException("Cannot reach the token endpoint " + tokenEndpoint + ": " + e.getCause(), e);
        } catch (RuntimeException e) {
            // The transport's failure (a TLS refusal, a timeout) as azure-core throws it.
            throw new TokenEndpointException("Cannot reach the token endpoint " + tokenEndpoint + ": " + e, e);
        }
        Object accessToken = body == null ? null : body.get("access_token");
        Long expiresIn = body == null ? null : number(body.get("expires_in"));
        if (status == 200 && accessToken instanceof String && expiresIn != null) {
            return new AccessToken((String) accessToken, sent.plusSeconds(expiresIn).atOffset(ZoneOffset.UTC));
        }
        String error = body == null ? null : safe(body.get("error"));
        String description = body == null || !(body.get("error_description") instanceof String) ? null
                : (String) body.get("error_description");
        String code = aadsts(body, description);
        String traceId = body == null ? null : safe(body.get("trace_id"));
        String correlationId = body == null ? null : safe(body.get("correlation_id"));
        if (correlationId == null) {
            correlationId = correlation;
        }
        String first = description == null ? null : description.split("\\R", 2)[0];
        if (first != null && first.length() > MAX_DESCRIPTION) {
            first = first.substring(0, MAX_DESCRIPTION) + "...";
        }
        String message = "The token endpoint " + tokenEndpoint + " answered HTTP " + status
                + (error == null ? "" : " " + error) + (code == null ? "" : " (" + code + ")")
                + (first == null ? (status == 200 ? ": no access_token and expires_in in the answer" : "") : ": " + first)
                + " [trace id " + traceId + ", correlation id " + correlationId + "]";
        throw new TokenEndpointException(message, status, error, code, safe(retryAfterMs), safe(xMsRetryAfterMs),
                retryAfter == null || retryAfter.length() > 64 ? null : retryAfter, traceId, correlationId);
    }

    /** The AADSTS code: the first of {@code error_codes}, else the one {@code error_description} starts with. */
    private static String aadsts(Map<String, Object> body, String description) {
        if (body != null && body.get("error_codes") instanceof List && !((List<?>) body.get("error_codes")).isEmpty()) {
            Long first = number(((List<?>) body.get("error_codes")).get(0));
            if (first != null) {
                return "AADSTS" + first;
            }
        }
        if (description != null) {
            Matcher m = AADSTS.matcher(description);
            if (m.find()) {
                return m.group();
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        try (JsonReader reader = JsonProviders.createReader(bytes)) {
            Object value = reader.readUntyped();
            return value instanceof Map ? (Map<String, Object>) value : null;
        } catch (IOException | RuntimeException e) {
            return null; // not JSON (a proxy's page): the status says what happened
        }
    }

    private static Long number(Object value) {
        if (value instanceof Number) {
            return ((Number) value).longValue();
        }
        if (value instanceof String) {
            try {
                return Long.parseLong(((String) value).trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** Values echoed by a server are kept only when they look like ids or codes. */
    private static String safe(Object value) {
        return value instanceof String && SAFE.matcher((String) value).matches() ? (String) value : null;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "CertificateTokenCredential[" + tokenEndpoint + ", client " + clientId + "]";
    }
}
