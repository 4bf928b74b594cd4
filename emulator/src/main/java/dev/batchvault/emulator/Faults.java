package dev.batchvault.emulator;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faults injected into one route (a vault, or the token endpoint): a queue of injections, each
 * with its own count and, for a rate limit, its own bucket. Thread-safe.
 */
final class Faults {
    /** A fault chosen for one request, with the rate limit's retry-after if a rate limit answers. */
    static final class Taken {
        final Fault fault;
        final long retryAfterSeconds;

        Taken(Fault fault, long retryAfterSeconds) {
            this.fault = fault;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        @Override
        public String toString() {
            return fault.toString();
        }
    }

    /** One injection: what is left of its count, and a rate limit's bucket. */
    private static final class Injection {
        final Fault fault;
        int left;
        double tokens;
        long refilledAt;

        Injection(Fault fault, long now) {
            this.fault = fault;
            this.left = fault.times().orElse(0);
            this.tokens = fault.requests;
            this.refilledAt = now;
        }

        /** Refills, then takes a token if there is one. */
        boolean admit(long now) {
            double perNanos = nanos(fault.duration);
            tokens = Math.min(fault.requests, tokens + (now - refilledAt) * fault.requests / perNanos);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        /** Whole seconds until a token is available, at least 1. */
        long retryAfterSeconds() {
            double nanosPerToken = nanos(fault.duration) / fault.requests;
            double seconds = Math.ceil((1 - tokens) * nanosPerToken / 1e9);
            return Math.max(1, (long) Math.min(seconds, Long.MAX_VALUE));
        }

        /** @return whether it lasts until cleared rather than for a number of requests */
        boolean untilCleared() {
            return fault.times().isEmpty();
        }

        /** Counts one use; @return whether it is used up. */
        boolean use() {
            return !untilCleared() && --left == 0;
        }

        private static double nanos(java.time.Duration d) {
            return d.getSeconds() * 1e9 + d.getNano();
        }
    }

    private final List<Injection> queue = new ArrayList<>();
    private final AtomicLong served = new AtomicLong();
    private final Set<HttpExchange> held = ConcurrentHashMap.newKeySet();

    void add(Fault fault) {
        if (fault == null) {
            throw new NullPointerException("fault");
        }
        synchronized (queue) {
            queue.add(new Injection(fault, System.nanoTime()));
        }
    }

    void clear() {
        synchronized (queue) {
            queue.clear();
        }
    }

    /** @return the injections still active, in order, for {@link EmulatorMain}'s summary */
    List<Fault> active() {
        synchronized (queue) {
            List<Fault> active = new ArrayList<>();
            for (Injection injection : queue) {
                active.add(injection.untilCleared() ? injection.fault : injection.fault.times(injection.left));
            }
            return active;
        }
    }

    long served() {
        return served.get();
    }

    /**
     * Chooses the fault for one request: the first injection still active, in the order injected. A
     * rate limit is charged for every request, wherever it stands in the queue, and answers only a
     * request over its limit (and only if no earlier injection answers it).
     *
     * @return the fault, or null to answer normally
     */
    Taken take() {
        synchronized (queue) {
            if (queue.isEmpty()) {
                return null;
            }
            long now = System.nanoTime();
            Taken taken = null;
            for (Iterator<Injection> it = queue.iterator(); it.hasNext();) {
                Injection injection = it.next();
                if (injection.fault.kind == Fault.Kind.RATE_LIMIT) {
                    if (injection.admit(now) || taken != null) {
                        continue;
                    }
                    taken = new Taken(injection.fault, injection.retryAfterSeconds());
                } else if (taken == null) {
                    taken = new Taken(injection.fault, 0);
                } else {
                    continue;
                }
                if (injection.use()) {
                    it.remove();
                }
            }
            if (taken != null) {
                served.incrementAndGet();
            }
            return taken;
        }
    }

    /**
     * Carries out a fault on a request.
     *
     * @param route writes the error answers in its service's style
     * @return what became of the request, or empty to answer it normally (after a latency)
     */
    Optional<Outcome> serve(HttpExchange exchange, Taken taken, Route route) throws IOException {
        Fault fault = taken.fault;
        switch (fault.kind) {
            case STATUS:
                if (fault.status == 429) {
                    route.throttled(exchange, false);
                } else {
                    route.faultStatus(exchange, fault.status);
                }
                return answered(exchange);
            case THROTTLE:
                exchange.getResponseHeaders().set("Retry-After", Long.toString(Fault.ceilSeconds(fault.duration)));
                route.throttled(exchange, false);
                return answered(exchange);
            case THROTTLE_MILLIS:
                String millis = Long.toString(Fault.ceilMillis(fault.duration));
                exchange.getResponseHeaders().set("retry-after-ms", millis);
                exchange.getResponseHeaders().set("x-ms-retry-after-ms", millis);
                route.throttled(exchange, false);
                return answered(exchange);
            case THROTTLE_WITHOUT_RETRY_AFTER:
                route.throttled(exchange, false);
                return answered(exchange);
            case RATE_LIMIT:
                exchange.getResponseHeaders().set("Retry-After", Long.toString(taken.retryAfterSeconds));
                route.throttled(exchange, true);
                return answered(exchange);
            case RESET:
                // Closing an exchange before its response headers closes the connection: no answer at all.
                exchange.close();
                return Optional.of(Outcome.closed());
            case HANG:
                held.add(exchange);
                return Optional.of(Outcome.held());
            case LATENCY:
                try {
                    sleep(fault.duration);
                } catch (InterruptedException e) {
                    // The emulator is closing: drop the request.
                    Thread.currentThread().interrupt();
                    exchange.close();
                    return Optional.of(Outcome.closed());
                }
                return Optional.empty();
            default:
                throw new IllegalStateException("unknown fault " + fault);
        }
    }

    private static Optional<Outcome> answered(HttpExchange exchange) {
        return Optional.of(Outcome.answered(exchange.getResponseCode()));
    }

    /** Releases held requests: their connections close, and their clients see an I/O error. */
    void releaseHeld() {
        for (Iterator<HttpExchange> it = held.iterator(); it.hasNext();) {
            HttpExchange exchange = it.next();
            it.remove();
            try {
                exchange.close();
            } catch (RuntimeException e) {
                // the connection is gone already
            }
        }
    }

    private static void sleep(java.time.Duration delay) throws InterruptedException {
        long nanos;
        try {
            nanos = delay.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE;
        }
        TimeUnit.NANOSECONDS.sleep(nanos);
    }
}
