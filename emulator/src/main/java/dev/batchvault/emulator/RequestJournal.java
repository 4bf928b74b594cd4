package dev.batchvault.emulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The requests a route (or the whole emulator) received, in the order they ended, for tests to
 * read as they would read MockWebServer's: {@link #take()} the next one, or look at {@link #requests()}.
 * A request is recorded before its answer is sent (a closed or held one when that happens), so a
 * client that has its answer finds its request here already.
 *
 * <p>It keeps the last {@value #CAPACITY} requests; {@link #count()} counts every one. Thread-safe.
 *
 * <pre>{@code
 * azure.journal().clear();
 * client.getSecret("s");
 * assertThat(vault.journal().requests()).extracting(RecordedRequest::status).containsExactly(401, 200);
 * }</pre>
 */
public final class RequestJournal {
    /** How many requests a journal keeps (the oldest fall away first). */
    public static final int CAPACITY = 10_000;

    private final Deque<RecordedRequest> kept = new ArrayDeque<>();
    private final RequestJournal parent;
    private long count;
    private int unread;

    RequestJournal() {
        this(null);
    }

    /** @param parent a journal that records every request this one records (the emulator's), or null */
    RequestJournal(RequestJournal parent) {
        this.parent = parent;
    }

    void record(RecordedRequest request) {
        synchronized (kept) {
            if (kept.size() == CAPACITY) {
                kept.removeFirst();
                unread = Math.min(unread, CAPACITY - 1);
            }
            kept.addLast(request);
            unread++;
            count++;
            kept.notifyAll();
        }
        if (parent != null) {
            parent.record(request);
        }
    }

    /** @return every request kept, oldest first */
    public List<RecordedRequest> requests() {
        synchronized (kept) {
            return List.copyOf(kept);
        }
    }

    /**
     * @param filter which requests, such as {@code r -> r.route().equals("login")}
     * @return the requests kept that match, oldest first
     */
    public List<RecordedRequest> requests(Predicate<? super RecordedRequest> filter) {
        List<RecordedRequest> matching = new ArrayList<>();
        for (RecordedRequest r : requests()) {
            if (filter.test(r)) {
                matching.add(r);
            }
        }
        return matching;
    }

    /**
     * Reads the oldest request not yet taken, as MockWebServer's {@code takeRequest()} does, but
     * without waiting: every request a client has an answer to is recorded already.
     *
     * @return the request
     * @throws IllegalStateException if every recorded request was taken already
     */
    public RecordedRequest take() {
        synchronized (kept) {
            if (unread == 0) {
                throw new IllegalStateException("no request left to take; all " + kept.size() + " kept were taken");
            }
            RecordedRequest next = kept.stream().skip(kept.size() - unread).findFirst().orElseThrow();
            unread--;
            return next;
        }
    }

    /**
     * Waits for the oldest request not yet taken, as MockWebServer's {@code takeRequest(timeout)}
     * does: for a request whose client has no answer yet, such as one a {@link Fault#hang()} holds.
     * A test that waits here knows the emulator has the request, without guessing how long that takes.
     *
     * @param timeout how long to wait at most (a safety net for a broken test, not a measurement)
     * @return the request
     * @throws IllegalStateException if none arrives in time
     * @throws InterruptedException if interrupted while waiting
     */
    public RecordedRequest take(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (kept) {
            while (unread == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("no request arrived within " + timeout);
                }
                TimeUnit.NANOSECONDS.timedWait(kept, left);
            }
            return take();
        }
    }

    /** @return how many requests were recorded since start (or the last {@link #clear()}), kept or not */
    public long count() {
        synchronized (kept) {
            return count;
        }
    }

    /** Forgets every request recorded so far; {@link #count()} starts again from 0. */
    public void clear() {
        synchronized (kept) {
            kept.clear();
            unread = 0;
            count = 0;
        }
    }

    @Override
    public String toString() {
        return "RequestJournal" + requests();
    }
}
