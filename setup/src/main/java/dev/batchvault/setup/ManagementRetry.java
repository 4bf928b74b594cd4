package dev.batchvault.setup;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import reactor.core.publisher.Mono;

/**
 * Retries a management call that was throttled (429) or met a transient failure (408, 500, 502,
 * 503, 504), waiting what {@code Retry-After} (or {@code retry-after-ms}) says or an exponential
 * backoff with jitter, for at most a number of retries and never past a deadline counted from the
 * call's first attempt: a wait that would end after the deadline is not taken, and the last answer
 * is returned for the caller to report.
 */
final class ManagementRetry implements HttpPipelinePolicy {
    private final int maxRetries;
    private final Duration deadline;
    private final Duration baseDelay;
    private final LongSupplier nanoTime;

    ManagementRetry(int maxRetries, Duration deadline, Duration baseDelay, LongSupplier nanoTime) {
        this.maxRetries = maxRetries;
        this.deadline = deadline;
        this.baseDelay = baseDelay;
        this.nanoTime = nanoTime;
    }

    @Override
    public HttpPipelinePosition getPipelinePosition() {
        return HttpPipelinePosition.PER_CALL;
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        long end = nanoTime.getAsLong() + deadline.toNanos();
        return attempt(context, next, 0, end);
    }

    private Mono<HttpResponse> attempt(HttpPipelineCallContext context, HttpPipelineNextPolicy next, int retries,
            long end) {
        return next.clone().process().flatMap(response -> {
            if (!retriable(response.getStatusCode()) || retries >= maxRetries) {
                return Mono.just(response);
            }
            Duration wait = retryAfter(response);
            if (wait == null) {
                long cap = baseDelay.toMillis() << Math.min(retries, 16);
                wait = Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
            }
            if (nanoTime.getAsLong() + wait.toNanos() > end) {
                return Mono.just(response);
            }
            response.close();
            return Mono.delay(wait).then(Mono.defer(() -> attempt(context, next, retries + 1, end)));
        });
    }

    static boolean retriable(int status) {
        return status == 429 || status == 408 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    static Duration retryAfter(HttpResponse response) {
        for (String header : new String[] {"retry-after-ms", "x-ms-retry-after-ms"}) {
            String value = response.getHeaders().getValue(HttpHeaderName.fromString(header));
            if (value != null) {
                try {
                    return Duration.ofMillis(Math.max(0, Long.parseLong(value.trim())));
                } catch (NumberFormatException e) {
                    // try the next header
                }
            }
        }
        String value = response.getHeaders().getValue(HttpHeaderName.RETRY_AFTER);
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (java.time.format.DateTimeParseException e2) {
                return null;
            }
        }
    }
}
