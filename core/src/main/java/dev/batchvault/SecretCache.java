package dev.batchvault;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache contract users rely on.
 *
 * <ul>
 *   <li>A value is fresh for the TTL (with jitter, so a pool's nodes do not refresh in step); from
 *       the refresh-ahead point on, a hit starts one background reload and still returns at once.
 *   <li>Single flight: however many callers miss the same key at once, one request goes out.
 *   <li>Stale-if-error: when a reload fails transiently ({@link VaultUnavailableException}) the last
 *       good value is served, up to the maximum staleness, with one WARN; the vault is tried again
 *       after a growing pause. 403 and 404 are never masked: the entry goes and the caller gets
 *       the exception. A 404 is remembered for the negative TTL.
 *   <li>Never past the secret's own {@code exp}. A pinned version's value never changes, but access
 *       to it can: it is revalidated on the same TTL as the latest version and dropped on 403/404.
 * </ul>
 *
 * <p>Keys are {@link CacheKey}s: names are case-insensitive. A hit ({@link #getIfFresh}) is two
 * map lookups (the name as the caller spells it to its key, then the entry), one ticker read and
 * a counter increment: no allocation, no shared lock.
 *
 * <p>Caffeine bounds the size; the deadlines are the entries' own, read against the one ticker
 * read of each call, so Caffeine is given no expiry (it would read the ticker again on every
 * lookup). Entries past every deadline are dropped after each load, and a lookup never serves one.
 */
final class SecretCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SecretCache.class);
    private static final long FOREVER = CacheEntry.FOREVER;
    private static final Duration FIRST_STALE_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_STALE_RETRY = Duration.ofMinutes(2);

    /** Fetches one secret from the vault; the latest when version is null. */
    interface Loader {
        Secret fetch(String name, String version);
    }

    private final Loader loader;
    private final TimeSource time;
    private final Config config;
    /** Spellings callers used, each already checked, to its key; bounded, so beyond it a name is just checked again. */
    private static final int MAX_SPELLINGS = 10_000;

    private final Cache<CacheKey, CacheEntry> entries;
    private final ConcurrentMap<String, CacheKey> spellings = new ConcurrentHashMap<>();
    private final ConcurrentMap<CacheKey, CompletableFuture<CacheEntry>> inFlight = new ConcurrentHashMap<>();
    private final Executor refresher;
    private final ExecutorService ownRefresher;
    /** Set by {@link #close()}: a load still running then leaves no entry behind. */
    private volatile boolean closed;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder loads = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    private final LongAdder staleServes = new LongAdder();

    /**
     * @param config the cache settings
     * @param loader reads from the vault
     * @param time the clocks
     * @param refresher runs background refreshes; null for a thread of the cache's own
     */
    SecretCache(Config config, Loader loader, TimeSource time, Executor refresher) {
        this.config = config;
        this.loader = loader;
        this.time = time;
        this.entries = Caffeine.newBuilder()
                .maximumSize(config.cacheMaxSize)
                .build();
        if (refresher == null) {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "batchvault-refresh");
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            this.ownRefresher = pool;
            this.refresher = pool;
        } else {
            this.ownRefresher = null;
            this.refresher = refresher;
        }
    }

    /**
     * The hit path: the value when the cache holds a fresh one for a name spelled this way before.
     * Checks nothing about the name: a name it does not know is a miss, for {@link #key} to check.
     *
     * @param name the secret's name as the caller spells it, possibly null or invalid
     * @return the fresh value, or null when the caller must take {@link #get(CacheKey)}
     */
    Secret getIfFresh(String name) {
        CacheKey key = name == null ? null : spellings.get(name);
        if (key == null) {
            return null;
        }
        CacheEntry entry = entries.getIfPresent(key);
        if (entry == null || entry.secret == null) {
            return null;
        }
        long now = time.read();
        if (now >= entry.freshUntil) {
            return null;
        }
        return served(key, entry, now).secret;
    }

    /**
     * @param name a name already checked as valid
     * @return its key for the latest version, remembered for this spelling
     */
    CacheKey key(String name) {
        CacheKey key = spellings.get(name);
        if (key == null) {
            key = CacheKey.latest(name);
            if (spellings.size() < MAX_SPELLINGS) {
                spellings.putIfAbsent(name, key);
            }
        }
        return key;
    }

    /**
     * @param key the latest version of a secret, or a pinned one
     * @return the value, from the cache when fresh
     */
    Secret get(CacheKey key) {
        CacheEntry entry = entries.getIfPresent(key);
        if (entry != null) {
            long now = time.read();
            if (now < entry.freshUntil) {
                return served(key, entry, now).value();
            }
            if (now >= entry.retainUntil()) {
                entry = null;
            }
        }
        misses.increment();
        return load(key, entry, false).value();
    }

    /** Counts a hit (or a stale serve) and, from the refresh-ahead point on, starts one background refresh. */
    private CacheEntry served(CacheKey key, CacheEntry entry, long now) {
        (entry.failures > 0 ? staleServes : hits).increment();
        if (now >= entry.refreshAt && entry.refreshing.compareAndSet(false, true)) {
            refreshInBackground(key, entry);
        }
        return entry;
    }

    /** Reloads now, whatever the cache holds. */
    Secret refresh(CacheKey key) {
        CacheEntry entry = entries.getIfPresent(key);
        return load(key, entry != null && time.read() < entry.retainUntil() ? entry : null, false).value();
    }

    /** Forgets the latest and every pinned version of a name, however it is spelled. */
    void invalidate(String name) {
        String lower = CacheKey.latest(name).lower;
        entries.asMap().keySet().removeIf(k -> k.lower.equals(lower));
    }

    /** @return how many entries (values, remembered 404s) the cache holds now */
    long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    CacheStats stats() {
        return new CacheStats(hits.sum(), misses.sum(), loads.sum(), loadFailures.sum(), staleServes.sum());
    }

    @Override
    public void close() {
        closed = true;
        if (ownRefresher != null) {
            ownRefresher.shutdownNow();
        }
        spellings.clear();
        entries.invalidateAll();
    }

    private void refreshInBackground(CacheKey key, CacheEntry current) {
        try {
            refresher.execute(() -> {
                try {
                    load(key, current, true);
                } catch (BatchVaultException e) {
                    LOG.debug("Background refresh of {} failed: {}", key.name, e.getClass().getSimpleName());
                } finally {
                    current.refreshing.set(false);
                }
            });
        } catch (RejectedExecutionException closed) {
            current.refreshing.set(false);
        }
    }

    /** Single flight: the first caller for a key loads; the others wait for its result. */
    private CacheEntry load(CacheKey key, CacheEntry previous, boolean background) {
        CompletableFuture<CacheEntry> mine = new CompletableFuture<>();
        CompletableFuture<CacheEntry> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            if (background) {
                return previous;
            }
            try {
                return running.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VaultUnavailableException("Interrupted while waiting for another thread's read of secret "
                        + key.name + "; the thread's interrupt flag is set.", 0, e);
            } catch (ExecutionException e) {
                if (isInterruption(e.getCause())) {
                    // The loading thread was interrupted, not this one: load again.
                    return load(key, previous, false);
                }
                throw (RuntimeException) e.getCause();
            }
        }
        try {
            CacheEntry loaded = fetch(key, previous, background);
            mine.complete(loaded);
            return loaded;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            if (!background && e instanceof BatchVaultException) {
                // The one line a failed read logs (the SDK's own lines are kept out: AzurePipeline, TokenFailures).
                LOG.warn("Reading {} failed: {}", key.version == null ? "secret " + key.name
                        : "version " + key.version + " of secret " + key.name, e.getMessage());
            }
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private CacheEntry fetch(CacheKey key, CacheEntry previous, boolean background) {
        String name = key.name;
        String version = key.version;
        loads.increment();
        try {
            Secret secret = loader.fetch(name, version);
            CacheEntry fresh = fresh(secret);
            long now = time.read();
            if (fresh.freshUntil <= now) {
                entries.invalidate(key);
            } else {
                store(key, fresh);
            }
            dropDead(now);
            if (previous != null && previous.failures > 0) {
                LOG.info("The vault answers again; secret {} is fresh", name);
            }
            LOG.debug("Loaded secret {} version {}; {}", name, secret.version(), stats());
            return fresh;
        } catch (SecretNotFoundException e) {
            loadFailures.increment();
            if (config.cacheNegativeTtl.isZero()) {
                entries.invalidate(key);
            } else {
                store(key, CacheEntry.notFound(e, time.read() + config.cacheNegativeTtl.toNanos()));
            }
            throw e;
        } catch (VaultUnavailableException e) {
            if (isInterruption(e)) {
                throw e; // this thread was interrupted: the vault is not at fault, the cache stays as it is
            }
            loadFailures.increment();
            long now = time.read();
            if (previous != null && previous.secret != null && background && now < previous.freshUntil) {
                // Still fresh: keep serving it, and try again after a pause rather than at every hit.
                store(key, previous.retryAt(now + retryDelay(1).toNanos()));
                return previous;
            }
            if (previous != null && previous.secret != null && now < previous.staleUntil) {
                staleServes.increment();
                int failures = previous.failures + 1;
                long retry = Math.min(previous.staleUntil, now + retryDelay(failures).toNanos());
                store(key, previous.staleUntil(retry, failures));
                if (failures == 1) {
                    LOG.warn("The vault is unavailable; serving the last good value of secret {} (version {}) for up to "
                            + "{} more: {}", name, previous.secret.version(),
                            Duration.ofNanos(previous.staleUntil - now).withNanos(0), e.getMessage());
                } else {
                    LOG.debug("Still serving the last good value of secret {} ({} failures)", name, failures);
                }
                return previous;
            }
            entries.invalidate(key);
            throw e;
        } catch (BatchVaultException e) {
            // Access revoked, secret disabled, authentication refused: never masked.
            loadFailures.increment();
            entries.invalidate(key);
            throw e;
        }
    }

    /** Puts an entry, unless the cache is closed: a load still running at close() leaves nothing behind. */
    private void store(CacheKey key, CacheEntry entry) {
        entries.put(key, entry);
        if (closed) {
            // close() ran during the load and emptied the cache, before or after this put.
            entries.invalidate(key);
        }
    }

    private CacheEntry fresh(Secret secret) {
        long now = time.read();
        long untilExp = FOREVER;
        if (secret.expiresOn().isPresent()) {
            Instant wall = time.now();
            untilExp = now + Math.max(0, Duration.between(wall, secret.expiresOn().get()).toNanos());
        }
        // A pinned version's value never changes, but access to it can (revoked, deleted, disabled):
        // it is revalidated on the same TTL as the latest, so a 403 or 404 is never masked.
        double jitter = 1 + config.cacheJitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        long ttl = (long) (config.cacheTtl.toNanos() * jitter);
        long freshUntil = Math.min(now + ttl, untilExp);
        long refreshAt = now + (long) (ttl * config.cacheRefreshAhead);
        long staleUntil = Math.min(saturatedAdd(freshUntil, config.cacheMaxStaleness.toNanos()), untilExp);
        return new CacheEntry(secret, null, freshUntil, refreshAt, staleUntil, 0);
    }

    /** @return whether a load failed because its thread was interrupted ({@link CallPolicy}'s exception for it) */
    private static boolean isInterruption(Throwable e) {
        return e instanceof VaultUnavailableException && e.getCause() instanceof InterruptedException;
    }

    private static Duration retryDelay(int failures) {
        long millis = FIRST_STALE_RETRY.toMillis() << Math.min(failures - 1, 20);
        return Duration.ofMillis(Math.min(millis, MAX_STALE_RETRY.toMillis()));
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < a ? FOREVER : Math.min(sum, FOREVER);
    }

    /** Drops entries past every deadline; after a load, which costs far more than this walk. */
    private void dropDead(long now) {
        entries.asMap().values().removeIf(e -> now >= e.retainUntil());
    }
}
