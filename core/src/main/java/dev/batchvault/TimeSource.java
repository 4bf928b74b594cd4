package dev.batchvault;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Instant;

/** The cache's clocks: a monotonic ticker for ages, and the wall clock for secrets' own {@code exp}. */
interface TimeSource extends Ticker {
    /** @return the current wall-clock time */
    Instant now();

    /** The system's clocks. */
    TimeSource SYSTEM = new TimeSource() {
        @Override
        public long read() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }
    };
}
