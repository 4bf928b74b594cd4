package dev.batchvault;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The delay a throttled answer asks for, from its headers: {@code retry-after-ms}, then
 * {@code x-ms-retry-after-ms}, then {@code Retry-After} in seconds or as an HTTP date. Any text
 * ends in a delay from zero to {@link #MAX} or in none; nothing throws.
 */
final class RetryAfter {
    /** No answer makes a caller wait longer than this; the call deadline cuts it shorter anyway. */
    static final Duration MAX = Duration.ofHours(1);
    private static final int MAX_TEXT = 64;

    private RetryAfter() {
    }

    /**
     * @param retryAfterMs the {@code retry-after-ms} header, or {@code null}
     * @param xMsRetryAfterMs the {@code x-ms-retry-after-ms} header, or {@code null}
     * @param retryAfter the {@code Retry-After} header, or {@code null}
     * @param now the time a date is measured from
     * @return the delay asked for, at most {@link #MAX}; empty when no header holds a usable one
     */
    static Optional<Duration> parse(String retryAfterMs, String xMsRetryAfterMs, String retryAfter, Instant now) {
        for (String ms : new String[] {retryAfterMs, xMsRetryAfterMs}) {
            Long millis = number(ms);
            if (millis != null) {
                return Optional.of(bounded(Duration.ofMillis(millis)));
            }
        }
        if (retryAfter == null || retryAfter.length() > MAX_TEXT) {
            return Optional.empty();
        }
        Long seconds = number(retryAfter);
        if (seconds != null) {
            return Optional.of(seconds > MAX.getSeconds() ? MAX : bounded(Duration.ofSeconds(seconds)));
        }
        try {
            Instant at = ZonedDateTime.parse(retryAfter.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(bounded(Duration.between(now, at)));
        } catch (DateTimeException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** A whole number (negative ones count as zero), or {@code null}. */
    private static Long number(String text) {
        if (text == null || text.length() > MAX_TEXT) {
            return null;
        }
        try {
            return Math.max(0, Long.parseLong(text.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Duration bounded(Duration d) {
        return d.isNegative() ? Duration.ZERO : d.compareTo(MAX) > 0 ? MAX : d;
    }
}
