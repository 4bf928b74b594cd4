package dev.batchvault;

/**
 * What the secret cache has done since the instance was built. Immutable snapshot.
 */
public final class CacheStats {
    private final long hits;
    private final long misses;
    private final long loads;
    private final long loadFailures;
    private final long staleServes;

    CacheStats(long hits, long misses, long loads, long loadFailures, long staleServes) {
        this.hits = hits;
        this.misses = misses;
        this.loads = loads;
        this.loadFailures = loadFailures;
        this.staleServes = staleServes;
    }

    /** @return calls answered from the cache with a fresh value */
    public long hits() {
        return hits;
    }

    /** @return calls that found no fresh value and waited for the vault (or for another caller's request) */
    public long misses() {
        return misses;
    }

    /** @return requests made to the vault, in the foreground or as background refreshes */
    public long loads() {
        return loads;
    }

    /** @return loads that failed */
    public long loadFailures() {
        return loadFailures;
    }

    /** @return calls answered with the last good value because the vault was unavailable */
    public long staleServes() {
        return staleServes;
    }

    @Override
    public String toString() {
        return "CacheStats{hits=" + hits + ", misses=" + misses + ", loads=" + loads + ", loadFailures=" + loadFailures
                + ", staleServes=" + staleServes + "}";
    }
}
