package dev.batchvault;

import dev.batchvault.spi.Thumbprint;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The little that one process shares across all its {@link BatchVault} instances, in one place:
 *
 * <ul>
 *   <li>the bound on concurrent requests to one vault ({@code max-concurrent-requests}): every
 *       instance reading a vault shares one {@link Semaphore}, whatever the spelling of its URL
 *       ({@code https://LOCALHOST}, {@code https://localhost:443}) and its own bound: the vault is
 *       its scheme, lower-case host and port, and the first instance's bound is the vault's;
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
