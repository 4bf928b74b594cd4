package dev.batchvault;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.microsoft.aad.msal4j.MsalServiceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one call to a vault is made: each attempt holds a permit of the per-vault bound; after a
 * failure this object decides whether to retry, after how long, or to give up.
 *
 * <ul>
 *   <li>Only transient failures ({@link VaultUnavailableException} after translation: 5xx, 429, I/O,
 *       timeouts, at the vault or the token endpoint) are retried; every other failure is thrown at once.
 *   <li>The delay is what a throttled answer (the vault's, or Entra ID's: as BatchVault's own token request keeps it, or as MSAL4J does for the managed identity) asks for ({@code retry-after-ms}, {@code x-ms-retry-after-ms},
 *       or {@code Retry-After} in seconds or as an HTTP date), otherwise full-jitter exponential
 *       backoff: a random delay between zero and 1 s, 2 s, 4 s ... capped at 16 s.
 *   <li>When the next attempt would start after the call deadline, the call gives up with a
 *       {@link VaultUnavailableException} that carries the last cause and the number of attempts.
 *   <li>A call still retrying {@link #SLOW_CALL} after it started logs one WARN: what it waits for
 *       (the last failure) and until when it will try.
 * </ul>
 */
final class CallPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(CallPolicy.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(16);
    /** A call still retrying this long after it started says so, once, at WARN. */
    static final Duration SLOW_CALL = Duration.ofSeconds(5);

    /** Waits between attempts; tests hand in one that moves their clock. */
    interface Sleeper {
        void sleep(Duration delay) throws InterruptedException;
    }

    private final Duration deadline;
    private final Semaphore bound;
    private final String vaultUrl;
    private final LongSupplier nanoTime;
    private final Clock wallClock;
    private final LongUnaryOperator random;
    private final Sleeper sleeper;

    /**
     * @param deadline how long one call may take, retries included
     * @param bound the per-vault bound each attempt holds a permit of
     * @param vaultUrl the vault, for messages
     * @param nanoTime a monotonic clock
     * @param wallClock the wall clock, for {@code Retry-After} dates
     * @param random given n, a random number from 0 to n inclusive
     * @param sleeper waits between attempts
     */
    CallPolicy(Duration deadline, Semaphore bound, String vaultUrl, LongSupplier nanoTime, Clock wallClock,
            LongUnaryOperator random, Sleeper sleeper) {
        this.deadline = deadline;
        this.bound = bound;
        this.vaultUrl = vaultUrl;
        this.nanoTime = nanoTime;
        this.wallClock = wallClock;
        this.random = random;
        this.sleeper = sleeper;
    }

    /** The policy of a running process: system clocks, a real random source, real sleeps. */
    static CallPolicy system(Duration deadline, Semaphore bound, String vaultUrl) {
        return new CallPolicy(deadline, bound, vaultUrl, System::nanoTime, Clock.systemUTC(),
                n -> ThreadLocalRandom.current().nextLong(n + 1), delay -> Thread.sleep(delay.toMillis()));
    }

    /** One attempt, given the time left before the call's deadline (to cut its request timeout to). */
    interface Attempt<T> {
        T run(Duration timeLeft);
    }

    /**
     * Makes a call: attempts until one succeeds, a failure is not transient, or the deadline comes.
     *
     * @param subject what is read, for messages ("secret 'x'")
     * @param attempt one attempt; may throw anything
     * @param translate turns what an attempt threw into BatchVault's exception
     * @return what the successful attempt returned
     * @throws BatchVaultException the translated failure, or {@link VaultUnavailableException} at the deadline
     */
    <T> T call(String subject, Supplier<T> attempt, Function<RuntimeException, BatchVaultException> translate) {
        return call(subject, timeLeft -> attempt.get(), translate);
    }

    /**
     * Makes a call: attempts until one succeeds, a failure is not transient, or the deadline comes.
     * The call ends by its deadline plus at most the one attempt running then: the wait for a permit
     * of the per-vault bound ends at the deadline, a retry pause that would end after it is not
     * taken, and each attempt is told the time left, to cut its request timeout to.
     *
     * <p>An interrupted caller (while waiting for a permit, pausing, or in an attempt) gets a
     * {@link VaultUnavailableException} whose cause is an {@link InterruptedException}, with its
     * interrupt flag set, at once.
     *
     * @param subject what is read, for messages ("secret 'x'")
     * @param attempt one attempt; may throw anything
     * @param translate turns what an attempt threw into BatchVault's exception
     * @return what the successful attempt returned
     * @throws BatchVaultException the translated failure, or {@link VaultUnavailableException} at the deadline
     */
    <T> T call(String subject, Attempt<T> attempt, Function<RuntimeException, BatchVaultException> translate) {
        long start = nanoTime.getAsLong();
        boolean warned = false;
        for (int n = 1; ; n++) {
            RuntimeException failure;
            try {
                return bounded(subject, attempt, start, n);
            } catch (BatchVaultException e) {
                throw e;
            } catch (RuntimeException e) {
                failure = e;
            }
            if (isInterruption(failure)) {
                Thread.currentThread().interrupt();
                throw interrupted("reading " + subject + " from " + vaultUrl, n, failure);
            }
            BatchVaultException translated = translate.apply(failure);
            long elapsed = nanoTime.getAsLong() - start;
            Optional<Duration> delay = nextDelay(n, elapsed, translated, failure);
            if (delay.isEmpty()) {
                if (!(translated instanceof VaultUnavailableException)) {
                    throw translated;
                }
                throw new VaultUnavailableException(translated.getMessage() + " Gave up after " + n
                        + (n == 1 ? " attempt" : " attempts") + " in " + Duration.ofNanos(elapsed).toMillis()
                        + " ms (call deadline " + deadline + ").", n, failure);
            }
            if (!warned && elapsed + delay.get().toNanos() >= SLOW_CALL.toNanos()) {
                warned = true;
                LOG.warn("Still waiting to read {} from {} after {} attempts in {} s: {} Retrying until {} at the "
                        + "latest (call-deadline {}).", subject, vaultUrl, n, Duration.ofNanos(elapsed).toSeconds(),
                        translated.getMessage(), wallClock.instant().plusNanos(deadline.toNanos() - elapsed)
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS), deadline);
            }
            LOG.debug("Attempt {} for {} failed ({}); retrying in {} ms", n, subject,
                    AzureFailures.rootCause(failure).getClass().getSimpleName(), delay.get().toMillis());
            try {
                sleeper.sleep(delay.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw interrupted("waiting to retry " + subject, n, e);
            }
        }
    }

    private static VaultUnavailableException interrupted(String what, int attempts, Throwable cause) {
        Throwable interruption = cause instanceof InterruptedException ? cause : new InterruptedException();
        return new VaultUnavailableException("Interrupted while " + what + "; the thread's interrupt flag is set.",
                attempts, interruption);
    }

    /** @return whether the failure is the thread's interruption, however the transport wrapped it */
    static boolean isInterruption(Throwable failure) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InterruptedException || t instanceof java.io.InterruptedIOException
                    && !(t instanceof java.net.SocketTimeoutException)
                    || t instanceof java.nio.channels.ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The decision after a failed attempt.
     *
     * @param attempt the number of the attempt that failed, from 1
     * @param elapsedNanos time since the call started
     * @param translated the failure as BatchVault's exception
     * @param failure the failure as thrown, for the delay a throttled answer names
     * @return the delay before the next attempt, or empty to give up
     */
    Optional<Duration> nextDelay(int attempt, long elapsedNanos, BatchVaultException translated, Throwable failure) {
        if (!(translated instanceof VaultUnavailableException)) {
            return Optional.empty();
        }
        Duration delay = retryAfter(failure, wallClock.instant()).orElseGet(() -> backoff(attempt));
        if (elapsedNanos + delay.toNanos() >= deadline.toNanos()) {
            return Optional.empty();
        }
        return Optional.of(delay);
    }

    /** Full jitter: a random delay between zero and 1 s, 2 s, 4 s ... capped at 16 s. */
    Duration backoff(int attempt) {
        long cap = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(random.applyAsLong(cap));
    }

    private <T> T bounded(String subject, Attempt<T> attempt, long start, int n) {
        long left = deadline.toNanos() - (nanoTime.getAsLong() - start);
        boolean acquired;
        try {
            acquired = left > 0 && bound.tryAcquire(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted("waiting to read " + subject + " from " + vaultUrl, n - 1, e);
        }
        if (!acquired) {
            throw new VaultUnavailableException("No request to " + vaultUrl + " for " + subject + " could start "
                    + "within the call deadline " + deadline + ": every permit of the per-vault bound "
                    + "(max-concurrent-requests) stayed in use, so the vault is slow or not answering. Gave up after "
                    + (n - 1) + (n == 2 ? " attempt." : " attempts."), n - 1, null);
        }
        try {
            long timeLeft = deadline.toNanos() - (nanoTime.getAsLong() - start);
            return attempt.run(Duration.ofNanos(Math.max(1_000_000L, timeLeft)));
        } finally {
            bound.release();
        }
    }

    /**
     * The delay a throttled response asks for: retry-after-ms, x-ms-retry-after-ms, or Retry-After
     * (seconds or an HTTP date).
     *
     * @param failure what an attempt threw
     * @param now the wall-clock time, for a date
     * @return the delay, never negative; empty when the failure carries none
     */
    static Optional<Duration> retryAfter(Throwable failure, Instant now) {
        TokenEndpointException ours = AzureFailures.find(failure, TokenEndpointException.class);
        if (ours != null) {
            // Entra ID's answer to BatchVault's own token request (a pool certificate).
            return RetryAfter.parse(ours.retryAfterMs(), ours.xMsRetryAfterMs(), ours.retryAfter(), now);
        }
        MsalServiceException tokenEndpoint = AzureFailures.find(failure, MsalServiceException.class);
        if (tokenEndpoint != null && tokenEndpoint.headers() != null) {
            // Entra ID's answer, as MSAL4J keeps it: its Retry-After counts as the vault's does.
            return RetryAfter.parse(header(tokenEndpoint.headers(), "retry-after-ms"),
                    header(tokenEndpoint.headers(), "x-ms-retry-after-ms"),
                    header(tokenEndpoint.headers(), "retry-after"), now);
        }
        HttpResponseException response = AzureFailures.find(failure, HttpResponseException.class);
        if (response == null || response.getResponse() == null) {
            return Optional.empty();
        }
        HttpHeaders headers = response.getResponse().getHeaders();
        return RetryAfter.parse(headers.getValue(HttpHeaderName.fromString("retry-after-ms")),
                headers.getValue(HttpHeaderName.fromString("x-ms-retry-after-ms")),
                headers.getValue(HttpHeaderName.RETRY_AFTER), now);
    }

    /** @return the first value of a header, by name in any case, or {@code null} */
    private static String header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && e.getValue() != null
                    && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }
}
