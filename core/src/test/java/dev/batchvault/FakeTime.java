package dev.batchvault;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves: ticker and wall time advance together, from the real time at creation. */
final class FakeTime implements TimeSource {
    private final Instant start = Instant.now();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong reads = new AtomicLong();

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Override
    public long read() {
        reads.incrementAndGet();
        return nanos.get();
    }

    /** @return how often the ticker was read */
    long reads() {
        return reads.get();
    }

    @Override
    public Instant now() {
        return start.plusNanos(nanos.get() - 1_000_000_000L);
    }
}
