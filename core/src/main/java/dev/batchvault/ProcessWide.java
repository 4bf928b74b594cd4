package dev.batchvault;

import dev.batchvault.spi.Thumbprint;
import com.azure.core.http.HttpClient;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The little that one process shares across all its {@link BatchVault} instances, in one place:
 *
 * <ul>
 *   <li>the bound on concurrent requests to one vault ({@code max-concurrent-requests}): every
 *       instance reading a vault shares one {@link Semaphore}, whatever the spelling of its URL
 *       ({@code https://LOCALHOST}, {@code https://localhost:443}) and its own bound: the vault is
 *       its scheme, lower-case host and port, and the first instance's bound is the vault's;
 *   <li>the HTTP transports (a JDK client with its threads and pooled connections), one per TLS
 *       context and request timeout, so that instances built and closed one after another reuse one;
 *   <li>which certificates were already warned about as close to expiry, so the WARN comes once.
 * </ul>
 *
 * <p>{@link #PROCESS} is what every builder uses. Tests hand a fresh instance to the builder
 * ({@code BatchVault.Builder.processWide}) instead of reaching into static state.
 */
final class ProcessWide {
    /** The one instance of a running process. */
    static final ProcessWide PROCESS = new ProcessWide();

    private final Map<String, Semaphore> vaultBounds = new ConcurrentHashMap<>();
    private final Set<Thumbprint> warnedExpiry = ConcurrentHashMap.newKeySet();
    private final Map<TransportKey, HttpClient> transports = new ConcurrentHashMap<>();

    /**
     * @param sslContext the TLS context, or {@code null} for the JVM's default; compared by identity
     * @param requestTimeout the transport's timeouts
     * @param make makes the transport, the first time
     * @return the transport every instance with this TLS context and timeout shares
     */
    HttpClient transport(SSLContext sslContext, Duration requestTimeout, Supplier<HttpClient> make) {
        return transports.computeIfAbsent(new TransportKey(sslContext, requestTimeout), k -> make.get());
    }

    /** A TLS context (by identity) and a timeout. */
    private static final class TransportKey {
        private final SSLContext sslContext;
        private final Duration requestTimeout;

        TransportKey(SSLContext sslContext, Duration requestTimeout) {
            this.sslContext = sslContext;
            this.requestTimeout = requestTimeout;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TransportKey && ((TransportKey) o).sslContext == sslContext
                    && ((TransportKey) o).requestTimeout.equals(requestTimeout);
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(sslContext) + requestTimeout.hashCode();
        }
    }

    /**
     * @param vaultUrl the vault
     * @param max the bound configured; used when this is the first instance for the vault
     * @return the semaphore every instance reading this vault shares (fair, so no caller starves)
     */
    Semaphore vaultBound(URI vaultUrl, int max) {
        return vaultBounds.computeIfAbsent(vaultKey(vaultUrl), k -> new Semaphore(max, true));
    }

    /** @return the vault a URL names: scheme, lower-case host (no trailing dot) and port (443 when unset) */
    static String vaultKey(URI vaultUrl) {
        String scheme = vaultUrl.getScheme() == null ? "https" : vaultUrl.getScheme().toLowerCase(Locale.ROOT);
        String host = vaultUrl.getHost() == null ? String.valueOf(vaultUrl.getAuthority()) : vaultUrl.getHost();
        host = host.toLowerCase(Locale.ROOT);
        while (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        int port = vaultUrl.getPort() == -1 ? ("http".equals(scheme) ? 80 : 443) : vaultUrl.getPort();
        return scheme + "://" + host + ":" + port;
    }

    /**
     * @param thumbprint a certificate close to its expiry
     * @return true the first time it is asked for this certificate, false after
     */
    boolean firstExpiryWarning(Thumbprint thumbprint) {
        return warnedExpiry.add(thumbprint);
    }
}
