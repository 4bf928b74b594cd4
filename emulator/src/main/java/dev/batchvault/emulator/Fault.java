package dev.batchvault.emulator;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A failure the emulator injects into its answers, as Azure fails now and then: an error status,
 * throttling, a dropped connection, a request that is never answered, latency, or a rate limit.
 * Inject it with {@link Vault#inject(Fault)} (the vault's authenticated requests) or
 * {@link AzureEmulator#injectToken(Fault)} (the token endpoint, all tenants).
 *
 * <pre>{@code
 * vault.inject(Fault.status(503).times(2));            // the next two authenticated requests get 503
 * vault.inject(Fault.rateLimit(4000, Duration.ofSeconds(10)));
 * azure.injectToken(Fault.reset().times(1));           // the next token request: connection closed
 * }</pre>
 *
 * <p>Immutable: each factory and {@link #times(int)} returns a new instance. The state of an
 * injected fault (requests left, the rate limit's bucket) belongs to that injection, so one
 * instance may be injected several times, each injection counting on its own.
 */
public final class Fault {
    /** What the fault does. */
    enum Kind {
        STATUS, THROTTLE, THROTTLE_MILLIS, THROTTLE_WITHOUT_RETRY_AFTER, RESET, HANG, LATENCY, RATE_LIMIT
    }

    final Kind kind;
    /** The status code, for {@link Kind#STATUS}; 429 for the throttles, 0 otherwise. */
    final int status;
    /** The retry-after of a throttle, the delay of a latency, the period of a rate limit; else null. */
    final Duration duration;
    /** The requests per period of a rate limit; else 0. */
    final int requests;
    /** How many requests it applies to; empty until cleared. */
    private final OptionalInt times;

    private Fault(Kind kind, int status, Duration duration, int requests, OptionalInt times) {
        this.kind = kind;
        this.status = status;
        this.duration = duration;
        this.requests = requests;
        this.times = times;
    }

    /**
     * Answers with this status and an error body in the service's style: at a vault
     * {@code {"error":{"code","message"}}} and {@code x-ms-error-code} (500 {@code InternalServerError},
     * 503 {@code ServiceUnavailable}, ...); at the token endpoint Entra ID's body ({@code error},
     * {@code error_description} with an AADSTS code, ...).
     *
     * @param status an error status, 400 to 599
     * @return the fault
     * @throws IllegalArgumentException if the status is not 400 to 599
     */
    public static Fault status(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a fault's status is an error status, 400 to 599, not " + status);
        }
        return new Fault(Kind.STATUS, status, null, 0, OptionalInt.empty());
    }

    /**
     * Answers 429 with {@code Retry-After} in whole seconds (rounded up); at a vault with the body
     * {@code {"error":{"code":"Throttled","message":"Request was not processed because too many requests
     * were received. Reason: ..."}}}.
     *
     * @param retryAfter what {@code Retry-After} says, zero or more
     * @return the fault
     */
    public static Fault throttle(Duration retryAfter) {
        return new Fault(Kind.THROTTLE, 429, nonNegative(retryAfter, "retryAfter"), 0, OptionalInt.empty());
    }

    /**
     * Answers 429 with {@code retry-after-ms} and {@code x-ms-retry-after-ms} in milliseconds (rounded
     * up), and no {@code Retry-After}.
     *
     * @param retryAfter what the headers say, zero or more
     * @return the fault
     */
    public static Fault throttleMillis(Duration retryAfter) {
        return new Fault(Kind.THROTTLE_MILLIS, 429, nonNegative(retryAfter, "retryAfter"), 0, OptionalInt.empty());
    }

    /** @return a fault answering 429 with no retry header at all */
    public static Fault throttleWithoutRetryAfter() {
        return new Fault(Kind.THROTTLE_WITHOUT_RETRY_AFTER, 429, null, 0, OptionalInt.empty());
    }

    /**
     * Closes the connection without answering: the client sees an I/O error (end of stream, or a
     * reset connection), as when a load balancer or the network drops it.
     *
     * @return the fault
     */
    public static Fault reset() {
        return new Fault(Kind.RESET, 0, null, 0, OptionalInt.empty());
    }

    /**
     * Never answers: the request is held, without a thread, until the client gives up (its timeout
     * closes the connection) or the emulator closes. It does not delay {@link AzureEmulator#close()}.
     *
     * @return the fault
     */
    public static Fault hang() {
        return new Fault(Kind.HANG, 0, null, 0, OptionalInt.empty());
    }

    /**
     * Waits, then answers normally (the request goes through every check as usual).
     *
     * @param delay how long, zero or more
     * @return the fault
     */
    public static Fault latency(Duration delay) {
        return new Fault(Kind.LATENCY, 0, nonNegative(delay, "delay"), 0, OptionalInt.empty());
    }

    /**
     * A token bucket: up to {@code requests} per {@code per} (a full bucket at injection, refilled
     * continuously); a request beyond it is answered 429 with {@code Retry-After}, the whole seconds
     * until a token is available (at least 1), and at a vault the body of {@link #throttle(Duration)}.
     * Every request is charged to it; it answers only those over the limit. With {@link #times(int)} it
     * falls away after answering that many; without, it never expires.
     *
     * @param requests the bucket's size, at least 1 (Key Vault's secrets limit is 4000 per 10 seconds)
     * @param per the period in which that many requests are allowed, positive
     * @return the fault
     */
    public static Fault rateLimit(int requests, Duration per) {
        if (requests < 1) {
            throw new IllegalArgumentException("a rate limit allows at least 1 request, not " + requests);
        }
        Objects.requireNonNull(per, "per");
        if (per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("a rate limit's period is positive, not " + per);
        }
        return new Fault(Kind.RATE_LIMIT, 429, per, requests, OptionalInt.empty());
    }

    /**
     * Applies the fault to the next {@code n} requests it matches only (for a rate limit: the next
     * {@code n} it answers 429), after which it falls away. Without it a fault applies until cleared.
     *
     * @param n how many, at least 1
     * @return a new fault, like this one but limited to {@code n} requests
     */
    public Fault times(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a fault applies to at least 1 request, not " + n);
        }
        return new Fault(kind, status, duration, requests, OptionalInt.of(n));
    }

    /** @return how many requests it applies to, or empty if it applies until cleared */
    OptionalInt times() {
        return times;
    }

    /** Seconds, rounded up, for {@code Retry-After}. */
    static long ceilSeconds(Duration d) {
        return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    }

    /** Milliseconds, rounded up, for {@code retry-after-ms}. */
    static long ceilMillis(Duration d) {
        try {
            long millis = d.toMillis();
            return d.minusMillis(millis).isZero() ? millis : millis + 1;
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static Duration nonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " is zero or more, not " + d);
        }
        return d;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Fault)) {
            return false;
        }
        Fault f = (Fault) o;
        return kind == f.kind && status == f.status && requests == f.requests && times.equals(f.times)
                && Objects.equals(duration, f.duration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, status, duration, requests, times);
    }

    @Override
    public String toString() {
        String what;
        switch (kind) {
            case STATUS:
                what = "status(" + status + ")";
                break;
            case THROTTLE:
                what = "throttle(" + duration + ")";
                break;
            case THROTTLE_MILLIS:
                what = "throttleMillis(" + duration + ")";
                break;
            case THROTTLE_WITHOUT_RETRY_AFTER:
                what = "throttleWithoutRetryAfter()";
                break;
            case RESET:
                what = "reset()";
                break;
            case HANG:
                what = "hang()";
                break;
            case LATENCY:
                what = "latency(" + duration + ")";
                break;
            default:
                what = "rateLimit(" + requests + ", " + duration + ")";
                break;
        }
        return "Fault." + what + (times.isPresent() ? ".times(" + times.getAsInt() + ")" : "");
    }
}
