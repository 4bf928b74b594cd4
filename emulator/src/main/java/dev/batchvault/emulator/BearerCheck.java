package dev.batchvault.emulator;

import com.sun.net.httpserver.HttpExchange;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * Checks the bearer token of a Microsoft Graph or Azure Resource Manager request: signed by the
 * emulator's token key, not expired, for one of the service's audiences. Returns why not, or the token.
 */
final class BearerCheck {
    private final PublicKey key;

    BearerCheck(PublicKey key) {
        this.key = key;
    }

    /** The outcome: the token, or a reason it is refused. */
    static final class Result {
        final Jwt token;
        final String problem;

        private Result(Jwt token, String problem) {
            this.token = token;
            this.problem = problem;
        }

        boolean ok() {
            return token != null;
        }
    }

    Result check(HttpExchange exchange, Set<String> audiences) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Result(null, "missing");
        }
        Jwt token;
        try {
            token = Jwt.parse(header.substring(7).trim());
        } catch (IllegalArgumentException e) {
            return new Result(null, "malformed");
        }
        if (!token.verifies(key)) {
            return new Result(null, "signature");
        }
        long now = Instant.now().getEpochSecond();
        Long exp = token.seconds("exp");
        if (exp == null || exp < now - AccessTokens.SKEW_SECONDS) {
            return new Result(null, "expired");
        }
        String aud = token.text("aud");
        if (aud == null || !audiences.contains(trimSlash(aud).toLowerCase(Locale.ROOT))) {
            return new Result(null, "audience " + aud);
        }
        return new Result(token, null);
    }

    static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
