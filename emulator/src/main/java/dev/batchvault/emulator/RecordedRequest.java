package dev.batchvault.emulator;

import java.util.Objects;
import java.util.Optional;

/**
 * One request as the emulator saw it, for tests: which route took it, its method and path (never
 * the query or the body), whether it carried an {@code Authorization} header, what became of it,
 * and the fault that was applied to it, if any. Never holds a token, a body or a secret value.
 * Read them from a {@link RequestJournal}.
 */
public final class RecordedRequest {
    private final String route;
    private final String method;
    private final String path;
    private final boolean tokenSent;
    private final Outcome outcome;
    private final Fault fault;

    RecordedRequest(String route, String method, String path, boolean tokenSent, Outcome outcome, Fault fault) {
        this.route = Objects.requireNonNull(route, "route");
        this.method = Objects.requireNonNull(method, "method");
        this.path = Objects.requireNonNull(path, "path");
        this.tokenSent = tokenSent;
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.fault = fault;
    }

    /** @return the route that took it, as in the log: {@code login}, {@code vault poolvault} */
    public String route() {
        return route;
    }

    /** @return the HTTP method, such as {@code GET} */
    public String method() {
        return method;
    }

    /** @return the request path without the query, such as {@code /secrets/batchAdminPass/} */
    public String path() {
        return path;
    }

    /** @return whether the request carried an {@code Authorization} header (whatever its value) */
    public boolean tokenSent() {
        return tokenSent;
    }

    /** @return what became of it: a status, a closed connection, or held */
    public Outcome outcome() {
        return outcome;
    }

    /** @return the status answered, or 0 if the connection was closed or the request is held */
    public int status() {
        return outcome.status();
    }

    /** @return the injected fault applied to it (a latency too), or empty */
    public Optional<Fault> fault() {
        return Optional.ofNullable(fault);
    }

    /** @return like the log line: {@code vault poolvault GET /secrets/x/ -> 503 (injected Fault.status(503))} */
    @Override
    public String toString() {
        return route + " " + method + " " + path + " -> " + outcome + (tokenSent ? " [token]" : "")
                + (fault == null ? "" : " (injected " + fault + ")");
    }
}
