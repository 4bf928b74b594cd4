package dev.batchvault;

import dev.batchvault.spi.Thumbprint;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The little that one process shares across all its {@link BatchVault} instances, in one place:
 *
 * <ul>
 *   <li>the bound on concurrent requests to one vault ({@code max-concurrent-requests}): instances
 *       with the same vault and the same bound share one {@link Semaphore};
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
     * @param max the bound configured
     * @return the semaphore every instance with this vault and bound shares (fair, so no caller starves)
     */
    Semaphore vaultBound(String vaultUrl, int max) {
        return vaultBounds.computeIfAbsent(vaultUrl + " " + max, k -> new Semaphore(max, true));
    }

    /**
     * @param thumbprint a certificate close to its expiry
     * @return true the first time it is asked for this certificate, false after
     */
    boolean firstExpiryWarning(Thumbprint thumbprint) {
        return warnedExpiry.add(thumbprint);
    }
}
