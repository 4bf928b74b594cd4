package dev.batchvault;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.microsoft.aad.msal4j.MsalException;
import com.microsoft.aad.msal4j.MsalServiceException;
import dev.batchvault.spi.PoolCertificate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Reads secrets from one vault through the Azure SDK (SecretClient on the JDK HTTP transport,
 * authenticated by the pool certificate) and turns its failures into BatchVault's exceptions.
 */
final class VaultAccess {
    private static final Logger LOG = LoggerFactory.getLogger(VaultAccess.class);
    private static final Set<String> PUBLIC_AUTHORITIES = Set.of("login.microsoftonline.com",
            "login.chinacloudapi.cn", "login.microsoftonline.us");
    private static final Pattern AADSTS = Pattern.compile("AADSTS\\d+");
    private static final Pattern INNER_CODE = Pattern.compile("\"innererror\"\\s*:\\s*\\{\\s*\"code\"\\s*:\\s*\"(\\w+)\"");
    private static final Pattern MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"(\\w+)\"");

    /**
     * java.net.http sets Content-Length itself and refuses it from callers; azure-core's JDK transport
     * logs a WARN each time a request carries one (the Key Vault client's requests do). Dropping it
     * just before the transport keeps task logs clean.
     */
    private static final HttpPipelinePolicy DROP_CONTENT_LENGTH = new HttpPipelinePolicy() {
        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            context.getHttpRequest().getHeaders().remove(HttpHeaderName.CONTENT_LENGTH);
            return next.process();
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            context.getHttpRequest().getHeaders().remove(HttpHeaderName.CONTENT_LENGTH);
            return next.processSync();
        }

        @Override
        public HttpPipelinePosition getPipelinePosition() {
            return HttpPipelinePosition.PER_RETRY;
        }
    };

    /** Retries, backoff and the deadline are {@link #fetch}'s: one place, one deadline, one count. */
    private static final RetryOptions NO_SDK_RETRIES = new RetryOptions(new ExponentialBackoffOptions().setMaxRetries(0));
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(16);
    /** One bound per vault (and bound size) for the whole process, however many instances read it. */
    private static final Map<String, Semaphore> PER_VAULT = new ConcurrentHashMap<>();

    private final Config config;
    private final String vaultUrl;
    private final Semaphore concurrency;
    private final SecretClient client;

    VaultAccess(Config config, PoolCertificate certificate) {
        this.config = config;
        this.vaultUrl = config.vaultUrl.toString();
        this.concurrency = PER_VAULT.computeIfAbsent(boundKey(vaultUrl, config.maxConcurrentRequests),
                k -> new Semaphore(config.maxConcurrentRequests, true));
        HttpClient http = httpClient(config);
        // Never log bodies or headers, whatever AZURE_HTTP_LOG_DETAIL_LEVEL says: bodies hold secret values.
        HttpLogOptions noHttpLogs = new HttpLogOptions().setLogLevel(HttpLogDetailLevel.NONE);
        SecretClientBuilder builder = new SecretClientBuilder()
                .vaultUrl(Ipv6VaultHost.clientUrl(config.vaultUrl))
                .credential(credential(config, certificate, http, noHttpLogs))
                .httpClient(http)
                .httpLogOptions(noHttpLogs)
                .addPolicy(DROP_CONTENT_LENGTH)
                .addPolicy(new KeyVaultAudiencePolicy(vaultUrl, config.settings.origin(Config.VAULT_URL)))
                .retryOptions(NO_SDK_RETRIES);
        if (Ipv6VaultHost.isIpv6Literal(config.vaultUrl)) {
            builder.addPolicy(Ipv6VaultHost.restoring(config.vaultUrl));
        }
        if (Config.isLoopback(config.vaultUrl)) {
            // Only a vault on this machine (the emulator) may answer with a challenge for another host.
            builder.disableChallengeResourceVerification();
        }
        this.client = builder.buildClient();
    }

    private static HttpClient httpClient(Config config) {
        java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
        if (config.sslContext != null) {
            jdk.sslContext(config.sslContext);
        }
        return new JdkHttpClientBuilder(jdk)
                .connectionTimeout(config.requestTimeout)
                .responseTimeout(config.requestTimeout)
                .readTimeout(config.requestTimeout)
                .build();
    }

    /** A certificate credential built from PEM text in memory; the key never touches disk. */
    private static TokenCredential credential(Config config, PoolCertificate certificate, HttpClient http,
            HttpLogOptions logOptions) {
        if (!"RSA".equals(certificate.privateKey().getAlgorithm())) {
            throw new CertificateUnusableException(CertificateUnusableException.Reason.CORRUPT, certificate.location(),
                    "The key of " + certificate.location() + " is " + certificate.privateKey().getAlgorithm()
                            + "; Entra ID client assertions are signed RS256, so the pool certificate needs an RSA key.",
                    null);
        }
        StringBuilder pem = new StringBuilder(4096);
        appendPem(pem, "PRIVATE KEY", certificate.privateKey().getEncoded());
        try {
            for (X509Certificate c : certificate.chain()) {
                appendPem(pem, "CERTIFICATE", c.getEncoded());
            }
        } catch (CertificateEncodingException e) {
            throw new CertificateUnusableException(CertificateUnusableException.Reason.CORRUPT, certificate.location(),
                    "The certificate in " + certificate.location() + " cannot be encoded: " + e, e);
        }
        ClientCertificateCredentialBuilder builder = new ClientCertificateCredentialBuilder()
                .tenantId(config.tenantId)
                .clientId(config.clientId)
                .pemCertificate(new ByteArrayInputStream(pem.toString().getBytes(StandardCharsets.US_ASCII)))
                .authorityHost(config.authorityHost.toString())
                .httpClient(http)
                .httpLogOptions(logOptions)
                .retryOptions(NO_SDK_RETRIES)
                .addPolicy(DROP_CONTENT_LENGTH);
        if (!PUBLIC_AUTHORITIES.contains(config.authorityHost.getHost().toLowerCase(Locale.ROOT))) {
            // MSAL would ask login.microsoftonline.com whether this host is an authority; it is not one it knows.
            builder.disableInstanceDiscovery();
        }
        return builder.build();
    }

    /**
     * Reads one secret (the latest when version is null). Transient failures (5xx, 429, I/O,
     * timeouts, at the vault or the token endpoint) are retried with full-jitter exponential
     * backoff from one second, or after the delay a 429 names, until the call's deadline.
     *
     * @throws VaultUnavailableException when the deadline passes; it carries the last cause and
     *     the number of attempts
     */
    /** The process-wide bound on concurrent requests to one vault. */
    static Semaphore boundFor(String vaultUrl, int max) {
        return PER_VAULT.get(boundKey(vaultUrl, max));
    }

    private static String boundKey(String vaultUrl, int max) {
        return vaultUrl + " " + max;
    }

    private static void appendPem(StringBuilder pem, String type, byte[] der) {
        pem.append("-----BEGIN ").append(type).append("-----\n")
                .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der))
                .append("\n-----END ").append(type).append("-----\n");
    }

    Secret fetch(String name, String version) {
        long start = System.nanoTime();
        long deadline = start + config.callDeadline.toNanos();
        for (int attempt = 1; ; attempt++) {
            RuntimeException failure;
            try {
                return fetchOnce(name, version);
            } catch (BatchVaultException e) {
                throw e;
            } catch (RuntimeException e) {
                failure = e;
            }
            BatchVaultException translated = translate(failure, name, version);
            if (!(translated instanceof VaultUnavailableException)) {
                throw translated;
            }
            Duration delay = retryAfter(failure).orElseGet(backoff(attempt));
            long now = System.nanoTime();
            if (now + delay.toNanos() >= deadline) {
                throw new VaultUnavailableException(translated.getMessage() + " Gave up after " + attempt
                        + (attempt == 1 ? " attempt" : " attempts") + " in " + Duration.ofNanos(now - start).toMillis()
                        + " ms (call deadline " + config.callDeadline + ").", attempt, failure);
            }
            LOG.debug("Attempt {} for {} failed ({}); retrying in {} ms", attempt, name, rootCause(failure).getClass()
                    .getSimpleName(), delay.toMillis());
            sleep(delay);
        }
    }

    private Secret fetchOnce(String name, String version) {
        boolean permitted = false;
        try {
            concurrency.acquire();
            permitted = true;
            KeyVaultSecret secret = client.getSecret(name, version);
            Instant expiresOn = secret.getProperties().getExpiresOn() == null ? null
                    : secret.getProperties().getExpiresOn().toInstant();
            return new Secret(secret.getName(), secret.getProperties().getVersion(), secret.getValue(),
                    secret.getProperties().getContentType(), expiresOn);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VaultUnavailableException("Interrupted while waiting to read secret '" + name + "' from "
                    + vaultUrl + ".", 0, e);
        } finally {
            if (permitted) {
                concurrency.release();
            }
        }
    }

    /** Full jitter: a random delay between zero and 1 s, 2 s, 4 s ... capped at 16 s. */
    private static Supplier<Duration> backoff(int attempt) {
        return () -> {
            long cap = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 20));
            return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1));
        };
    }

    /** The delay a throttled response asks for: retry-after-ms, x-ms-retry-after-ms, or Retry-After (seconds or a date). */
    static Optional<Duration> retryAfter(Throwable failure) {
        HttpResponseException response = find(failure, HttpResponseException.class);
        if (response == null || response.getResponse() == null) {
            return Optional.empty();
        }
        HttpHeaders headers = response.getResponse().getHeaders();
        return RetryAfter.parse(headers.getValue(HttpHeaderName.fromString("retry-after-ms")),
                headers.getValue(HttpHeaderName.fromString("x-ms-retry-after-ms")),
                headers.getValue(HttpHeaderName.RETRY_AFTER), Instant.now());
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VaultUnavailableException("Interrupted while waiting to retry.", 0, e);
        }
    }

    private BatchVaultException translate(RuntimeException e, String name, String version) {
        String what = version == null ? "secret '" + name + "'" : "version " + version + " of secret '" + name + "'";
        if (isCredentialFailure(e)) {
            return authenticationFailure(e);
        }
        HttpResponseException response = find(e, HttpResponseException.class);
        if (response != null && response.getResponse() != null) {
            int status = response.getResponse().getStatusCode();
            String body = String.valueOf(response.getMessage());
            String code = firstGroup(CODE, body);
            String inner = firstGroupOrNull(INNER_CODE, body);
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
            if (status == 403) {
                return new AccessDeniedException(config.clientId, vaultUrl, "The vault " + vaultUrl
                        + " refused application (client id) " + config.clientId + " access to " + what + " (403 "
                        + (inner == null ? code : code + "/" + inner) + "). Grant it get on secrets: az keyvault "
                        + "set-policy --name " + config.vaultName() + " --spn " + config.clientId
                        + " --secret-permissions get (or, on a vault that uses Azure RBAC, assign it the role "
                        + "\"Key Vault Secrets User\" at the vault's scope).", e);
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
        if (String.valueOf(e.getMessage()).contains("does not match the requested domain")) {
            return new InvalidConfigurationException(Config.VAULT_URL, "The host of " + Config.VAULT_URL + " "
                    + vaultUrl + " answered with a challenge for another service's host, so no token was sent to it. "
                    + "A Key Vault URL looks like https://<name>.vault.azure.net (or a sovereign cloud's vault "
                    + "domain); check " + Config.VAULT_URL + " (from " + config.settings.origin(Config.VAULT_URL) + ").", e);
        }
        return new VaultUnavailableException("Cannot reach the vault " + vaultUrl + " for " + what + ": "
                + describe(rootCause(e)) + ". Check the node's network (DNS, proxy, firewall, private endpoint) and "
                + "the vault URL.", 0, e);
    }

    private BatchVaultException authenticationFailure(RuntimeException e) {
        String code = null;
        for (Throwable t = e; t != null && code == null; t = t.getCause()) {
            code = firstGroupOrNull(AADSTS, String.valueOf(t.getMessage()));
        }
        String who = "application " + config.clientId + " in tenant " + config.tenantId + " at "
                + config.authorityHost;
        MsalServiceException service = find(e, MsalServiceException.class);
        Integer status = service == null ? null : service.statusCode();
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
        String advice;
        switch (code) {
            case "AADSTS700027":
                advice = "The certificate is not registered on the application, or its signature was refused. Register "
                        + "it: az ad app credential reset --id " + config.clientId + " --cert @pool-cert.pem --append";
                break;
            case "AADSTS700016":
                advice = "No application with client id " + config.clientId + " exists in tenant " + config.tenantId
                        + ". Check " + Config.CLIENT_ID + " and " + Config.TENANT_ID + ".";
                break;
            case "AADSTS90002":
                advice = "Tenant " + config.tenantId + " does not exist at " + config.authorityHost + ". Check "
                        + Config.TENANT_ID + " (and " + Config.AUTHORITY_HOST + " for sovereign clouds).";
                break;
            case "AADSTS700024":
                advice = "The client assertion was outside its valid time range: check the node's clock.";
                break;
            default:
                advice = "See https://learn.microsoft.com/entra/identity-platform/reference-error-codes for " + code + ".";
                break;
        }
        return new AuthenticationRefusedException(code, "Entra ID refused to issue a token for " + who + " (" + code
                + "). " + advice, e);
    }

    /** Raised by the credential (the token endpoint, not the vault): MSAL's errors, or azure-identity's. */
    private static boolean isCredentialFailure(Throwable e) {
        ClientAuthenticationException auth = find(e, ClientAuthenticationException.class);
        return (auth != null && auth.getResponse() == null) || find(e, MsalException.class) != null;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
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
