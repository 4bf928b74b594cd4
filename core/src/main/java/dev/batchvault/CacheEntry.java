package dev.batchvault;

import java.util.concurrent.atomic.AtomicBoolean;

/** A cached value (or a remembered 404) with its deadlines, in ticker nanoseconds. */
final class CacheEntry {
    /** Later than any deadline, with room to add to it. */
    static final long FOREVER = Long.MAX_VALUE / 2;

    final Secret secret;
    final SecretNotFoundException notFound;
    final long freshUntil;
    final long refreshAt;
    final long staleUntil;
    final int failures;
    final AtomicBoolean refreshing = new AtomicBoolean();

    CacheEntry(Secret secret, SecretNotFoundException notFound, long freshUntil, long refreshAt, long staleUntil,
            int failures) {
        this.secret = secret;
        this.notFound = notFound;
        this.freshUntil = freshUntil;
        this.refreshAt = refreshAt;
        this.staleUntil = staleUntil;
        this.failures = failures;
    }

    static CacheEntry notFound(SecretNotFoundException e, long until) {
        return new CacheEntry(null, e, until, FOREVER, until, 0);
    }

    /** Serve this stale value until the next attempt. */
    CacheEntry staleUntil(long retryAt, int failures) {
        return new CacheEntry(secret, null, retryAt, FOREVER, staleUntil, failures);
    }

    /** Still fresh; the background refresh failed, try again later (not counted as stale). */
    CacheEntry retryAt(long refreshAt) {
        return new CacheEntry(secret, null, freshUntil, refreshAt, staleUntil, 0);
    }

    /** Until when it may be served at all, fresh or stale. */
    long retainUntil() {
        return Math.max(freshUntil, staleUntil);
    }

    Secret value() {
        if (secret == null) {
            throw new SecretNotFoundException(notFound.secretName(), notFound.getMessage()
                    + " (remembered from a moment ago)", notFound);
        }
        return secret;
    }
}
